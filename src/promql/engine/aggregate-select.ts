/**
 * Aggregations that pick input series instead of folding them: topk, bottomk, limitk, limit_ratio. The
 * chosen series keep their labels. topk/bottomk reproduce Prometheus's bounded heap (Go container/heap)
 * step by step, so ties and NaN are resolved exactly as it does: NaN loses to any number, and among equal
 * values the ones seen first stay.
 */
import { ExecutionError, type Labels } from '../../model/index.js';
import xxhash, { type XXHashAPI } from 'xxhash-wasm';
import type { AggregateExpr } from '../ast.js';
import { formatG, formatV } from './annotations.js';
import type { EvalContext } from './context.js';
import { groupSeries } from './grouping.js';
import { newStepSeries, type StepSeries } from './value.js';

const MAX_INT64 = 9223372036854775807;

export async function selectAggregate(ctx: EvalContext, e: AggregateExpr, series: StepSeries[], param: Float64Array, steps: number): Promise<StepSeries[]> {
  const groups = groupSeries(e, series);
  // Output series per input series, created when first selected.
  const chosen: (StepSeries | undefined)[] = new Array(series.length);
  // Creation order: for an instant query (one step) that is per group in rank order, as Prometheus lists them.
  const order: number[] = [];
  const pick = (si: number, i: number) => {
    let o = chosen[si];
    if (o === undefined) {
      const s = series[si];
      o = chosen[si] = newStepSeries(s.labels, steps, s.dropName);
      order.push(si);
    }
    o.values[i] = series[si].values[i];
    o.present[i] = 1;
  };

  const ratios = e.op === 'limit_ratio' ? limitRatios(ctx, e, param) : null;
  const offsets = ratios !== null ? await sampleOffsets(series.map((s) => s.labels)) : null;

  for (let i = 0; i < steps; i++) {
    if (i % 64 === 0) await ctx.checkpoint();
    if (ratios !== null) {
      const r = ratios[i];
      if (r === 0) continue;
      for (const members of groups.members) {
        for (const si of members) {
          if (series[si].present[i] === 0) continue;
          const off = offsets![si];
          if ((r >= 0 && off < r) || (r < 0 && off >= 1 + r)) pick(si, i);
        }
      }
      continue;
    }
    const p = param[i];
    if (!(p <= MAX_INT64 && p >= -MAX_INT64 - 1)) throw new ExecutionError(`Scalar value ${formatV(p)} overflows int64`);
    const kWanted = Math.trunc(p);
    if (kWanted < 1) continue;
    for (const members of groups.members) {
      const present: number[] = [];
      for (const si of members) if (series[si].present[i] === 1) present.push(si);
      if (present.length === 0) continue;
      const k = Math.min(kWanted, present.length);
      if (e.op === 'limitk') {
        for (let j = 0; j < k; j++) pick(present[j], i);
        continue;
      }
      const ranked = boundedHeap(present, k, series, i, e.op === 'topk');
      for (const si of ranked) pick(si, i);
    }
  }

  const out: StepSeries[] = [];
  for (const si of order) {
    const o = chosen[si]!;
    let n = 0;
    for (let i = 0; i < steps; i++) n += o.present[i];
    ctx.samples.add(n);
    out.push(o);
  }
  return out;
}

/**
 * Go's topk/bottomk: a heap of at most k whose root is the weakest kept element; a newcomer replaces the
 * root only when strictly better (or when the root is NaN and it is not). Returns the kept series, best first.
 */
function boundedHeap(candidates: number[], k: number, series: StepSeries[], step: number, top: boolean): number[] {
  const val = (si: number) => series[si].values[step];
  // less(a, b): a is weaker than b. NaN is always the weakest.
  const less = top
    ? (a: number, b: number) => { const x = val(a); return x !== x || x < val(b); }
    : (a: number, b: number) => { const x = val(a); return x !== x || x > val(b); };
  const h: number[] = [];
  for (const si of candidates) {
    if (h.length < k) {
      h.push(si);
      up(h, h.length - 1, less);
      continue;
    }
    const root = val(h[0]);
    const v = val(si);
    const better = top ? root < v : root > v;
    if (better || (root !== root && v === v)) {
      h[0] = si;
      if (k > 1) fix(h, 0, less);
    }
  }
  // sort.Sort(sort.Reverse(heap)): strongest first, NaN last. Go's sort is not stable; ties keep heap order here.
  return h
    .map((si, idx) => ({ si, idx }))
    .sort((a, b) => (less(b.si, a.si) ? -1 : less(a.si, b.si) ? 1 : a.idx - b.idx))
    .map((x) => x.si);
}

type Less = (a: number, b: number) => boolean;

function up(h: number[], j: number, less: Less): void {
  for (;;) {
    const i = (j - 1) >> 1;
    if (i === j || j <= 0 || !less(h[j], h[i])) break;
    [h[i], h[j]] = [h[j], h[i]];
    j = i;
  }
}

function down(h: number[], i0: number, n: number, less: Less): boolean {
  let i = i0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(h[j2], h[j1])) j = j2;
    if (!less(h[j], h[i])) break;
    [h[i], h[j]] = [h[j], h[i]];
    i = j;
  }
  return i > i0;
}

function fix(h: number[], i: number, less: Less): void {
  if (!down(h, i, h.length, less)) up(h, i, less);
}

/** limit_ratio's ratio per step: NaN is an error, outside [-1, 1] is capped with a warning. */
function limitRatios(ctx: EvalContext, e: AggregateExpr, param: Float64Array): Float64Array {
  const out = new Float64Array(param.length);
  for (let i = 0; i < param.length; i++) {
    const r = param[i];
    if (r !== r) throw new ExecutionError(`Ratio value ${formatV(r)} is NaN`);
    const capped = r < -1 ? -1 : r > 1 ? 1 : r;
    if (capped !== r) ctx.annotations.warn(`ratio value should be between -1 and 1, got ${formatG(r)}, capping to ${formatG(capped)}`, e.param!.pos);
    out[i] = capped;
  }
  return out;
}

let hasher: Promise<XXHashAPI> | undefined;

/**
 * Prometheus HashRatioSampler: a series' place in [0, 1] is its labels hash (xxhash64 of
 * name 0xff value 0xff …) over MaxUint64, so the same series is kept at every step and by every replica.
 */
async function sampleOffsets(labels: Labels[]): Promise<Float64Array> {
  hasher ??= xxhash();
  const h = await hasher;
  const enc = new TextEncoder();
  const out = new Float64Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const parts: number[] = [];
    labels[i].forEach((n, v) => {
      parts.push(...enc.encode(n), 0xff, ...enc.encode(v), 0xff);
    });
    out[i] = Number(h.h64Raw(Uint8Array.from(parts), 0n)) / 18446744073709551615;
  }
  return out;
}
