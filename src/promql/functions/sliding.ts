/**
 * Series-at-once forms of window functions (`WindowFunction.overSeries`): in a range query the windows of
 * one series overlap step after step (`rate(x[5m])` at a 15 s step: each sample is in 20 windows;
 * `max_over_time(…[1h:1m])` at 15 s: in 240), so work done per sample once beats work done per window.
 * Each gives, window by window, bit for bit what its per-window form in rate.ts / over-time.ts gives.
 *
 *  - rate, increase: a running count of counter drops tells in O(1) whether a window holds a reset; only
 *    windows that do are rescanned (in order, so the rounding is Prometheus's). The extrapolation is shared.
 *  - max_over_time, min_over_time: the classic sliding-window extremum, a monotonic deque of sample
 *    indices, O(1) amortised per sample instead of O(window) per step.
 */
import { addResets, extrapolate } from './rate.js';
import type { SeriesWindows } from './types.js';

/** Grow-only scratch: evaluation is synchronous per series, so one buffer serves every call. */
let scratch = new Int32Array(1024);
function scratchFor(n: number): Int32Array {
  if (scratch.length < n) scratch = new Int32Array(Math.max(n, scratch.length * 2));
  return scratch;
}

function extrapolatedRateOverSeries(s: SeriesWindows, out: Float64Array, present: Uint8Array, isRate: boolean): number {
  const ts = s.timestamps;
  const v = s.values;
  const n = v.length;
  // drops[i]: how many samples up to i are below their predecessor (the comparison addResets makes, so a NaN
  // never counts). A window (first, last] holds a reset exactly when drops[last] !== drops[first].
  const drops = scratchFor(n);
  let d = 0;
  if (n > 0) drops[0] = 0;
  for (let i = 1; i < n; i++) {
    if (v[i]! < v[i - 1]!) d++;
    drops[i] = d;
  }
  let found = 0;
  for (let i = 0; i < s.count; i++) {
    const first = s.starts[i]!;
    const last = s.ends[i]! - 1;
    if (last - first < 1) continue;
    let result = v[last]! - v[first]!;
    if (drops[last] !== drops[first]) result = addResets(result, v, first, last);
    const end = s.rangeEnds[i]!;
    out[i] = extrapolate(ts, v, first, last, result, end - s.rangeMs, end, true, isRate);
    present[i] = 1;
    found++;
  }
  return found;
}

export function rateOverSeries(s: SeriesWindows, out: Float64Array, present: Uint8Array): number {
  return extrapolatedRateOverSeries(s, out, present, true);
}

export function increaseOverSeries(s: SeriesWindows, out: Float64Array, present: Uint8Array): number {
  return extrapolatedRateOverSeries(s, out, present, false);
}

/**
 * Sliding maximum (or minimum with `isMax` false) with maxOverTime's NaN rule: the first sample holding
 * the largest non-NaN value, or the window's last sample when every one is NaN.
 *
 * The deque holds indices of non-NaN samples whose values strictly decrease from front to back (for max);
 * a newcomer removes only strictly smaller ones, so among equal values the earliest stays in front, as the
 * per-window scan (which replaces its maximum only on `>`) keeps the first. Example, max over windows of 3:
 * values 4 1 3 5 → after 4,1,3 the deque is [4,3] (1 removed by 3): max 4; 4 leaves the window and 5
 * arrives, removing 3: [5], max 5.
 */
function slidingExtremum(s: SeriesWindows, out: Float64Array, present: Uint8Array, isMax: boolean): number {
  const v = s.values;
  const dq = scratchFor(v.length);
  let head = 0;
  let tail = 0; // deque is dq[head..tail)
  let next = 0; // next sample index to push
  let found = 0;
  for (let i = 0; i < s.count; i++) {
    const start = s.starts[i]!;
    const end = s.ends[i]!;
    if (next < start) next = start; // samples skipped between windows never enter the deque
    for (; next < end; next++) {
      const x = v[next]!;
      if (x !== x) continue;
      if (isMax) while (tail > head && v[dq[tail - 1]!]! < x) tail--;
      else while (tail > head && v[dq[tail - 1]!]! > x) tail--;
      dq[tail++] = next;
    }
    while (tail > head && dq[head]! < start) head++;
    if (end <= start) continue;
    out[i] = tail > head ? v[dq[head]!]! : v[end - 1]!;
    present[i] = 1;
    found++;
  }
  return found;
}

export function maxOverSeries(s: SeriesWindows, out: Float64Array, present: Uint8Array): number {
  return slidingExtremum(s, out, present, true);
}

export function minOverSeries(s: SeriesWindows, out: Float64Array, present: Uint8Array): number {
  return slidingExtremum(s, out, present, false);
}
