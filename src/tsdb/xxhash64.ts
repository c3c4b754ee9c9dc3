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
 * the Series encoder writes for either (BigInt.asUintN(64, hash) gives the unsigned value). hashWords()
 * gives them as two uint32 words instead, with no bigint at all: a second, tiny wasm module (HASH_WORDS_WASM)
 * calls xxh64 wasm-to-wasm, where an i64 is a plain value, and stores it in the first 8 bytes of the memory;
 * loaded buffers start after them.
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
 *   (func (export "xxh64w") (param $ptr i32) (param $len i32) (param $out i32)
 *     (i64.store (local.get $out) (call $h (local.get $ptr) (local.get $len) (i64.const 0)))))
 */
// prettier-ignore
const HASH_WORDS_WASM = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x0e, 0x02, 0x60, 0x03, 0x7f, 0x7f, 0x7e, 0x01, 0x7e, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00, // types: (i32 i32 i64) → i64, (i32 i32 i32) → ()
  0x02, 0x14, 0x02, 0x01, 0x78, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x01, // imports: x.mem, memory min 1
  0x01, 0x78, 0x05, 0x78, 0x78, 0x68, 0x36, 0x34, 0x00, 0x00, //          x.xxh64, func type 0
  0x03, 0x02, 0x01, 0x01, // functions: one, type 1
  0x07, 0x0a, 0x01, 0x06, 0x78, 0x78, 0x68, 0x36, 0x34, 0x77, 0x00, 0x01, // export "xxh64w" = func 1
  0x0a, 0x11, 0x01, 0x0f, 0x00, // code: one body, 15 bytes, no locals
  0x20, 0x02, 0x20, 0x00, 0x20, 0x01, 0x42, 0x00, 0x10, 0x00, 0x37, 0x03, 0x00, 0x0b, // out, ptr, len, 0; call 0; i64.store; end
]);

/** Loaded buffers start here; the bytes before hold hashWords' result. */
const DATA_AT = 8;

/** The WebAssembly global (our TS lib settings do not declare it). */
const Wasm = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, imports?: object) => { exports: unknown } } }).WebAssembly;

export class RangeHasher {
  static #shared: RangeHasher | undefined;

  /** The process's hasher (synchronous use only: load then hash, no await between). */
  static get(): RangeHasher {
    return (RangeHasher.#shared ??= new RangeHasher());
  }

  readonly #x: XxhashExports;
  readonly #words: (ptr: number, len: number, out: number) => void;
  #mem: Uint8Array;
  #out: Uint32Array;
  #from = 0;
  #to = 0;

  private constructor() {
    const main = createRequire(import.meta.url).resolve('xxhash-wasm'); // …/xxhash-wasm/cjs/xxhash-wasm.cjs
    const bytes = readFileSync(join(dirname(main), '..', 'workerd', 'xxhash.wasm'));
    this.#x = new Wasm.Instance(new Wasm.Module(bytes)).exports as XxhashExports;
    const words = new Wasm.Instance(new Wasm.Module(HASH_WORDS_WASM), { x: { mem: this.#x.mem, xxh64: this.#x.xxh64 } }).exports;
    this.#words = (words as { xxh64w: (ptr: number, len: number, out: number) => void }).xxh64w;
    this.#mem = new Uint8Array(this.#x.mem.buffer);
    this.#out = new Uint32Array(this.#x.mem.buffer, 0, 2);
  }

  /** Low 32 bits of the last hashWords() result. */
  get lo(): number {
    return this.#out[0]!;
  }

  /** High 32 bits of the last hashWords() result. */
  get hi(): number {
    return this.#out[1]!;
  }

  /** Copies buf[from, to) into the wasm memory: the ranges hash() may take next. */
  load(buf: Uint8Array, from: number, to: number): void {
    const n = DATA_AT + to - from;
    if (n > this.#mem.length) {
      this.#x.mem.grow(Math.ceil((n - this.#mem.length) / 65536));
      this.#mem = new Uint8Array(this.#x.mem.buffer);
      this.#out = new Uint32Array(this.#x.mem.buffer, 0, 2);
    }
    this.#mem.set(from === 0 && to === buf.length ? buf : buf.subarray(from, to), DATA_AT);
    this.#from = from;
    this.#to = to;
  }

  /** xxh64 of buf[start, end) of the loaded buffer, as a signed 64-bit bigint. */
  hash(start: number, end: number): bigint {
    this.#check(start, end);
    return this.#x.xxh64(DATA_AT + start - this.#from, end - start, 0n);
  }

  /** hash() as two uint32 words, read from `lo` and `hi` (until the next call): no bigint made. */
  hashWords(start: number, end: number): void {
    this.#check(start, end);
    this.#words(DATA_AT + start - this.#from, end - start, 0);
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
