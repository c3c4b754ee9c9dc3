/**
 * Subqueries `expr[range:step]`: the inner expression is evaluated once, over a grid of its own covering
 * every outer step, and its points become a range vector.
 *
 * The inner grid is aligned to absolute multiples of the subquery step (so results do not shift with the
 * query's start), and starts at the first aligned time strictly after `first window end - range`, since
 * windows are left-open. Example: outer t = 10:07:30, `[5m:1m]` → window (10:02:30, 10:07:30] → inner
 * points at 10:03 … 10:07.
 */
import type { SubqueryExpr } from '../ast.js';
import type { EvalContext } from './context.js';
import type { Evaluate } from './evaluate.js';
import { referenceTimes } from './selector.js';
import { valueSamples, type Grid, type MatrixValue, type RangeSeriesData } from './value.js';
import { Labels, TooManySamplesError } from '../../model/index.js';
import { allocF64 } from './slab.js';

export async function evalSubquery(ctx: EvalContext, sq: SubqueryExpr, grid: Grid, evaluate: Evaluate): Promise<MatrixValue> {
  const interval = sq.stepMs > 0 ? sq.stepMs : ctx.cfg.subqueryStepMs;
  const ends = referenceTimes(ctx, grid, sq.offsetMs, sq.at);
  if (grid.count === 0) return { kind: 'matrix', series: [], rangeMs: sq.rangeMs, ends, counted: 0 };
  const firstStart = ends[0] - sq.rangeMs;
  // Go integer division truncates toward zero, then steps forward past the (excluded) window start.
  let start = interval * Math.trunc(firstStart / interval);
  if (start <= firstStart) start += interval;
  const last = ends[grid.count - 1];
  const count = last >= start ? Math.floor((last - start) / interval) + 1 : 0;
  // Every inner step holds at least one sample per series: more steps than the budget can never finish.
  if (count > ctx.cfg.maxSamples) throw new TooManySamplesError();
  const inner: Grid = { startMs: start, stepMs: interval, count };
  const v = await evaluate(ctx, sq.expr, inner);

  const series: RangeSeriesData[] = [];
  if (v.kind === 'scalar') {
    const timestamps = new Float64Array(count);
    for (let i = 0; i < count; i++) timestamps[i] = start + i * interval;
    if (count > 0) series.push({ labels: Labels.EMPTY, timestamps, values: v.values, dropName: false });
  } else if (v.kind === 'vector') {
    // A series present at every inner step keeps its step array as its samples, and all such series share
    // one timestamps array: nothing downstream writes to a range vector.
    let allTimes: Float64Array | null = null;
    for (const s of v.series) {
      let n = 0;
      for (let i = 0; i < count; i++) n += s.present[i];
      if (n === 0) continue;
      if (n === count && s.values.length === count) {
        if (allTimes === null) {
          allTimes = allocF64(count);
          for (let i = 0; i < count; i++) allTimes[i] = start + i * interval;
        }
        series.push({ labels: s.labels, timestamps: allTimes, values: s.values, dropName: s.dropName });
        continue;
      }
      const timestamps = allocF64(n);
      const values = allocF64(n);
      for (let i = 0, k = 0; i < count; i++) {
        if (s.present[i] === 0) continue;
        timestamps[k] = start + i * interval;
        values[k++] = s.values[i];
      }
      series.push({ labels: s.labels, timestamps, values, dropName: s.dropName });
    }
  } else {
    throw new Error(`subquery over ${v.kind}: the parser should have rejected it`);
  }
  // The points stay charged while the function over them runs (released by the consumer).
  return { kind: 'matrix', series, rangeMs: sq.rangeMs, ends, counted: valueSamples(v) };
}
