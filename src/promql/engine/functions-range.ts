/**
 * Functions over range vectors (rate, *_over_time, deriv, …): each series' window slides over its
 * samples with two indices, since window ends never decrease from one step to the next. Empty windows
 * produce nothing (the function is not called), as in Prometheus. In a range query a function with a
 * series-at-once form (`overSeries`: rate, increase, min/max_over_time) gets all of a series' windows in one
 * call, so it can reuse work between overlapping windows; the others are called window by window.
 */
import { Labels, MatchType } from '../../model/index.js';
import { exprType, type Call, type Expr } from '../ast.js';
import type { SeriesWindows, Window, WindowFunction } from '../functions/types.js';
import { formatG } from './annotations.js';
import type { EvalContext } from './context.js';
import type { Evaluate } from './evaluate.js';
import { goQuote } from './labels-format.js';
import { gridTime, newStepSeries, type Grid, type MatrixValue, type StepSeries, type Value } from './value.js';

/** Range functions whose result is still the metric's value, so the name stays. */
const KEEPS_NAME = new Set(['last_over_time', 'first_over_time']);
/** Counter functions that hint when the metric does not look like a counter. */
const COUNTER_FUNCS = new Set(['rate', 'increase']);
const COUNTER_SUFFIXES = ['_total', '_sum', '_count', '_bucket'];
const EMPTY = new Float64Array(0);

async function evalArgs(ctx: EvalContext, e: Call, grid: Grid, evaluate: Evaluate): Promise<{ matrix: MatrixValue; params: Float64Array[] }> {
  let matrix: MatrixValue | undefined;
  const params: Float64Array[] = [];
  for (const a of e.args) {
    const v = await evaluate(ctx, a, grid);
    if (v.kind === 'matrix') matrix = v;
    else if (v.kind === 'scalar') params.push(v.values);
    else throw new Error(`${e.func.name}: unexpected ${v.kind} argument`);
  }
  if (matrix === undefined) throw new Error(`${e.func.name}: no range vector argument`);
  return { matrix, params };
}

export async function evalRangeFunction(ctx: EvalContext, e: Call, grid: Grid, evaluate: Evaluate, fn: WindowFunction): Promise<Value> {
  const { matrix, params } = await evalArgs(ctx, e, grid, evaluate);
  const steps = grid.count;
  const keepName = KEEPS_NAME.has(e.func.name);
  // predict_linear anchors its line at the evaluation time, which differs from the window end under offset/@.
  const withEvalTime = e.func.name === 'predict_linear';
  // A series-at-once form reuses work between overlapping windows; it only pays with several steps.
  const overSeries = steps > 1 && params.length === 0 && !withEvalTime ? fn.overSeries : undefined;
  const windows: SeriesWindows = {
    timestamps: EMPTY,
    values: EMPTY,
    count: steps,
    starts: new Int32Array(steps),
    ends: new Int32Array(steps),
    rangeEnds: matrix.ends,
    rangeMs: matrix.rangeMs,
  };
  const { starts, ends } = windows;
  const out: StepSeries[] = [];
  const hints = COUNTER_FUNCS.has(e.func.name);
  // Series of one metric share their name: check each name once, not once per series (10k series → 1 check).
  let hintedName: string | null = null;
  for (const s of matrix.series) {
    if (ctx.checkpointDue()) await ctx.checkpoint();
    const ts = s.timestamps;
    const inWindows = windowBounds(ts, matrix.ends, matrix.rangeMs, steps, starts, ends);
    const widest = widestWindow;
    ctx.totalSamples += inWindows;
    // The window in use is what Prometheus holds per series; check it against the budget, then let it go.
    ctx.samples.add(widest);
    ctx.samples.release(widest);
    if (inWindows === 0) continue;
    const o = newStepSeries(s.labels, steps, s.dropName || !keepName);
    windows.timestamps = ts;
    windows.values = s.values;
    const found =
      overSeries !== undefined
        ? overSeries(windows, o.values, o.present)
        : perWindow(fn, windows, params, withEvalTime ? grid : null, o.values, o.present);
    if (found === 0) continue;
    ctx.samples.add(found);
    out.push(o);
    if (hints) {
      const name = s.labels.metricName();
      if (name !== hintedName) {
        hintedName = name;
        counterHint(ctx, e, name);
      }
    }
  }
  if (e.func.name === 'quantile_over_time') quantileWarnings(ctx, e, matrix, params[0]);
  ctx.samples.release(matrix.counted);
  return { kind: 'vector', series: out };
}

/**
 * Calls `fn` on each non-empty window. `params[j][i]` is scalar argument j at step i; `evalTimes`, when
 * given, appends each step's evaluation time (predict_linear).
 */
function perWindow(fn: WindowFunction, s: SeriesWindows, params: Float64Array[], evalTimes: Grid | null, out: Float64Array, present: Uint8Array): number {
  const p: number[] = new Array<number>(params.length + (evalTimes !== null ? 1 : 0)).fill(0);
  const w: Window = { timestamps: s.timestamps, values: s.values, start: 0, end: 0, rangeStartMs: 0, rangeEndMs: 0 };
  let found = 0;
  for (let i = 0; i < s.count; i++) {
    if (s.starts[i] === s.ends[i]) continue;
    w.start = s.starts[i];
    w.end = s.ends[i];
    w.rangeEndMs = s.rangeEnds[i];
    w.rangeStartMs = w.rangeEndMs - s.rangeMs;
    for (let j = 0; j < params.length; j++) p[j] = params[j][i];
    if (evalTimes !== null) p[params.length] = gridTime(evalTimes, i);
    const r = fn(w, p);
    if (r === undefined) continue;
    out[i] = r;
    present[i] = 1;
    found++;
  }
  return found;
}

/** The widest window of the last windowBounds call (a second return value without allocating a pair). */
let widestWindow = 0;

/**
 * Index bounds `[starts[i], ends[i])` of each step's window `(rangeEnds[i] - rangeMs, rangeEnds[i]]`, slid
 * forward with two indices; returns the samples in all windows together. A plain function rather than a
 * loop in the async caller, so V8 optimises it after a few series instead of running it unoptimised.
 */
function windowBounds(ts: Float64Array, rangeEnds: Float64Array, rangeMs: number, steps: number, starts: Int32Array, ends: Int32Array): number {
  const n = ts.length;
  let lo = 0;
  let hi = 0;
  let widest = 0;
  let total = 0;
  for (let i = 0; i < steps; i++) {
    const end = rangeEnds[i];
    const start = end - rangeMs;
    while (hi < n && ts[hi] <= end) hi++;
    while (lo < hi && ts[lo] <= start) lo++;
    starts[i] = lo;
    ends[i] = hi;
    if (hi - lo > widest) widest = hi - lo;
    total += hi - lo;
  }
  widestWindow = widest;
  return total;
}

/** Prometheus warns about φ outside [0, 1] at steps where the function ran (some window was non-empty). */
function quantileWarnings(ctx: EvalContext, e: Call, matrix: MatrixValue, q: Float64Array): void {
  for (let i = 0; i < q.length; i++) {
    const p = q[i];
    if (!(p !== p || p < 0 || p > 1)) continue;
    const end = matrix.ends[i];
    const ran = matrix.series.some((s) => s.timestamps.some((t) => t > end - matrix.rangeMs && t <= end));
    if (ran) ctx.annotations.warn(`quantile value should be between 0 and 1, got ${formatG(p)}`, e.args[0].pos);
  }
}

/** Emitted per result series (identical texts collapse), like Prometheus's engine after rate/increase. */
function counterHint(ctx: EvalContext, e: Call, name: string): void {
  if (name === '' || COUNTER_SUFFIXES.some((x) => name.endsWith(x))) return;
  ctx.annotations.info(`metric might not be a counter, name does not end in _total/_sum/_count/_bucket: ${goQuote(name)}`, e.args[0].pos);
}

/** absent_over_time(m): 1 at steps where no series has a sample in its window; labels as absent(). */
export async function evalAbsentOverTime(ctx: EvalContext, e: Call, grid: Grid, evaluate: Evaluate): Promise<Value> {
  const { matrix } = await evalArgs(ctx, e, grid, evaluate);
  const steps = grid.count;
  const seen = new Uint8Array(steps);
  for (const s of matrix.series) {
    if (ctx.checkpointDue()) await ctx.checkpoint();
    const ts = s.timestamps;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < steps; i++) {
      const end = matrix.ends[i];
      while (hi < ts.length && ts[hi] <= end) hi++;
      while (lo < hi && ts[lo] <= end - matrix.rangeMs) lo++;
      if (hi > lo) seen[i] = 1;
    }
  }
  ctx.samples.release(matrix.counted);
  return absentResult(ctx, e.args[0], seen);
}

/** The one-series result of absent/absent_over_time: value 1 where `seen` is 0. */
export function absentResult(ctx: EvalContext, arg: Expr, seen: Uint8Array): Value {
  const o = newStepSeries(absentLabels(arg), seen.length, false);
  let n = 0;
  for (let i = 0; i < seen.length; i++) {
    if (seen[i] === 1) continue;
    o.values[i] = 1;
    o.present[i] = 1;
    n++;
  }
  ctx.samples.add(n);
  return { kind: 'vector', series: n > 0 ? [o] : [] };
}

/**
 * Labels for absent(): the equality matchers of a selector argument, except the name; a label matched
 * more than once, or by a non-equality matcher, is left out (Prometheus createLabelsForAbsentFunction).
 */
function absentLabels(arg: Expr): Labels {
  const vs = arg.type === 'VectorSelector' ? arg : arg.type === 'MatrixSelector' ? arg.vectorSelector : null;
  if (vs === null || exprType(arg) === 'scalar') return Labels.EMPTY;
  const b = Labels.EMPTY.builder();
  const has = new Set<string>();
  for (const m of vs.matchers) {
    if (m.name === '__name__') continue;
    if (m.type === MatchType.EQ && !has.has(m.name)) {
      b.set(m.name, m.value);
      has.add(m.name);
    } else {
      b.del(m.name);
    }
  }
  return b.labels();
}
