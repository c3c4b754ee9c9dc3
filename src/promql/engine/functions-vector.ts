/**
 * Per-sample functions over an instant vector (abs, round, clamp, the date functions, …) from the
 * VALUE_FUNCTIONS table, plus timestamp(). They all change the value, so results are marked for
 * `__name__` removal.
 */
import { Labels } from '../../model/index.js';
import type { Call, Expr } from '../ast.js';
import type { ValueFunction } from '../functions/types.js';
import type { EvalContext } from './context.js';
import type { Evaluate } from './evaluate.js';
import { gridTime, newStepSeries, valueSamples, type Grid, type StepSeries, type Value } from './value.js';
import { allocF64 } from './slab.js';

const DATE_FUNCTIONS = new Set(['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year']);

export async function evalValueFunction(ctx: EvalContext, e: Call, grid: Grid, evaluate: Evaluate, fn: ValueFunction): Promise<Value> {
  const steps = grid.count;
  if (e.args.length === 0 && DATE_FUNCTIONS.has(e.func.name)) {
    // No argument: the evaluation time, in whole seconds (Go: enh.Ts / 1000).
    const o = newStepSeries(Labels.EMPTY, steps, false);
    for (let i = 0; i < steps; i++) {
      o.values[i] = fn(Math.trunc(gridTime(grid, i) / 1000), []);
      o.present[i] = 1;
    }
    ctx.samples.add(steps);
    return { kind: 'vector', series: steps > 0 ? [o] : [] };
  }
  const vec = await evaluate(ctx, e.args[0], grid);
  if (vec.kind !== 'vector') throw new Error(`${e.func.name}: expected an instant vector`);
  const params: Float64Array[] = [];
  for (const a of e.args.slice(1)) {
    const v = await evaluate(ctx, a, grid);
    if (v.kind !== 'scalar') throw new Error(`${e.func.name}: expected a scalar argument`);
    params.push(v.values);
  }
  // round(v) rounds to the nearest integer.
  if (e.func.name === 'round' && params.length === 0) params.push(new Float64Array(steps).fill(1));
  // clamp(v, min, max) with min > max returns nothing at that step.
  const skip = e.func.name === 'clamp' ? params[1].map((max, i) => (max < params[0][i] ? 1 : 0)) : null;
  const p: number[] = new Array<number>(params.length).fill(0);
  const out: StepSeries[] = [];
  for (const s of vec.series) {
    if (ctx.checkpointDue()) await ctx.checkpoint();
    const o = newStepSeries(s.labels, steps, true);
    const n = applyPerSample(fn, s, steps, params, p, skip, o);
    if (n === 0) continue;
    ctx.samples.add(n);
    out.push(o);
  }
  ctx.samples.release(valueSamples(vec));
  return { kind: 'vector', series: out };
}

/**
 * `fn` on each present sample of `s` into `o` (steps with `skip[i] === 1` left out); returns the samples
 * written. A plain function, not a loop in the async caller, so V8 optimises it early (selector.ts pickSamples).
 */
function applyPerSample(fn: ValueFunction, s: StepSeries, steps: number, params: Float64Array[], p: number[], skip: Float64Array | null, o: StepSeries): number {
  let n = 0;
  for (let i = 0; i < steps; i++) {
    if (s.present[i] === 0 || (skip !== null && skip[i] === 1)) continue;
    for (let j = 0; j < params.length; j++) p[j] = params[j][i];
    o.values[i] = fn(s.values[i], p);
    o.present[i] = 1;
    n++;
  }
  return n;
}

function unwrapParens(e: Expr): Expr {
  while (e.type === 'ParenExpr') e = e.expr;
  return e;
}

/**
 * timestamp(v): for a plain selector, the time of the sample it picked (not the evaluation time);
 * for anything computed, the evaluation time.
 */
export async function evalTimestamp(ctx: EvalContext, e: Call, grid: Grid, evaluate: Evaluate): Promise<Value> {
  const fromSelector = unwrapParens(e.args[0]).type === 'VectorSelector';
  const vec = await evaluate(ctx, e.args[0], grid);
  if (vec.kind !== 'vector') throw new Error('timestamp: expected an instant vector');
  const series = vec.series.map((s) => {
    const values = allocF64(grid.count);
    for (let i = 0; i < grid.count; i++) {
      if (s.present[i] === 0) continue;
      values[i] = (fromSelector && s.sampleTimes !== undefined ? s.sampleTimes[i] : gridTime(grid, i)) / 1000;
    }
    return { labels: s.labels, values, present: s.present, dropName: true };
  });
  return { kind: 'vector', series };
}
