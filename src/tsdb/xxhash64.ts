/**
 * xxHash64 (seed 0) of many ranges of one buffer, for the Chunk.hash of every chunk a store sends. The
 * buffer (a fetched part of a segment file) is copied into the wasm memory once and each chunk hashed in
 * place; xxhash-wasm's own h64Raw copies every input again and masks its result, one more bigint per call.
 * The wasm code is xxhash-wasm's (its workerd build ships it as a file; the other builds embed the same
 * bytes), loaded synchronously on first use.
 *
 *   const h = RangeHasher.get();
 *   h.load(part, from, to);          // part[from, to) into wasm memory
 *   const hash = h.hash(start, end); // xxh64 of part[start, end), from ≤ start ≤ end ≤ to
 *
 * Hashes come as signed 64-bit bigints (the wasm i64): the same 64 bits as the uint64 xxh64, which is what
 * the Series encoder writes for either (BigInt.asUintN(64, hash) gives the unsigned value). hashRanges() gives
 * many as uint32 words instead, with no bigint at all, in one call into wasm: a second, tiny wasm module
 * (HASH_RANGES_WASM) walks a table of (offset, length) pairs placed after the loaded buffer, calls xxh64
 * wasm-to-wasm for each (an i64 is a plain value there) and overwrites the pair with its hash. A sidecar
 * hashes all chunks of a series that way: one call per chunk cost ~0.3 ms more per 1 k-series read
 * (bench/README.md, sidecar).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

interface XxhashExports {
  mem: { buffer: ArrayBuffer; grow(pages: number): number };
  xxh64(ptr: number, len: number, seed: bigint): bigint;
}

/**
 * (module
 *   (import "x" "mem" (memory 1))
 *   (import "x" "xxh64" (func $h (param i32 i32 i64) (result i64)))
 *   (func (export "xxh64n") (param $t i32) (param $n i32) (local $end i32)
 *     (local.set $end (i32.add (local.get $t) (i32.shl (local.get $n) (i32.const 3))))
 *     (block $done (loop $next
 *       (br_if $done (i32.ge_u (local.get $t) (local.get $end)))
 *       (i64.store (local.get $t) (call $h (i32.load (local.get $t)) (i32.load offset=4 (local.get $t)) (i64.const 0)))
 *       (local.set $t (i32.add (local.get $t) (i32.const 8)))
 *       (br $next)))))
 */
// prettier-ignore
const HASH_RANGES_WASM = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x0d, 0x02, 0x60, 0x03, 0x7f, 0x7f, 0x7e, 0x01, 0x7e, 0x60, 0x02, 0x7f, 0x7f, 0x00, // types: (i32 i32 i64) → i64, (i32 i32) → ()
  0x02, 0x14, 0x02, 0x01, 0x78, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x01, // imports: x.mem, memory min 1
  0x01, 0x78, 0x05, 0x78, 0x78, 0x68, 0x36, 0x34, 0x00, 0x00, //          x.xxh64, func type 0
  0x03, 0x02, 0x01, 0x01, // functions: one, type 1
  0x07, 0x0a, 0x01, 0x06, 0x78, 0x78, 0x68, 0x36, 0x34, 0x6e, 0x00, 0x01, // export "xxh64n" = func 1
  0x0a, 0x39, 0x01, // code: one body
  0x37, 0x01, 0x01, 0x7f, // 55 bytes, one i32 local ($end)
  0x20, 0x00, 0x20, 0x01, 0x41, 0x03, 0x74, 0x6a, 0x21, 0x02, // end = t + (n << 3)
  0x02, 0x40, 0x03, 0x40, // block, loop
  0x20, 0x00, 0x20, 0x02, 0x4f, 0x0d, 0x01, // br_if block (t >= end)
  0x20, 0x00, 0x20, 0x00, 0x28, 0x02, 0x00, 0x20, 0x00, 0x28, 0x02, 0x04, 0x42, 0x00, 0x10, 0x00, 0x37, 0x03, 0x00, // store(t, h(load(t), load(t+4), 0))
  0x20, 0x00, 0x41, 0x08, 0x6a, 0x21, 0x00, // t += 8
  0x0c, 0x00, 0x0b, 0x0b, 0x0b, // br loop; end loop; end block; end
]);

/** The WebAssembly global (our TS lib settings do not declare it). */
const Wasm = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, imports?: object) => { exports: unknown } } }).WebAssembly;

export class RangeHasher {
  static #shared: RangeHasher | undefined;

  /** The process's hasher (synchronous use only: load then hash, no await between). */
  static get(): RangeHasher {
    return (RangeHasher.#shared ??= new RangeHasher());
  }

  readonly #x: XxhashExports;
  readonly #many: (table: number, n: number) => void;
  #mem!: Uint8Array;
  #u32!: Uint32Array;
  #from = 0;
  #to = 0;

  private constructor() {
    const main = createRequire(import.meta.url).resolve('xxhash-wasm'); // …/xxhash-wasm/cjs/xxhash-wasm.cjs
    const bytes = readFileSync(join(dirname(main), '..', 'workerd', 'xxhash.wasm'));
    this.#x = new Wasm.Instance(new Wasm.Module(bytes)).exports as XxhashExports;
    const ranges = new Wasm.Instance(new Wasm.Module(HASH_RANGES_WASM), { x: { mem: this.#x.mem, xxh64: this.#x.xxh64 } }).exports;
    this.#many = (ranges as { xxh64n: (table: number, n: number) => void }).xxh64n;
    this.#views();
  }

  #views(): void {
    this.#mem = new Uint8Array(this.#x.mem.buffer);
    this.#u32 = new Uint32Array(this.#x.mem.buffer);
  }

  #ensure(bytes: number): void {
    if (bytes > this.#mem.length) {
      this.#x.mem.grow(Math.ceil((bytes - this.#mem.length) / 65536));
      this.#views();
    }
  }

  /** The wasm memory as words: hashRanges() results, at the index it returns. */
  get words(): Uint32Array {
    return this.#u32;
  }

  /** Copies buf[from, to) into the wasm memory: the ranges hash() and hashRanges() may take next. */
  load(buf: Uint8Array, from: number, to: number): void {
    this.#ensure(to - from);
    this.#mem.set(from === 0 && to === buf.length ? buf : buf.subarray(from, to), 0);
    this.#from = from;
    this.#to = to;
  }

  /** xxh64 of buf[start, end) of the loaded buffer, as a signed 64-bit bigint. */
  hash(start: number, end: number): bigint {
    this.#check(start, end);
    return this.#x.xxh64(start - this.#from, end - start, 0n);
  }

  /**
   * xxh64 of ranges [starts[i], ends[i]) of the loaded buffer, i < n, as uint32 words, in one call: returns
   * the index in `words` of the first result, range i's low word at index + 2i and high word at index + 2i + 1
   * (valid until the next call).
   */
  hashRanges(starts: Int32Array, ends: Int32Array, n: number): number {
    const table = (this.#to - this.#from + 7) & ~7;
    this.#ensure(table + 8 * n);
    const w = this.#u32;
    const from = this.#from;
    for (let i = 0, k = table >> 2; i < n; i++, k += 2) {
      const s = starts[i]!;
      const e = ends[i]!;
      this.#check(s, e);
      w[k] = s - from;
      w[k + 1] = e - s;
    }
    this.#many(table, n);
    return table >> 2;
  }

  #check(start: number, end: number): void {
    if (start < this.#from || end > this.#to || start > end) throw new RangeError(`hash of [${start}, ${end}) outside the loaded [${this.#from}, ${this.#to})`);
  }

  /** xxh64 of a whole buffer (loads it). */
  hashBytes(buf: Uint8Array): bigint {
    this.load(buf, 0, buf.length);
    return this.hash(0, buf.length);
  }
}
