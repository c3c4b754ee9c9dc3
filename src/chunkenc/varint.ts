/**
 * Go `encoding/binary` varints over 64-bit values carried as two 32-bit halves (see bits.ts for why).
 * `uvarint` is LEB128; `varint` is zig-zag then LEB128, so −1 → 1, 1 → 2.
 * Only the chunk headers use them (t0 and the first Δt), never the per-sample loop.
 */
import { StorageError } from '../model/index.js';

/** Halves of the last value read by readUvarint64; module state instead of a result object per call. */
export const varintResult = { hi: 0, lo: 0 };

/**
 * Reads a uvarint of at most 10 bytes starting at `pos`; leaves its halves in varintResult and returns the
 * position after it. Throws when the bytes end first or the value overflows 64 bits (as Go's ReadUvarint).
 */
export function readUvarint64(b: Uint8Array, pos: number, end: number, what: string): number {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new StorageError(`${what}: truncated varint`);
    const byte = b[pos++]!;
    const bits = byte & 0x7f;
    const shift = 7 * i;
    if (i === 9 && byte > 1) throw new StorageError(`${what}: varint overflows a 64-bit integer`);
    if (shift < 32) {
      lo |= bits << shift;
      if (shift > 25) hi |= bits >>> (32 - shift);
    } else {
      hi |= bits << (shift - 32);
    }
    if (byte < 0x80) {
      varintResult.hi = hi | 0;
      varintResult.lo = lo >>> 0;
      return pos;
    }
  }
  throw new StorageError(`${what}: varint longer than 10 bytes`);
}

/** Undoes zig-zag on the halves left in varintResult: (u >>> 1) ^ −(u & 1). */
export function unzigzagResult(): void {
  const { hi, lo } = varintResult;
  const neg = -(lo & 1);
  varintResult.lo = (((lo >>> 1) | (hi << 31)) ^ neg) >>> 0;
  varintResult.hi = ((hi >>> 1) ^ neg) | 0;
}

/** Zig-zag halves of the int64 hi:lo, as (x << 1) ^ (x >> 63); returned through varintResult. */
export function zigzagHalves(hi: number, lo: number): void {
  const sign = hi >> 31;
  varintResult.hi = (((hi << 1) | (lo >>> 31)) ^ sign) | 0;
  varintResult.lo = ((lo << 1) ^ sign) >>> 0;
}
