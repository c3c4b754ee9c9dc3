/**
 * Vector and matrix selectors: one `Queryable.select` per selector node, covering every step of the grid.
 *
 * Instant selection at time t (after offset/@) takes the latest sample in the left-open lookback window
 * `(t - lookback, t]`; if that sample is a staleness marker the series has no value at t. Range selection
 * keeps every sample in `(t - range, t]` and drops staleness markers (Prometheus 3 semantics).
 */
import { NotSupportedError, isStaleNaN } from '../../model/index.js';
import type { Series, SelectHints } from '../../storage/index.js';
import type { AtModifier, MatrixSelector, VectorSelector } from '../ast.js';
import type { EvalContext } from './context.js';
import { gridTime, type Grid, type MatrixValue, type RangeSeriesData, type StepSeries, type VectorValue } from './value.js';
import { allocF64, allocU8 } from './slab.js';

/** The function/aggregation around a selector, passed to storage as hints (Prometheus extractFuncFromPath). */
export interface SelectorHints {
  func?: string;
  by?: boolean;
  grouping?: string[];
}

/** Resolves `@` to ms: a fixed time, or the outermost query's start/end. */
export function atTime(ctx: EvalContext, at: AtModifier): number {
  switch (at.kind) {
    case 'time':
      return at.ms;
    case 'start':
      return ctx.cfg.queryStartMs;
    case 'end':
      return ctx.cfg.queryEndMs;
  }
}

/** The reference time of each grid step for a node with this offset and @ (monotone non-decreasing). */
export function referenceTimes(ctx: EvalContext, grid: Grid, offsetMs: number, at: AtModifier | null): Float64Array {
  const refs = new Float64Array(grid.count);
  const pinned = at === null ? null : atTime(ctx, at);
  for (let i = 0; i < grid.count; i++) refs[i] = (pinned ?? gridTime(grid, i)) - offsetMs;
  return refs;
}

async function select(ctx: EvalContext, vs: VectorSelector, mint: number, maxt: number, rangeMs: number): Promise<Series[]> {
  const extra = ctx.cfg.selectorHints.get(vs);
  const hints: SelectHints = { mint, maxt, step: ctx.cfg.queryStepMs, range: rangeMs };
  if (extra?.func !== undefined) hints.func = extra.func;
  if (extra?.grouping !== undefined) {
    hints.by = extra.by;
    hints.grouping = extra.grouping;
  }
  const out: Series[] = [];
  // Storage errors (StorageError, NotSupportedError for histogram chunks, …) propagate as they are.
  const set = ctx.cfg.queryable.select(vs.matchers, hints, ctx.cfg.signal);
  while (await set.next()) {
    const s = set.at();
    rejectHistograms(s);
    out.push(s);
    if (ctx.checkpointDue()) await ctx.checkpoint();
  }
  for (const w of set.warnings()) ctx.annotations.storageWarning(w);
  return out;
}

/**
 * The Series contract carries floats only. Should a source ever attach native-histogram samples, refuse
 * rather than answer with the float part alone.
 */
function rejectHistograms(s: Series): void {
  const h = (s as { histograms?: { length: number } }).histograms;
  if (h !== undefined && h.length > 0) throw new NotSupportedError('native histograms are not supported yet');
}

export async function evalVectorSelector(ctx: EvalContext, vs: VectorSelector, grid: Grid, keepTimes = ctx.cfg.needSampleTimes.has(vs)): Promise<VectorValue> {
  if (grid.count === 0) return { kind: 'vector', series: [] };
  const lookback = ctx.cfg.lookbackMs;
  const refs = referenceTimes(ctx, grid, vs.offsetMs, vs.at);
  const raw = await select(ctx, vs, refs[0] - lookback + 1, refs[grid.count - 1], 0);
  const out: StepSeries[] = [];
  for (const s of raw) {
    if (ctx.checkpointDue()) await ctx.checkpoint();
    const ts = s.timestamps;
    const vals = s.values;
    const values = allocF64(grid.count);
    const present = allocU8(grid.count);
    const sampleTimes = keepTimes ? allocF64(grid.count) : null;
    const found = pickSamples(ts, vals, refs, grid.count, lookback, values, present, sampleTimes);
    if (found === 0) continue;
    ctx.samples.add(found);
    ctx.totalSamples += found;
    out.push(sampleTimes === null ? { labels: s.labels, values, present, dropName: false } : { labels: s.labels, values, present, dropName: false, sampleTimes });
  }
  return { kind: 'vector', series: out };
}

/**
 * The latest non-stale sample in `(ref - lookback, ref]` for each reference time; returns how many steps
 * have one. A plain function, not inline in the async caller: V8 optimises a function called once per
 * series far sooner than a loop inside an async function called once per query, and until it does every
 * double in the loop is a heap allocation.
 */
function pickSamples(
  ts: Float64Array,
  vals: Float64Array,
  refs: Float64Array,
  steps: number,
  lookback: number,
  values: Float64Array,
  present: Uint8Array,
  sampleTimes: Float64Array | null,
): number {
  const n = ts.length;
  let found = 0;
  let j = -1; // last sample at or before the reference time
  for (let i = 0; i < steps; i++) {
    const ref = refs[i];
    while (j + 1 < n && ts[j + 1] <= ref) j++;
    if (j < 0 || ts[j] <= ref - lookback) continue;
    const v = vals[j];
    if (v !== v && isStaleNaN(v)) continue;
    values[i] = v;
    present[i] = 1;
    if (sampleTimes !== null) sampleTimes[i] = ts[j];
    found++;
  }
  return found;
}

export async function evalMatrixSelector(ctx: EvalContext, ms: MatrixSelector, grid: Grid): Promise<MatrixValue> {
  const vs = ms.vectorSelector;
  const ends = referenceTimes(ctx, grid, vs.offsetMs, vs.at);
  if (grid.count === 0) return { kind: 'matrix', series: [], rangeMs: ms.rangeMs, ends, counted: 0 };
  const raw = await select(ctx, vs, ends[0] - ms.rangeMs + 1, ends[grid.count - 1], ms.rangeMs);
  const series: RangeSeriesData[] = [];
  for (const s of raw) {
    if (ctx.checkpointDue()) await ctx.checkpoint();
    const { timestamps, values } = withoutStaleMarkers(s.timestamps, s.values);
    if (timestamps.length > 0) series.push({ labels: s.labels, timestamps, values, dropName: false });
  }
  // Raw samples are not charged: like Prometheus, only the window in use is (see functions-range.ts).
  return { kind: 'matrix', series, rangeMs: ms.rangeMs, ends, counted: 0 };
}

/** Copies only when there is a marker to remove; storage arrays are otherwise used as they are. */
function withoutStaleMarkers(ts: Float64Array, vs: Float64Array): { timestamps: Float64Array; values: Float64Array } {
  let stale = 0;
  for (let i = 0; i < vs.length; i++) if (vs[i] !== vs[i] && isStaleNaN(vs[i])) stale++;
  if (stale === 0) return { timestamps: ts, values: vs };
  const t2 = allocF64(ts.length - stale);
  const v2 = allocF64(ts.length - stale);
  let k = 0;
  for (let i = 0; i < vs.length; i++) {
    const v = vs[i];
    if (v !== v && isStaleNaN(v)) continue;
    t2[k] = ts[i];
    v2[k++] = v;
  }
  return { timestamps: t2, values: v2 };
}
