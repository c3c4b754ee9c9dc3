/**
 * Decoded samples of one (pseudo-)replica and the pull iterator replica dedup speaks.
 *
 * Samples stay in Float64Arrays from decode to output; a value is only ever read from one typed array and
 * written to another, never stored in a plain JS array (V8 canonicalises NaNs there, which would turn
 * the staleness marker into an ordinary NaN) and never computed on (see ReplicaCursor.at).
 */

/** One replica's samples: `t[0..n)` strictly increasing ms timestamps, `v[0..n)` values. */
export interface ReplicaSamples {
  readonly t: Float64Array;
  readonly v: Float64Array;
  readonly n: number;
}

/**
 * A pull iterator over samples in timestamp order (Prometheus `chunkenc.Iterator`, floats only).
 *
 * Contract: starts before the first sample. `next()` moves to the next sample and returns false once
 * exhausted (and keeps returning false). `seek(t)` moves forward to the first sample with timestamp ≥ t,
 * moving at least once if `next()` was never called, never backwards; false when there is none.
 * `atT()`/`at()` are valid only after `next()`/`seek()` returned true. Nothing here throws: samples are
 * already decoded.
 */
export interface SampleIterator {
  next(): boolean;
  seek(t: number): boolean;
  atT(): number;
  at(): number;
}

/** Empty samples, shared. */
export const NO_SAMPLES: ReplicaSamples = { t: new Float64Array(0), v: new Float64Array(0), n: 0 };

/**
 * Runs an iterator to its end into fresh arrays of at most `capacity` samples (an upper bound the caller
 * knows, e.g. the total input samples). The result views the first n slots.
 */
export function drainSamples(it: SampleIterator, capacity: number): ReplicaSamples {
  const t = new Float64Array(capacity);
  const v = new Float64Array(capacity);
  let n = 0;
  while (n < capacity && it.next()) {
    t[n] = it.atT();
    v[n] = it.at();
    n++;
  }
  return { t: t.subarray(0, n), v: v.subarray(0, n), n };
}
