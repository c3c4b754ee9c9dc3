/**
 * The `*_over_time` aggregations over one range window, with Prometheus 3's arithmetic
 * (promql/functions.go): Kahan-compensated sums, a mean that switches to incremental form when the plain
 * sum overflows, Welford variance with compensated accumulators, and NaN handling copied comparison by
 * comparison (e.g. `max_over_time` keeps the first non-NaN maximum: `cur > max || isNaN(max)`).
 *
 * Every function returns undefined for an empty window: Prometheus never emits a sample for a series with
 * no sample in the window (the engine skips such series before calling).
 */
import type { Window } from './types.js';
import { kahanResult } from './kahan.js';

/** Two-slot scratch for the compensated pair, so the loops below allocate nothing. */
let kSum = 0;
let kC = 0;
/** kahanSumInc on the module scratch (kSum, kC); see kahan.ts for the why. */
function kAdd(inc: number): void {
  const t = kSum + inc;
  if (t === Infinity || t === -Infinity) kC = 0;
  else if (Math.abs(kSum) >= Math.abs(inc)) kC += kSum - t + inc;
  else kC += inc - t + kSum;
  kSum = t;
}

export function sumOverTime(w: Window): number | undefined {
  if (w.end <= w.start) return undefined;
  const v = w.values;
  kSum = 0;
  kC = 0;
  for (let i = w.start; i < w.end; i++) kAdd(v[i]!);
  return kahanResult(kSum, kC);
}

/**
 * Mean as Prometheus 3: a compensated sum divided by the count while the sum stays finite. Once it would
 * overflow to ±Inf (e.g. two samples of 1e308), it switches to the incremental mean
 * `mean = mean·(n−1)/n + x/n`, also compensated, so finite inputs give a finite mean.
 */
export function avgOverTime(w: Window): number | undefined {
  const n = w.end - w.start;
  if (n <= 0) return undefined;
  const v = w.values;
  let sum = v[w.start]!;
  let c = 0;
  let mean = 0;
  let incremental = false;
  let count = 1;
  for (let i = w.start + 1; i < w.end; i++) {
    count = i - w.start + 1;
    const x = v[i]!;
    if (!incremental) {
      kSum = sum;
      kC = c;
      kAdd(x);
      if (kSum !== Infinity && kSum !== -Infinity) {
        sum = kSum;
        c = kC;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    const q = (count - 1) / count;
    kSum = q * mean;
    kC = q * c;
    kAdd(x / count);
    mean = kSum;
    c = kC;
  }
  if (incremental) return mean + c;
  return sum / count + c / count;
}

export function countOverTime(w: Window): number | undefined {
  const n = w.end - w.start;
  return n > 0 ? n : undefined;
}

export function lastOverTime(w: Window): number | undefined {
  return w.end > w.start ? w.values[w.end - 1] : undefined;
}

export function firstOverTime(w: Window): number | undefined {
  return w.end > w.start ? w.values[w.start] : undefined;
}

export function presentOverTime(w: Window): number | undefined {
  return w.end > w.start ? 1 : undefined;
}

/**
 * absent_over_time is a statement about all series, not one: Prometheus returns 1 (with labels taken from
 * the selector's equality matchers) only when no series has a sample in the window. Per window this returns
 * 1 for an empty window and undefined otherwise; the engine emits its single sample when every series (or no
 * series at all) gave 1, and nothing as soon as one series gave undefined.
 */
export function absentOverTime(w: Window): number | undefined {
  return w.end > w.start ? undefined : 1;
}

export function maxOverTime(w: Window): number | undefined {
  if (w.end <= w.start) return undefined;
  const v = w.values;
  let max = v[w.start]!;
  for (let i = w.start; i < w.end; i++) {
    const x = v[i]!;
    if (x > max || Number.isNaN(max)) max = x;
  }
  return max;
}

export function minOverTime(w: Window): number | undefined {
  if (w.end <= w.start) return undefined;
  const v = w.values;
  let min = v[w.start]!;
  for (let i = w.start; i < w.end; i++) {
    const x = v[i]!;
    if (x < min || Number.isNaN(min)) min = x;
  }
  return min;
}

/**
 * Timestamp (Unix seconds) of the last sample holding the maximum; `>=` makes a later equal value win, and
 * a NaN is replaced by whatever follows it (Prometheus `compareOverTime` with returnTimestamp).
 */
export function tsOfMaxOverTime(w: Window): number | undefined {
  if (w.end <= w.start) return undefined;
  const v = w.values;
  let max = v[w.start]!;
  let ts = w.timestamps[w.start]!;
  for (let i = w.start; i < w.end; i++) {
    const x = v[i]!;
    if (x >= max || Number.isNaN(max)) {
      max = x;
      ts = w.timestamps[i]!;
    }
  }
  return ts / 1000;
}

/** Timestamp (Unix seconds) of the last sample holding the minimum; see tsOfMaxOverTime. */
export function tsOfMinOverTime(w: Window): number | undefined {
  if (w.end <= w.start) return undefined;
  const v = w.values;
  let min = v[w.start]!;
  let ts = w.timestamps[w.start]!;
  for (let i = w.start; i < w.end; i++) {
    const x = v[i]!;
    if (x <= min || Number.isNaN(min)) {
      min = x;
      ts = w.timestamps[i]!;
    }
  }
  return ts / 1000;
}

export function tsOfFirstOverTime(w: Window): number | undefined {
  return w.end > w.start ? w.timestamps[w.start]! / 1000 : undefined;
}

export function tsOfLastOverTime(w: Window): number | undefined {
  return w.end > w.start ? w.timestamps[w.end - 1]! / 1000 : undefined;
}

/**
 * Population variance by Welford's method with both the mean and the sum of squared deviations
 * compensated (Prometheus 3 `varianceOverTime`). The delta uses the compensated mean `mean + cMean`.
 */
export function stdvarOverTime(w: Window): number | undefined {
  if (w.end <= w.start) return undefined;
  const v = w.values;
  let count = 0;
  let mean = 0;
  let cMean = 0;
  let aux = 0;
  let cAux = 0;
  for (let i = w.start; i < w.end; i++) {
    const x = v[i]!;
    count++;
    const delta = x - (mean + cMean);
    kSum = mean;
    kC = cMean;
    kAdd(delta / count);
    mean = kSum;
    cMean = kC;
    kSum = aux;
    kC = cAux;
    kAdd(delta * (x - (mean + cMean)));
    aux = kSum;
    cAux = kC;
  }
  return (aux + cAux) / count;
}

export function stddevOverTime(w: Window): number | undefined {
  const variance = stdvarOverTime(w);
  return variance === undefined ? undefined : Math.sqrt(variance);
}

/** Number of times the value changed; NaN followed by NaN is not a change (Prometheus `funcChanges`). */
export function changes(w: Window): number | undefined {
  if (w.end <= w.start) return undefined;
  const v = w.values;
  let n = 0;
  let prev = v[w.start]!;
  for (let i = w.start + 1; i < w.end; i++) {
    const cur = v[i]!;
    if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) n++;
    prev = cur;
  }
  return n;
}

/** Number of decreases. Every comparison with NaN is false, so a drop across a NaN (5, NaN, 3) is not counted. */
export function resets(w: Window): number | undefined {
  if (w.end <= w.start) return undefined;
  const v = w.values;
  let n = 0;
  let prev = v[w.start]!;
  for (let i = w.start + 1; i < w.end; i++) {
    const cur = v[i]!;
    if (cur < prev) n++;
    prev = cur;
  }
  return n;
}
