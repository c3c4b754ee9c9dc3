/**
 * Aggregation dispatch: evaluates the parameter (first, as Prometheus does) and the input vector, then
 * hands them to the folding aggregations, the selecting ones, or count_values.
 */
import { BadDataError, ExecutionError } from '../../model/index.js';
import type { AggregateExpr } from '../ast.js';
import { EXPERIMENTAL_AGGREGATIONS } from '../functions/signatures.js';
import { foldAggregate, quantileAggregate } from './aggregate.js';
import { selectAggregate } from './aggregate-select.js';
import { formatFloatF } from './annotations.js';
import type { EvalContext } from './context.js';
import type { Evaluate } from './evaluate.js';
import { groupLabelsFn } from './grouping.js';
import { goQuote } from './labels-format.js';
import { isValidLabelName } from './label-names.js';
import { SeriesCollector, valueSamples, type Grid, type StepSeries, type Value } from './value.js';

export async function evalAggregate(ctx: EvalContext, e: AggregateExpr, grid: Grid, evaluate: Evaluate): Promise<Value> {
  if (EXPERIMENTAL_AGGREGATIONS.has(e.op) && !ctx.cfg.enableExperimental) {
    throw new BadDataError(`${e.op}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`, { position: e.pos });
  }
  const param = e.param === null ? null : await evaluate(ctx, e.param, grid);
  const input = await evaluate(ctx, e.expr, grid);
  if (input.kind !== 'vector') throw new Error(`aggregation over ${input.kind}: the parser should have rejected it`);
  const steps = grid.count;
  let series: StepSeries[];
  switch (e.op) {
    case 'sum':
    case 'avg':
    case 'count':
    case 'min':
    case 'max':
    case 'group':
    case 'stddev':
    case 'stdvar':
      series = await foldAggregate(ctx, e as AggregateExpr & { op: typeof e.op }, input.series, steps);
      break;
    case 'quantile':
      series = await quantileAggregate(ctx, e, input.series, scalarParam(param), steps);
      break;
    case 'topk':
    case 'bottomk':
    case 'limitk':
    case 'limit_ratio':
      series = await selectAggregate(ctx, e, input.series, scalarParam(param), steps);
      break;
    case 'count_values':
      if (param?.kind !== 'string') throw new Error('count_values needs a string parameter');
      series = await countValues(ctx, e, input.series, param.value, steps);
      break;
  }
  ctx.samples.release(valueSamples(input));
  return { kind: 'vector', series };
}

function scalarParam(v: Value | null): Float64Array {
  if (v?.kind !== 'scalar') throw new Error('aggregation parameter must be a scalar');
  return v.values;
}

/** count_values("label", v): per group, how many series have each value (printed like Go's FormatFloat 'f', -1). */
async function countValues(ctx: EvalContext, e: AggregateExpr, series: StepSeries[], label: string, steps: number): Promise<StepSeries[]> {
  if (!isValidLabelName(label)) throw new ExecutionError(`invalid label name ${goQuote(label)}`);
  const labelsOf = groupLabelsFn(e, [label]);
  const out = new SeriesCollector(steps);
  for (const s of series) {
    await ctx.checkpoint();
    const byValue = new Map<string, StepSeries>();
    for (let i = 0; i < steps; i++) {
      if (s.present[i] === 0) continue;
      const str = formatFloatF(s.values[i]);
      let o = byValue.get(str);
      if (o === undefined) {
        const withValue = s.labels.builder().set(label, str).labels();
        o = out.get(labelsOf({ ...s, labels: withValue }), false);
        byValue.set(str, o);
      }
      if (o.present[i] === 0) {
        o.present[i] = 1;
        o.values[i] = 0;
        ctx.samples.add(1);
      }
      o.values[i]++;
    }
  }
  return out.list;
}
