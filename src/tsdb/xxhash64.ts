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
 * the Series encoder writes for either (BigInt.asUintN(64, hash) gives the unsigned value).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

interface XxhashExports {
  mem: { buffer: ArrayBuffer; grow(pages: number): number };
  xxh64(ptr: number, len: number, seed: bigint): bigint;
}

/** The WebAssembly global (our TS lib settings do not declare it). */
const Wasm = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object) => { exports: unknown } } }).WebAssembly;

export class RangeHasher {
  static #shared: RangeHasher | undefined;

  /** The process's hasher (synchronous use only: load then hash, no await between). */
  static get(): RangeHasher {
    return (RangeHasher.#shared ??= new RangeHasher());
  }

  readonly #x: XxhashExports;
  #mem: Uint8Array;
  #from = 0;
  #to = 0;

  private constructor() {
    const main = createRequire(import.meta.url).resolve('xxhash-wasm'); // …/xxhash-wasm/cjs/xxhash-wasm.cjs
    const bytes = readFileSync(join(dirname(main), '..', 'workerd', 'xxhash.wasm'));
    this.#x = new Wasm.Instance(new Wasm.Module(bytes)).exports as XxhashExports;
    this.#mem = new Uint8Array(this.#x.mem.buffer);
  }

  /** Copies buf[from, to) into the wasm memory: the ranges hash() may take next. */
  load(buf: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (n > this.#mem.length) {
      this.#x.mem.grow(Math.ceil((n - this.#mem.length) / 65536));
      this.#mem = new Uint8Array(this.#x.mem.buffer);
    }
    this.#mem.set(from === 0 && to === buf.length ? buf : buf.subarray(from, to), 0);
    this.#from = from;
    this.#to = to;
  }

  /** xxh64 of buf[start, end) of the loaded buffer, as a signed 64-bit bigint. */
  hash(start: number, end: number): bigint {
    if (start < this.#from || end > this.#to || start > end) throw new RangeError(`hash of [${start}, ${end}) outside the loaded [${this.#from}, ${this.#to})`);
    return this.#x.xxh64(start - this.#from, end - start, 0n);
  }

  /** xxh64 of a whole buffer (loads it). */
  hashBytes(buf: Uint8Array): bigint {
    this.load(buf, 0, buf.length);
    return this.hash(0, buf.length);
  }
}
