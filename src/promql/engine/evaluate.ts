/**
 * The evaluation entry point: one recursive walk over the AST, each node evaluated over all steps of a
 * grid at once (an instant query is a one-step grid). Step-invariant nodes (see plan.ts) are evaluated
 * at the first step only and repeated.
 */
import { assertNever } from '../../model/index.js';
import type { Expr } from '../ast.js';
import { evalAggregate } from './aggregation.js';
import { evalBinary } from './binary.js';
import type { EvalContext } from './context.js';
import { evalCall } from './functions.js';
import { evalMatrixSelector, evalVectorSelector } from './selector.js';
import { evalSubquery } from './subquery.js';
import { broadcast, valueSamples, type Grid, type Value } from './value.js';
import { allocF64 } from './slab.js';

export type Evaluate = (ctx: EvalContext, e: Expr, grid: Grid) => Promise<Value>;

export async function evaluate(ctx: EvalContext, e: Expr, grid: Grid): Promise<Value> {
  await ctx.checkpoint();
  if (grid.count > 1 && ctx.cfg.stepInvariant.has(e)) {
    const once = await evaluateNode(ctx, e, { startMs: grid.startMs, stepMs: grid.stepMs, count: 1 });
    const all = broadcast(once, grid.count);
    ctx.samples.release(valueSamples(once));
    ctx.samples.add(valueSamples(all));
    return all;
  }
  return evaluateNode(ctx, e, grid);
}

async function evaluateNode(ctx: EvalContext, e: Expr, grid: Grid): Promise<Value> {
  switch (e.type) {
    case 'NumberLiteral':
      return { kind: 'scalar', values: new Float64Array(grid.count).fill(e.value) };
    case 'StringLiteral':
      return { kind: 'string', value: e.value };
    case 'ParenExpr':
      return evaluate(ctx, e.expr, grid);
    case 'UnaryExpr':
      return evalUnary(e.op, await evaluate(ctx, e.expr, grid));
    case 'VectorSelector':
      return evalVectorSelector(ctx, e, grid);
    case 'MatrixSelector':
      return evalMatrixSelector(ctx, e, grid);
    case 'SubqueryExpr':
      return evalSubquery(ctx, e, grid, evaluate);
    case 'BinaryExpr':
      return evalBinary(ctx, e, grid, evaluate);
    case 'AggregateExpr':
      return evalAggregate(ctx, e, grid, evaluate);
    case 'Call':
      return evalCall(ctx, e, grid, evaluate);
    default:
      return assertNever(e, 'expression');
  }
}

/** Unary minus negates and marks the name for removal; unary plus changes nothing. */
function evalUnary(op: '+' | '-', v: Value): Value {
  if (op === '+') return v;
  if (v.kind === 'scalar') return { kind: 'scalar', values: v.values.map((x) => -x) };
  if (v.kind !== 'vector') throw new Error(`unary minus on ${v.kind}: the parser should have rejected it`);
  const series = v.series.map((s) => {
    const values = allocF64(s.values.length);
    for (let i = 0; i < values.length; i++) values[i] = -s.values[i];
    return { labels: s.labels, values, present: s.present, dropName: true };
  });
  return { kind: 'vector', series };
}
