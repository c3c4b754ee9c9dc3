/**
 * int64 on the wire ⇄ milliseconds in the model: the one place where that conversion happens.
 *
 * Decoded messages carry every int64/uint64 as a decimal string (proto-loader `longs: String`), so the
 * exact wire value is never lost: Thanos uses MaxInt64 / MinInt64 as "no bound" (a sidecar's max_time),
 * and chunk hashes are full uint64s. The exception is Series frames over gRPC (series-decoder.ts): there
 * chunk times arrive already as the numbers this function would make, and hashes as bigints. JS numbers
 * hold integers exactly only up to 2^53, so:
 *
 *   wire → model  `int64ToMillis`: Number(s). Exact for |v| ≤ 2^53 (every real timestamp, ±285k years);
 *                 MaxInt64 becomes 2^63 and MinInt64 becomes −2^63, which still compare correctly. A number
 *                 passes through unchanged.
 *   model → wire  `millisToInt64`: truncates and clamps to [MinInt64, MaxInt64]; ±Infinity map to the bounds.
 *
 * Hence wire → model → wire is exact for every safe integer and for both sentinels (2^63 clamps back to
 * MaxInt64), which is what round-tripping an Info or a Series request needs.
 */
import { BadDataError } from '../model/index.js';

/** A protobuf int64/uint64 as its exact decimal string. */
export type Int64 = string;

export const MAX_INT64: Int64 = '9223372036854775807';
export const MIN_INT64: Int64 = '-9223372036854775808';

const MAX_BIG = 9223372036854775807n;
const MIN_BIG = -9223372036854775808n;
// 2^63 as a double: the value MaxInt64 becomes as a number, and the smallest double beyond it.
const TWO_63 = 9223372036854775808;

/** Wire int64 (decimal string, or a number) → milliseconds as a JS number. */
export function int64ToMillis(v: Int64 | number): number {
  if (typeof v === 'number') return v;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new BadDataError(`not an int64: ${JSON.stringify(v)}`);
  return n;
}

/** Milliseconds → wire int64 decimal string, truncated toward zero and clamped to the int64 range. */
export function millisToInt64(ms: number): Int64 {
  if (Number.isNaN(ms)) throw new BadDataError('NaN is not a valid int64 timestamp');
  if (ms >= TWO_63) return MAX_INT64;
  if (ms <= -TWO_63) return MIN_INT64;
  if (Number.isSafeInteger(ms)) return String(ms);
  return BigInt(Math.trunc(ms)).toString();
}

/** A bigint (e.g. an xxhash64 or a parsed int64) → wire decimal string, range-checked. */
export function bigintToInt64(v: bigint, unsigned = false): Int64 {
  const lo = unsigned ? 0n : MIN_BIG;
  const hi = unsigned ? 0xffffffffffffffffn : MAX_BIG;
  if (v < lo || v > hi) throw new BadDataError(`${v} out of ${unsigned ? 'uint64' : 'int64'} range`);
  return v.toString();
}
