/**
 * Functions that reshape rather than compute per sample: vector, scalar, time, pi, absent, the sort
 * family, and the experimental start/end/range/step/min_of/max_of.
 */
import { Labels, compareStrings } from '../../model/index.js';
import type { Call } from '../ast.js';
import type { EvalContext } from './context.js';
import type { Evaluate } from './evaluate.js';
import { absentResult } from './functions-range.js';
import { gridTime, valueSamples, type Grid, type ScalarValue, type StepSeries, type Value } from './value.js';

async function scalarArg(ctx: EvalContext, e: Call, i: number, grid: Grid, evaluate: Evaluate): Promise<Float64Array> {
  const v = await evaluate(ctx, e.args[i], grid);
  if (v.kind !== 'scalar') throw new Error(`${e.func.name}: expected a scalar argument`);
  return v.values;
}

async function vectorArg(ctx: EvalContext, e: Call, i: number, grid: Grid, evaluate: Evaluate): Promise<StepSeries[]> {
  const v = await evaluate(ctx, e.args[i], grid);
  if (v.kind !== 'vector') throw new Error(`${e.func.name}: expected an instant vector argument`);
  return v.series;
}

function scalar(grid: Grid, f: (t: number) => number): ScalarValue {
  const values = new Float64Array(grid.count);
  for (let i = 0; i < grid.count; i++) values[i] = f(gridTime(grid, i));
  return { kind: 'scalar', values };
}

export type EngineFunction = (ctx: EvalContext, e: Call, grid: Grid, evaluate: Evaluate) => Promise<Value>;

export const MISC_FUNCTIONS: Record<string, EngineFunction> = {
  time: async (_ctx, _e, grid) => scalar(grid, (t) => t / 1000),
  pi: async (_ctx, _e, grid) => scalar(grid, () => Math.PI),
  start: async (ctx, _e, grid) => scalar(grid, () => ctx.cfg.queryStartMs / 1000),
  end: async (ctx, _e, grid) => scalar(grid, () => ctx.cfg.queryEndMs / 1000),
  range: async (ctx, _e, grid) => scalar(grid, () => (ctx.cfg.queryEndMs - ctx.cfg.queryStartMs) / 1000),
  step: async (ctx, _e, grid) => scalar(grid, () => ctx.cfg.queryStepMs / 1000),
  min_of: async (ctx, e, grid, ev) => minMax(await scalarArg(ctx, e, 0, grid, ev), await scalarArg(ctx, e, 1, grid, ev), Math.min),
  max_of: async (ctx, e, grid, ev) => minMax(await scalarArg(ctx, e, 0, grid, ev), await scalarArg(ctx, e, 1, grid, ev), Math.max),

  vector: async (ctx, e, grid, ev) => {
    const values = await scalarArg(ctx, e, 0, grid, ev);
    ctx.samples.add(grid.count);
    const series = grid.count > 0 ? [{ labels: Labels.EMPTY, values, present: new Uint8Array(grid.count).fill(1), dropName: false }] : [];
    return { kind: 'vector', series };
  },

  /** The single sample's value, or NaN when there is not exactly one. */
  scalar: async (ctx, e, grid, ev) => {
    const series = await vectorArg(ctx, e, 0, grid, ev);
    const values = new Float64Array(grid.count);
    for (let i = 0; i < grid.count; i++) {
      let n = 0;
      let v = NaN;
      for (const s of series) {
        if (s.present[i] === 1) {
          n++;
          v = s.values[i];
        }
      }
      values[i] = n === 1 ? v : NaN;
    }
    ctx.samples.release(valueSamples({ kind: 'vector', series }));
    return { kind: 'scalar', values };
  },

  absent: async (ctx, e, grid, ev) => {
    const series = await vectorArg(ctx, e, 0, grid, ev);
    const seen = new Uint8Array(grid.count);
    for (const s of series) for (let i = 0; i < grid.count; i++) seen[i] |= s.present[i];
    ctx.samples.release(valueSamples({ kind: 'vector', series }));
    return absentResult(ctx, e.args[0], seen);
  },

  // Sorting only matters for instant queries: range results are always ordered by labels.
  sort: async (ctx, e, grid, ev) => sortByValue(await vectorArg(ctx, e, 0, grid, ev), grid, false),
  sort_desc: async (ctx, e, grid, ev) => sortByValue(await vectorArg(ctx, e, 0, grid, ev), grid, true),
  sort_by_label: async (ctx, e, grid, ev) => sortByLabel(await vectorArg(ctx, e, 0, grid, ev), grid, stringArgs(e), false),
  sort_by_label_desc: async (ctx, e, grid, ev) => sortByLabel(await vectorArg(ctx, e, 0, grid, ev), grid, stringArgs(e), true),
};

function minMax(a: Float64Array, b: Float64Array, f: (x: number, y: number) => number): ScalarValue {
  return { kind: 'scalar', values: a.map((x, i) => f(x, b[i])) };
}

function stringArgs(e: Call): string[] {
  return e.args.slice(1).map((a) => {
    if (a.type !== 'StringLiteral') throw new Error(`${e.func.name}: label names must be string literals`);
    return a.value;
  });
}

/** Ascending or descending by value, NaN last either way (Prometheus funcSort/funcSortDesc). */
function sortByValue(series: StepSeries[], grid: Grid, desc: boolean): Value {
  if (grid.count !== 1) return { kind: 'vector', series };
  const sorted = series
    .map((s, idx) => ({ s, idx, v: s.values[0] }))
    .sort((a, b) => {
      const an = a.v !== a.v;
      const bn = b.v !== b.v;
      if (an || bn) return an && bn ? a.idx - b.idx : an ? 1 : -1;
      return (desc ? b.v - a.v : a.v - b.v) || a.idx - b.idx;
    });
  return { kind: 'vector', series: sorted.map((x) => x.s) };
}

/** By the given labels in natural order (numbers inside values compare as numbers), then by all labels. */
function sortByLabel(series: StepSeries[], grid: Grid, names: string[], desc: boolean): Value {
  if (grid.count !== 1) return { kind: 'vector', series };
  const cmp = (a: StepSeries, b: StepSeries): number => {
    for (const n of names) {
      const x = a.labels.get(n);
      const y = b.labels.get(n);
      if (x === y) continue;
      return naturalCompare(x, y);
    }
    return Labels.compare(a.labels, b.labels);
  };
  const sorted = [...series].sort((a, b) => (desc ? cmp(b, a) : cmp(a, b)));
  return { kind: 'vector', series: sorted };
}

/** Natural order: runs of digits compare by numeric value, other runs as strings. */
export function naturalCompare(a: string, b: string): number {
  const ca = a.match(/\d+|\D+/g) ?? [];
  const cb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i];
    const y = cb[i];
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const nx = x.replace(/^0+/, '');
      const ny = y.replace(/^0+/, '');
      if (nx.length !== ny.length) return nx.length - ny.length;
      if (nx !== ny) return compareStrings(nx, ny);
      return x.length - y.length;
    }
    return compareStrings(x, y);
  }
  return ca.length - cb.length;
}
