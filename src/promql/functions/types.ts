/**
 * Shapes of the function implementation tables the engine calls. Implementations are split by shape:
 *  - per sample (`ValueFunction`): abs, ceil, clamp, round, the date functions, …
 *  - per window (`WindowFunction`): the *_over_time family, rate/increase/delta/irate/idelta, deriv, …
 * Functions that reshape vectors or labels (label_replace, sort, absent, histogram_quantile grouping, …)
 * live in the engine, which calls helpers from this folder for their arithmetic.
 */

/**
 * The samples of one series inside one range window `(rangeStartMs, rangeEndMs]`, as index bounds into
 * parallel arrays. Staleness markers have already been removed by the engine. `end > start` is not
 * guaranteed: a window can be empty.
 */
export interface Window {
  timestamps: Float64Array;
  values: Float64Array;
  /** First index inside the window. */
  start: number;
  /** One past the last index inside the window. */
  end: number;
  /** Exclusive lower bound of the window, ms. */
  rangeStartMs: number;
  /** Inclusive upper bound of the window (the evaluation time minus offset), ms. */
  rangeEndMs: number;
}

/**
 * Evaluates a range-vector function over one window. `params` holds the function's scalar arguments for this
 * step, in argument order, without the matrix argument (e.g. `[q]` for quantile_over_time(q, m)).
 * Returns undefined when the function yields no sample for this window (e.g. rate over fewer than 2 samples).
 */
export type WindowFunction = ((w: Window, params: readonly number[]) => number | undefined) & {
  /**
   * The same function over every step's window of one series at once, for functions that can reuse work
   * between overlapping windows instead of rescanning each (see sliding.ts). Only for functions without
   * scalar parameters; it must give exactly what the per-window form gives, window by window.
   */
  readonly overSeries?: SeriesWindowFunction;
};

/**
 * The windows of one series at every step of a range evaluation. Window i holds the samples at indices
 * `[starts[i], ends[i])`, inside `(rangeEnds[i] - rangeMs, rangeEnds[i]]`; both bounds never decrease from
 * one step to the next. The arrays may be longer than `count` (reused scratch).
 */
export interface SeriesWindows {
  timestamps: Float64Array;
  values: Float64Array;
  count: number;
  starts: Int32Array;
  ends: Int32Array;
  rangeEnds: Float64Array;
  rangeMs: number;
}

/**
 * Writes the result of each step with one to `out[i]` and sets `present[i] = 1`; leaves the others (an
 * empty window, or fewer samples than the function needs) untouched. Returns how many steps got a result.
 */
export type SeriesWindowFunction = (s: SeriesWindows, out: Float64Array, present: Uint8Array) => number;

/**
 * Evaluates an instant-vector function on one sample. `params` holds the scalar arguments for this step
 * without the vector argument (e.g. `[min, max]` for clamp). For the date functions `v` is the sample value
 * read as Unix seconds.
 */
export type ValueFunction = (v: number, params: readonly number[]) => number;
