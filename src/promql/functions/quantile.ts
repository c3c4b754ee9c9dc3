/**
 * quantile_over_time and mad_over_time: Prometheus 3's `quantile(q, values)` helper over a window.
 *
 * Rank is q·(n−1) with linear interpolation between the two neighbouring sorted values. q < 0 gives −Inf,
 * q > 1 gives +Inf, q NaN gives NaN (Prometheus also warns; the engine adds that annotation). Prometheus sorts
 * with `isNaN(a) || a < b`, which puts NaNs first; typed-array sort puts them last, so NaNs are counted and
 * left out of the sort, and a sorted index below the NaN count reads as NaN.
 */
import type { Window } from './types.js';

/** Grown on demand and reused, so a window allocates nothing once the largest size has been seen. */
let scratch = new Float64Array(64);

function ensureScratch(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  return scratch;
}

/**
 * Quantile of `buf[0..n)` where `buf` holds the non-NaN values and `nanCount` NaNs precede them in sort
 * order. Sorts `buf[0..n-nanCount)` in place.
 */
function quantileOfSorted(q: number, buf: Float64Array, n: number, nanCount: number): number {
  if (n === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  buf.subarray(0, n - nanCount).sort();
  const rank = q * (n - 1);
  const lowerIndex = Math.max(0, Math.floor(rank));
  const upperIndex = Math.min(n - 1, lowerIndex + 1);
  const weight = rank - Math.floor(rank);
  const lo = lowerIndex < nanCount ? NaN : buf[lowerIndex - nanCount]!;
  const hi = upperIndex < nanCount ? NaN : buf[upperIndex - nanCount]!;
  return lo * (1 - weight) + hi * weight;
}

/**
 * Quantile of arbitrary values (copied, not modified): the helper the engine's `quantile` aggregation can
 * share. Same rules as quantile_over_time.
 */
export function quantileOf(q: number, values: ArrayLike<number>, from = 0, to = values.length): number {
  const n = to - from;
  const buf = ensureScratch(n);
  let k = 0;
  for (let i = from; i < to; i++) {
    const x = values[i]!;
    if (!Number.isNaN(x)) buf[k++] = x;
  }
  return quantileOfSorted(q, buf, n, n - k);
}

export function quantileOverTime(w: Window, q: number): number | undefined {
  if (w.end <= w.start) return undefined;
  return quantileOf(q, w.values, w.start, w.end);
}

/**
 * Median absolute deviation: the median of |x − median(x)|. A NaN sample makes the first median NaN when it
 * lands on the middle rank, and then every deviation NaN, exactly as in Prometheus.
 */
export function madOverTime(w: Window): number | undefined {
  const n = w.end - w.start;
  if (n <= 0) return undefined;
  const median = quantileOf(0.5, w.values, w.start, w.end);
  const buf = ensureScratch(n);
  const v = w.values;
  let k = 0;
  for (let i = w.start; i < w.end; i++) {
    const d = Math.abs(v[i]! - median);
    if (!Number.isNaN(d)) buf[k++] = d;
  }
  return quantileOfSorted(0.5, buf, n, n - k);
}
