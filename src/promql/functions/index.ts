/**
 * functions: the implementations of PromQL's functions, in tables keyed by name and split by shape, as
 * Prometheus's `FunctionCalls` (promql/functions.go) with its arithmetic copied exactly (Kahan sums, rate
 * extrapolation, NaN comparisons, Go's math and time conversions).
 *
 *  - VALUE_FUNCTIONS: one sample in, one value out (abs, clamp, round, the date functions, …).
 *  - WINDOW_FUNCTIONS: one series' samples in a range window in, one value or nothing out (rate, *_over_time, …).
 *    rate, increase, min/max_over_time also carry `overSeries`: every step's window of a series at once,
 *    reusing work between overlapping windows (sliding.ts), which the engine prefers for range queries.
 *  - Helpers for functions the engine implements itself because they regroup series or touch labels
 *    (ENGINE_FUNCTIONS lists them): classic-histogram `bucketQuantile`/`bucketFraction`, `quantileOf`,
 *    and `kahanSumInc` for the sum/avg aggregations.
 *
 * It does not select data, match series or build labels, and knows nothing of native histograms: the
 * engine removes staleness markers, cuts windows `(t−range, t]`, drops `__name__` and raises annotations.
 *
 *   import { WINDOW_FUNCTIONS, VALUE_FUNCTIONS } from '../functions/index.js';
 *   const w = { timestamps, values, start: 0, end: 6, rangeStartMs: 0, rangeEndMs: 60_000 };
 *   WINDOW_FUNCTIONS.rate!(w, []);                 // per-second increase, or undefined under 2 samples
 *   WINDOW_FUNCTIONS.quantile_over_time!(w, [0.9]);
 *   VALUE_FUNCTIONS.clamp!(v, [min, max]);         // the engine drops the series when max < min
 */
import type { SeriesWindowFunction, ValueFunction, Window, WindowFunction } from './types.js';
import { MATH_FUNCTIONS } from './math.js';
import { DATE_FUNCTIONS } from './date.js';
import * as ot from './over-time.js';
import { delta, idelta, increase, irate, rate } from './rate.js';
import { deriv, predictLinear } from './regression.js';
import { madOverTime, quantileOverTime } from './quantile.js';
import { doubleExponentialSmoothing } from './smoothing.js';
import { increaseOverSeries, maxOverSeries, minOverSeries, rateOverSeries } from './sliding.js';

export type { ValueFunction, WindowFunction, Window, SeriesWindows, SeriesWindowFunction } from './types.js';

/** Per-sample functions; `params` are the scalar arguments after the vector. */
export const VALUE_FUNCTIONS: Readonly<Record<string, ValueFunction>> = { ...MATH_FUNCTIONS, ...DATE_FUNCTIONS };

/**
 * Per-window functions; `params` are the scalar arguments in call order without the matrix.
 *
 * predict_linear takes `[seconds, evalTimeMs?]`: Prometheus anchors its line at the evaluation time, which is
 * the window's end only without offset and @. The engine should pass the step's evaluation time as the
 * second element; without it the window end is used. absent_over_time gives 1 for an empty window and
 * undefined otherwise; the engine combines that across series (see over-time.ts).
 */
export const WINDOW_FUNCTIONS: Readonly<Record<string, WindowFunction>> = {
  avg_over_time: ot.avgOverTime,
  min_over_time: withOverSeries(ot.minOverTime, minOverSeries),
  max_over_time: withOverSeries(ot.maxOverTime, maxOverSeries),
  sum_over_time: ot.sumOverTime,
  count_over_time: ot.countOverTime,
  last_over_time: ot.lastOverTime,
  first_over_time: ot.firstOverTime,
  present_over_time: ot.presentOverTime,
  absent_over_time: ot.absentOverTime,
  stddev_over_time: ot.stddevOverTime,
  stdvar_over_time: ot.stdvarOverTime,
  quantile_over_time: (w, p) => quantileOverTime(w, p[0]!),
  mad_over_time: madOverTime,
  ts_of_first_over_time: ot.tsOfFirstOverTime,
  ts_of_last_over_time: ot.tsOfLastOverTime,
  ts_of_max_over_time: ot.tsOfMaxOverTime,
  ts_of_min_over_time: ot.tsOfMinOverTime,
  changes: ot.changes,
  resets: ot.resets,
  delta,
  increase: withOverSeries(increase, increaseOverSeries),
  rate: withOverSeries(rate, rateOverSeries),
  idelta,
  irate,
  deriv,
  predict_linear: (w, p) => predictLinear(w, p[0]!, p.length > 1 ? p[1]! : w.rangeEndMs),
  double_exponential_smoothing: (w, p) => doubleExponentialSmoothing(w, p[0]!, p[1]!),
};

/** A per-window function that also has a series-at-once form for range queries (see sliding.ts). */
function withOverSeries(perWindow: (w: Window) => number | undefined, overSeries: SeriesWindowFunction): WindowFunction {
  return Object.assign((w: Window) => perWindow(w), { overSeries });
}

/**
 * Functions the engine implements itself (they regroup series, read labels or timestamps, or return
 * scalars). Every name in signatures.ts `FUNCTIONS` is in exactly one of VALUE_FUNCTIONS, WINDOW_FUNCTIONS
 * and this list; a test checks it.
 */
export const ENGINE_FUNCTIONS: readonly string[] = [
  'absent', 'label_replace', 'label_join', 'sort', 'sort_desc', 'sort_by_label', 'sort_by_label_desc',
  'scalar', 'vector', 'time', 'timestamp', 'histogram_quantile', 'histogram_fraction', 'histogram_avg',
  'histogram_count', 'histogram_sum', 'histogram_stddev', 'histogram_stdvar', 'pi', 'info', 'start', 'end',
  'range', 'step', 'min_of', 'max_of',
];

export { kahanSumInc, kahanResult, KahanSum } from './kahan.js';
export { quantileOf } from './quantile.js';
export { extrapolatedRate, instantValue } from './rate.js';
export { goMax, goMin } from './math.js';
export { bucketQuantile, bucketFraction, almostEqual, type BucketQuantileResult } from './histogram.js';
