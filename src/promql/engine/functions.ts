/**
 * Function-call dispatch. Functions that reshape vectors or labels are implemented in the engine
 * (functions-*.ts); the rest come from the implementation tables of src/promql/functions: per window
 * (the argument is a range vector) or per sample.
 */
import { BadDataError, NotSupportedError } from '../../model/index.js';
import { exprType, type Call } from '../ast.js';
import type { EvalContext } from './context.js';
import type { Evaluate } from './evaluate.js';
import { evalHistogramFraction, evalHistogramQuantile, evalNativeHistogramFunction } from './functions-histogram.js';
import { evalInfo } from './functions-info.js';
import { evalLabelJoin, evalLabelReplace } from './functions-labels.js';
import { MISC_FUNCTIONS, type EngineFunction } from './functions-misc.js';
import { evalAbsentOverTime, evalRangeFunction } from './functions-range.js';
import { evalTimestamp, evalValueFunction } from './functions-vector.js';
import type { Grid, Value } from './value.js';

const ENGINE_FUNCTIONS: Record<string, EngineFunction> = {
  ...MISC_FUNCTIONS,
  absent_over_time: evalAbsentOverTime,
  timestamp: evalTimestamp,
  label_replace: evalLabelReplace,
  label_join: evalLabelJoin,
  info: evalInfo,
  histogram_quantile: evalHistogramQuantile,
  histogram_fraction: evalHistogramFraction,
  histogram_count: evalNativeHistogramFunction,
  histogram_sum: evalNativeHistogramFunction,
  histogram_avg: evalNativeHistogramFunction,
  histogram_stddev: evalNativeHistogramFunction,
  histogram_stdvar: evalNativeHistogramFunction,
};

/** Names the engine implements itself (the function-table test checks these plus the tables cover every signature). */
export const ENGINE_FUNCTION_NAMES: readonly string[] = Object.keys(ENGINE_FUNCTIONS);

export async function evalCall(ctx: EvalContext, e: Call, grid: Grid, evaluate: Evaluate): Promise<Value> {
  const name = e.func.name;
  if (e.func.experimental && !ctx.cfg.enableExperimental) {
    throw new BadDataError(`function ${JSON.stringify(name)} is not enabled`, { position: e.pos });
  }
  const own = ENGINE_FUNCTIONS[name];
  if (own !== undefined) return own(ctx, e, grid, evaluate);
  if (e.args.some((a) => exprType(a) === 'matrix')) {
    const fn = ctx.cfg.tables.window[name];
    if (fn !== undefined) return evalRangeFunction(ctx, e, grid, evaluate, fn);
  } else {
    const fn = ctx.cfg.tables.value[name];
    if (fn !== undefined) return evalValueFunction(ctx, e, grid, evaluate, fn);
  }
  throw new NotSupportedError(`function ${name}() is not supported yet`);
}
