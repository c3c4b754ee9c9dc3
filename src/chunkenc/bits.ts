/**
 * Where a float64's halves sit in a Uint32Array view, and 64-bit two's-complement values carried as two
 * 32-bit halves.
 *
 * Why halves and not BigInt: the XOR hot loops run once per sample, and BigInt allocates. A JS number holds
 * any int64 we accept exactly (|x| ≤ 2^53 − 1); values outside that range are reported, never rounded.
 */
import { StorageError } from '../model/index.js';

/** True on every platform Node runs on today; computed rather than assumed so a BE host still works. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Index of the low / high 32-bit word of a float64 inside a Uint32Array view. */
export const LO = LITTLE_ENDIAN ? 0 : 1;
export const HI = LITTLE_ENDIAN ? 1 : 0;

const TWO32 = 4294967296;
/** 2^21: the largest |hi| (as int32) for which hi·2^32 + lo is still a safe integer. */
const SAFE_HI = 0x200000;

/**
 * The int64 whose two's-complement halves are hi:lo, as a number; throws when it is not a safe integer
 * (a timestamp or delta beyond ±2^53 cannot be held exactly by a Float64Array).
 */
export function int64FromHalves(hi: number, lo: number, what: string): number {
  const h = hi | 0;
  const x = h * TWO32 + (lo >>> 0);
  if (h >= SAFE_HI || h < -SAFE_HI || !Number.isSafeInteger(x)) {
    throw new StorageError(`${what}: 64-bit value 0x${(hi >>> 0).toString(16)}${(lo >>> 0).toString(16).padStart(8, '0')} is beyond ±2^53`);
  }
  return x;
}

/** Low 32 bits (two's complement) of a safe integer. */
export function lo32(x: number): number {
  // x − hi·2^32 lies in [0, 2^32) and is exact: division and multiplication by 2^32 never round.
  return (x - Math.floor(x / TWO32) * TWO32) >>> 0;
}

/** High 32 bits (two's complement, as int32) of a safe integer. */
export function hi32(x: number): number {
  return Math.floor(x / TWO32) | 0;
}
