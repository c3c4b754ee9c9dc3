/**
 * histogram_quantile and histogram_fraction over classic histograms: series are grouped by their labels
 * without `le`, each `le` parsed as a float (a missing or malformed one is skipped with a warning), and
 * each group's buckets at each step handed to the bucket arithmetic of src/promql/functions.
 * The native-histogram functions (histogram_count, _sum, _avg, _stddev, _stdvar) ignore float samples,
 * so on the float-only data this engine serves they return nothing, exactly as Prometheus does.
 */
import type { Labels } from '../../model/index.js';
import type { Call, Expr } from '../ast.js';
import { formatG } from './annotations.js';
import type { EvalContext } from './context.js';
import type { Evaluate } from './evaluate.js';
import { goQuote } from './labels-format.js';
import { parseGoFloat } from './go-float.js';
import { newStepSeries, valueSamples, type Grid, type StepSeries, type Value } from './value.js';

interface BucketGroup {
  labels: Labels;
  members: number[];
  upper: number[];
}

/** One group's value at step i from its present buckets (`n` of them, in any order). */
type Compute = (i: number, upper: Float64Array, counts: Float64Array, n: number, g: BucketGroup) => number;

function bucketGroups(ctx: EvalContext, vecArg: Expr, series: StepSeries[]): BucketGroup[] {
  const byKey = new Map<string, BucketGroup>();
  const groups: BucketGroup[] = [];
  series.forEach((s, si) => {
    const le = s.labels.get('le');
    const upper = parseGoFloat(le);
    if (upper === undefined) {
      ctx.annotations.warn(`bucket label "le" is missing or has a malformed value of ${goQuote(le)} for metric name ${goQuote(s.labels.metricName())}`, vecArg.pos);
      return;
    }
    const labels = s.labels.drop(['le']);
    const k = labels.key();
    let g = byKey.get(k);
    if (g === undefined) {
      g = { labels, members: [], upper: [] };
      byKey.set(k, g);
      groups.push(g);
    }
    g.members.push(si);
    g.upper.push(upper);
  });
  return groups;
}

/** Evaluates the bucket vector `vecArg` and computes one value per group and step from the present buckets. */
async function bucketFunction(
  ctx: EvalContext,
  vecArg: Expr,
  grid: Grid,
  evaluate: Evaluate,
  compute: Compute,
): Promise<Value> {
  const vec = await evaluate(ctx, vecArg, grid);
  if (vec.kind !== 'vector') throw new Error('expected an instant vector of buckets');
  const out: StepSeries[] = [];
  for (const g of bucketGroups(ctx, vecArg, vec.series)) {
    if (ctx.checkpointDue()) await ctx.checkpoint();
    const o = newStepSeries(g.labels, grid.count, true);
    const n = groupSteps(g, vec.series, grid.count, o, compute);
    if (n === 0) continue;
    ctx.samples.add(n);
    out.push(o);
  }
  ctx.samples.release(valueSamples(vec));
  return { kind: 'vector', series: out };
}

/**
 * Hands each step's present buckets of one group to `compute`; returns the steps with a value. A plain
 * function rather than a loop in the async caller, so V8 optimises it early (see selector.ts pickSamples).
 */
function groupSteps(g: BucketGroup, series: StepSeries[], steps: number, o: StepSeries, compute: Compute): number {
  const upper = new Float64Array(g.members.length);
  const counts = new Float64Array(g.members.length);
  let n = 0;
  for (let i = 0; i < steps; i++) {
    let m = 0;
    for (let j = 0; j < g.members.length; j++) {
      const s = series[g.members[j]];
      if (s.present[i] === 0) continue;
      upper[m] = g.upper[j];
      counts[m++] = s.values[i];
    }
    if (m === 0) continue;
    o.values[i] = compute(i, upper, counts, m, g);
    o.present[i] = 1;
    n++;
  }
  return n;
}

export async function evalHistogramQuantile(ctx: EvalContext, e: Call, grid: Grid, evaluate: Evaluate): Promise<Value> {
  const qv = await evaluate(ctx, e.args[0], grid);
  if (qv.kind !== 'scalar') throw new Error('histogram_quantile: expected a scalar quantile');
  const q = qv.values;
  for (const p of q) if (p !== p || p < 0 || p > 1) ctx.annotations.warn(`quantile value should be between 0 and 1, got ${formatG(p)}`, e.args[0].pos);
  return bucketFunction(ctx, e.args[1], grid, evaluate, (i, upper, counts, n, g) => {
    const r = ctx.cfg.tables.buckets.bucketQuantile(q[i], upper, counts, n);
    if (r.forcedMonotonic) {
      ctx.annotations.info(
        `input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name ${goQuote(g.labels.metricName())}`,
        e.args[1].pos,
      );
    }
    return r.value;
  });
}

export async function evalHistogramFraction(ctx: EvalContext, e: Call, grid: Grid, evaluate: Evaluate): Promise<Value> {
  const lo = await evaluate(ctx, e.args[0], grid);
  const hi = await evaluate(ctx, e.args[1], grid);
  if (lo.kind !== 'scalar' || hi.kind !== 'scalar') throw new Error('histogram_fraction: expected scalar bounds');
  return bucketFunction(ctx, e.args[2], grid, evaluate, (i, upper, counts, n) =>
    ctx.cfg.tables.buckets.bucketFraction(lo.values[i], hi.values[i], upper, counts, n),
  );
}

/** histogram_count/sum/avg/stddev/stdvar: no float sample has a histogram, so nothing comes out. */
export async function evalNativeHistogramFunction(ctx: EvalContext, e: Call, grid: Grid, evaluate: Evaluate): Promise<Value> {
  const vec = await evaluate(ctx, e.args[0], grid);
  ctx.samples.release(valueSamples(vec));
  return { kind: 'vector', series: [] };
}
