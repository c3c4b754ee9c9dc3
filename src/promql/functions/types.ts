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
export type WindowFunction = (w: Window, params: readonly number[]) => number | undefined;

/**
 * Evaluates an instant-vector function on one sample. `params` holds the scalar arguments for this step
 * without the vector argument (e.g. `[min, max]` for clamp). For the date functions `v` is the sample value
 * read as Unix seconds.
 */
export type ValueFunction = (v: number, params: readonly number[]) => number;
