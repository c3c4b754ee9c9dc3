/**
 * rate, increase, delta (extrapolated over the window) and irate, idelta (last two samples), with
 * Prometheus 3's arithmetic (promql/functions.go `extrapolatedRate`, `instantValue`).
 *
 * Extrapolation, worked through: `rate(c[60s])` evaluated at t=60s over samples at 5s,15s,…,55s with values
 * 1,2,…,6. The raw increase is 6−1 = 5 over the sampled 50s. The gaps to the window edges are 5s each, under
 * the threshold 1.1 × avgGap (avgGap = 10s) = 11s, so the increase is stretched to the whole window:
 * 5 × (50+5+5)/50 = 6, and rate = 6/60 = 0.1. Had the first sample been at 25s (gap 25s ≥ 11s), the series is
 * taken to start inside the window and only avgGap/2 = 5s is added on that side. For counters the start side
 * is also capped where the line through the samples reaches zero (a counter is never negative).
 */
import type { Window } from './types.js';

/**
 * The shared core of rate/increase/delta. Needs at least two samples (else undefined).
 * `isCounter` adds the pre-reset value at every drop and applies the zero-point cap; `isRate` divides by the
 * window length in seconds.
 */
export function extrapolatedRate(w: Window, isCounter: boolean, isRate: boolean): number | undefined {
  const first = w.start;
  const last = w.end - 1;
  if (last - first < 1) return undefined;
  const v = w.values;
  let result = v[last]! - v[first]!;
  if (isCounter) result = addResets(result, v, first, last);
  return extrapolate(w.timestamps, v, first, last, result, w.rangeStartMs, w.rangeEndMs, isCounter, isRate);
}

/**
 * A drop means the counter restarted from zero: what it had counted before is added back, one drop at a
 * time onto `result` in sample order, as Prometheus does (so the rounding is the same).
 */
export function addResets(result: number, v: Float64Array, first: number, last: number): number {
  let prev = v[first]!;
  for (let i = first + 1; i <= last; i++) {
    const cur = v[i]!;
    if (cur < prev) result += prev;
    prev = cur;
  }
  return result;
}

/**
 * Stretches `result`, the raw change between samples `first` and `last` (≥ 2 samples), to the window
 * `(rangeStartMs, rangeEndMs]`; the arithmetic of Prometheus's extrapolatedRate after the raw change.
 */
export function extrapolate(
  ts: Float64Array,
  v: Float64Array,
  first: number,
  last: number,
  result: number,
  rangeStartMs: number,
  rangeEndMs: number,
  isCounter: boolean,
  isRate: boolean,
): number {
  const samplesMinusOne = last - first;
  const firstT = ts[first]!;
  const lastT = ts[last]!;
  const firstV = v[first]!;
  let durationToStart = (firstT - rangeStartMs) / 1000;
  let durationToEnd = (rangeEndMs - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const averageDurationBetweenSamples = sampledInterval / samplesMinusOne;

  // A gap to an edge of more than 10% over the average spacing means the series likely starts (or ends)
  // inside the window: extrapolate only half a spacing there, our guess of where it really began.
  const extrapolationThreshold = averageDurationBetweenSamples * 1.1;
  if (durationToStart >= extrapolationThreshold) durationToStart = averageDurationBetweenSamples / 2;
  if (isCounter) {
    // Prometheus 3 applies the zero-point cap after the threshold (2.x applied it before).
    let durationToZero = durationToStart;
    if (result > 0 && firstV >= 0) durationToZero = sampledInterval * (firstV / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= extrapolationThreshold) durationToEnd = averageDurationBetweenSamples / 2;

  let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= (rangeEndMs - rangeStartMs) / 1000;
  return result * factor;
}

export function rate(w: Window): number | undefined {
  return extrapolatedRate(w, true, true);
}

export function increase(w: Window): number | undefined {
  return extrapolatedRate(w, true, false);
}

export function delta(w: Window): number | undefined {
  return extrapolatedRate(w, false, false);
}

/**
 * irate/idelta: the difference of the last two samples. irate treats a drop as a counter reset (the new
 * value is the increase since the restart) and divides by the gap in seconds, giving nothing for a zero gap.
 * idelta never divides, so Prometheus does not check the gap there, and neither do we.
 */
export function instantValue(w: Window, isRate: boolean): number | undefined {
  if (w.end - w.start < 2) return undefined;
  const lastV = w.values[w.end - 1]!;
  const prevV = w.values[w.end - 2]!;
  let result = isRate && lastV < prevV ? lastV : lastV - prevV;
  if (isRate) {
    const gapMs = w.timestamps[w.end - 1]! - w.timestamps[w.end - 2]!;
    if (gapMs === 0) return undefined;
    result /= gapMs / 1000;
  }
  return result;
}

export function irate(w: Window): number | undefined {
  return instantValue(w, true);
}

export function idelta(w: Window): number | undefined {
  return instantValue(w, false);
}
