/**
 * Aggregations that fold each group into one value per step: sum, avg, count, min, max, group, stddev,
 * stdvar, quantile. Accumulators are flat typed arrays indexed [group * steps + step], fed in input order
 * per step, with Prometheus's arithmetic: Kahan–Neumaier compensated sums, an incremental mean once a sum
 * would overflow, Welford's variance, and min/max that return NaN only when every input is NaN.
 */
import type { AggregateExpr } from '../ast.js';
import { formatG } from './annotations.js';
import type { EvalContext } from './context.js';
import { groupSeries } from './grouping.js';
import { newStepSeries, type StepSeries } from './value.js';

type FoldOp = 'sum' | 'avg' | 'count' | 'min' | 'max' | 'group' | 'stddev' | 'stdvar';

/** Per-(group, step) accumulators, indexed [group * steps + step]. */
interface Accumulators {
  count: Float64Array;
  value: Float64Array;
  /** Kahan compensation. */
  comp: Float64Array;
  mean: Float64Array;
  /** avg only: 1 once the group's sum would overflow and the mean is kept incrementally. */
  incremental: Uint8Array;
}

export async function foldAggregate(ctx: EvalContext, e: AggregateExpr & { op: FoldOp }, series: StepSeries[], steps: number): Promise<StepSeries[]> {
  const groups = groupSeries(e, series);
  const ng = groups.labels.length;
  const size = ng * steps;
  const acc: Accumulators = {
    count: new Float64Array(size),
    value: new Float64Array(size),
    comp: new Float64Array(size),
    mean: new Float64Array(size),
    incremental: new Uint8Array(e.op === 'avg' ? size : 0),
  };
  const op = e.op;
  // The loops over steps live in plain functions, not here: V8 optimises a function called once per series
  // early, a loop inside an async function called once per query only late (see selector.ts pickSamples).
  for (let si = 0; si < series.length; si++) {
    if (ctx.checkpointDue()) await ctx.checkpoint();
    const base = groups.of[si] * steps;
    // The commonest aggregation gets its own loop: no per-sample dispatch on the operation.
    if (op === 'sum') sumSeries(series[si], base, steps, acc.count, acc.value, acc.comp);
    else foldSeries(op, series[si], base, steps, acc);
  }
  const out: StepSeries[] = [];
  for (let g = 0; g < ng; g++) {
    const o = newStepSeries(groups.labels[g], steps, false);
    const n = finishGroup(op, g * steps, steps, acc, o);
    if (n > 0) {
      ctx.samples.add(n);
      out.push(o);
    }
  }
  return out;
}

/** Folds one series into its group's accumulators at `base`, step by step. */
function foldSeries(op: Exclude<FoldOp, 'sum'>, s: StepSeries, base: number, steps: number, acc: Accumulators): void {
  const { count, value, comp, mean, incremental } = acc;
  for (let i = 0; i < steps; i++) {
    if (s.present[i] === 0) continue;
    const v = s.values[i];
    const k = base + i;
    if (count[k] === 0) {
      count[k] = 1;
      mean[k] = v;
      comp[k] = 0;
      value[k] = op === 'stddev' || op === 'stdvar' ? (Number.isFinite(v) ? 0 : NaN) : v;
      continue;
    }
    const n = ++count[k];
    switch (op) {
      case 'avg':
        avgInto(value, comp, mean, incremental, k, v, n);
        break;
      case 'min':
        if (value[k] > v || value[k] !== value[k]) value[k] = v;
        break;
      case 'max':
        if (value[k] < v || value[k] !== value[k]) value[k] = v;
        break;
      case 'stddev':
      case 'stdvar': {
        const delta = v - mean[k];
        mean[k] += delta / n;
        value[k] += delta * (v - mean[k]);
        break;
      }
      case 'count':
      case 'group':
        break;
    }
  }
}

/** Writes one group's results (accumulators at `base`) into `o`; returns the steps with a value. */
function finishGroup(op: FoldOp, base: number, steps: number, acc: Accumulators, o: StepSeries): number {
  const { count, value, comp, mean, incremental } = acc;
  let n = 0;
  for (let i = 0; i < steps; i++) {
    const k = base + i;
    const c = count[k];
    if (c === 0) continue;
    o.present[i] = 1;
    n++;
    switch (op) {
      case 'sum':
        o.values[i] = value[k] + comp[k];
        break;
      case 'avg':
        o.values[i] = incremental[k] === 1 ? mean[k] + comp[k] : (value[k] + comp[k]) / c;
        break;
      case 'count':
        o.values[i] = c;
        break;
      case 'group':
        o.values[i] = 1;
        break;
      case 'min':
      case 'max':
        o.values[i] = value[k];
        break;
      case 'stdvar':
        o.values[i] = value[k] / c;
        break;
      case 'stddev':
        o.values[i] = Math.sqrt(value[k] / c);
        break;
    }
  }
  return n;
}

/** `sum`'s fold of one series into its group's accumulators at `base`: the same steps as the generic loop. */
function sumSeries(s: StepSeries, base: number, steps: number, count: Float64Array, value: Float64Array, comp: Float64Array): void {
  const present = s.present;
  const values = s.values;
  for (let i = 0; i < steps; i++) {
    if (present[i] === 0) continue;
    const v = values[i];
    const k = base + i;
    if (count[k] === 0) {
      count[k] = 1;
      value[k] = v;
      comp[k] = 0;
      continue;
    }
    count[k]++;
    kahanInto(value, comp, k, v);
  }
}

/** Go kahanSumInc (Neumaier's variant): adds `inc` to sum[k] with compensation in c[k]. */
function kahanInto(sum: Float64Array, c: Float64Array, k: number, inc: number): void {
  const s = sum[k];
  const t = s + inc;
  if (t === Infinity || t === -Infinity) c[k] = 0;
  else if (Math.abs(s) >= Math.abs(inc)) c[k] += s - t + inc;
  else c[k] += inc - t + s;
  sum[k] = t;
}

/**
 * Prometheus 3 avg: a compensated sum while it stays finite; once it would overflow, switch to an
 * incremental mean (compensated too), dividing before subtracting so nothing overflows.
 */
function avgInto(sum: Float64Array, c: Float64Array, mean: Float64Array, incr: Uint8Array, k: number, v: number, n: number): void {
  if (incr[k] === 0) {
    const s = sum[k];
    const t = s + v;
    if (t !== Infinity && t !== -Infinity) {
      if (Math.abs(s) >= Math.abs(v)) c[k] += s - t + v;
      else c[k] += v - t + s;
      sum[k] = t;
      return;
    }
    incr[k] = 1;
    mean[k] = s / (n - 1);
    c[k] /= n - 1;
  }
  const m = mean[k];
  if (m === Infinity || m === -Infinity) {
    if ((v === Infinity || v === -Infinity) && m > 0 === v > 0) return;
    if (v !== Infinity && v !== -Infinity && v === v) return;
  }
  const current = m + c[k];
  kahanInto(mean, c, k, v / n - current / n);
}

/** quantile(φ, v): linear interpolation between the closest ranks; φ outside [0, 1] gives ∓Inf, NaN gives NaN. */
export async function quantileAggregate(ctx: EvalContext, e: AggregateExpr, series: StepSeries[], q: Float64Array, steps: number): Promise<StepSeries[]> {
  for (let i = 0; i < steps; i++) {
    const p = q[i];
    if (p !== p || p < 0 || p > 1) ctx.annotations.warn(`quantile value should be between 0 and 1, got ${formatG(p)}`, e.param!.pos);
  }
  const groups = groupSeries(e, series);
  const out: StepSeries[] = [];
  const scratch = new Float64Array(series.length);
  for (let g = 0; g < groups.labels.length; g++) {
    if (ctx.checkpointDue()) await ctx.checkpoint();
    const members = groups.members[g];
    const o = newStepSeries(groups.labels[g], steps, false);
    let n = 0;
    for (let i = 0; i < steps; i++) {
      let m = 0;
      for (const si of members) if (series[si].present[i] === 1) scratch[m++] = series[si].values[i];
      if (m === 0) continue;
      o.values[i] = quantile(q[i], scratch.subarray(0, m));
      o.present[i] = 1;
      n++;
    }
    if (n > 0) {
      ctx.samples.add(n);
      out.push(o);
    }
  }
  return out;
}

/** Sorts `values` in place (NaN first, as Prometheus's vectorByValueHeap) and interpolates. */
export function quantile(q: number, values: Float64Array): number {
  if (values.length === 0 || q !== q) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  // Float64Array.sort puts NaN last; Prometheus sorts NaN first.
  values.sort();
  let nans = 0;
  while (nans < values.length && values[values.length - 1 - nans] !== values[values.length - 1 - nans]) nans++;
  if (nans > 0) {
    values.copyWithin(nans, 0, values.length - nans);
    values.fill(NaN, 0, nans);
  }
  const n = values.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return values[lower] * (1 - weight) + values[upper] * weight;
}
