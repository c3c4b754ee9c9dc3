/**
 * Turns the root node's columnar value into the API result: a vector/scalar/string/matrix for instant
 * queries, a matrix sorted by labels for range queries. This is where delayed name removal ends: marked
 * series lose `__name__`, and two series left with the same labels are an error, as in Prometheus.
 */
import { ExecutionError, Labels } from '../../model/index.js';
import type { InstantSample, QueryValue, RangeSeries } from '../types.js';
import { allocF64 } from './slab.js';
import { countPresent, gridTime, type Grid, type RangeSeriesData, type StepSeries, type Value } from './value.js';

const DUPLICATE = 'vector cannot contain metrics with the same labelset';

function finalLabels(s: { labels: Labels; dropName: boolean }): Labels {
  return s.dropName ? s.labels.dropMetricName() : s.labels;
}

function checkUnique(labels: Labels[]): void {
  const seen = new Set<string>();
  for (const l of labels) {
    const k = l.key();
    if (seen.has(k)) throw new ExecutionError(DUPLICATE);
    seen.add(k);
  }
}

/** `charge` counts samples a range-vector result holds against the max-samples budget. */
export function instantResult(v: Value, timeMs: number, charge: (n: number) => void): QueryValue {
  switch (v.kind) {
    case 'scalar':
      return { resultType: 'scalar', t: timeMs, v: v.values[0] };
    case 'string':
      return { resultType: 'string', t: timeMs, v: v.value };
    case 'vector': {
      const result: InstantSample[] = [];
      for (const s of v.series) if (s.present[0] === 1) result.push({ labels: finalLabels(s), t: timeMs, v: s.values[0] });
      checkUnique(result.map((r) => r.labels));
      return { resultType: 'vector', result };
    }
    case 'matrix': {
      const end = v.ends[0];
      const start = end - v.rangeMs;
      const result: RangeSeries[] = [];
      for (const s of v.series) {
        const w = windowOf(s, start, end);
        if (w === null) continue;
        charge(w.timestamps.length);
        result.push(w);
      }
      checkUnique(result.map((r) => r.labels));
      return { resultType: 'matrix', result };
    }
  }
}

function windowOf(s: RangeSeriesData, start: number, end: number): RangeSeries | null {
  const ts = s.timestamps;
  let lo = 0;
  while (lo < ts.length && ts[lo] <= start) lo++;
  let hi = lo;
  while (hi < ts.length && ts[hi] <= end) hi++;
  if (hi === lo) return null;
  return { labels: finalLabels(s), timestamps: ts.slice(lo, hi), values: s.values.slice(lo, hi) };
}

/**
 * Range-query results share storage where they can: a series present at every step keeps its step array
 * as its values, and all such series share one timestamps array (for 10k series × 241 steps that saves
 * allocating and copying 38 MB per query). Result arrays are read-only for every consumer.
 */
export function rangeResult(v: Value, grid: Grid): QueryValue {
  let series: StepSeries[];
  if (v.kind === 'scalar') {
    series = [{ labels: Labels.EMPTY, values: v.values, present: new Uint8Array(grid.count).fill(1), dropName: false }];
  } else if (v.kind === 'vector') {
    series = v.series;
  } else {
    throw new Error(`range query over ${v.kind}: rejected before evaluation`);
  }
  const steps = grid.count;
  let allTimes: Float64Array | null = null;
  const result: RangeSeries[] = [];
  for (const s of series) {
    const n = countPresent(s.present);
    if (n === 0) continue;
    if (n === steps && s.values.length === steps) {
      allTimes ??= gridTimes(grid);
      result.push({ labels: finalLabels(s), timestamps: allTimes, values: s.values });
      continue;
    }
    const timestamps = allocF64(n);
    const values = allocF64(n);
    for (let i = 0, k = 0; i < steps; i++) {
      if (s.present[i] === 0) continue;
      timestamps[k] = gridTime(grid, i);
      values[k++] = s.values[i];
    }
    result.push({ labels: finalLabels(s), timestamps, values });
  }
  result.sort((a, b) => Labels.compare(a.labels, b.labels));
  // Sorted, equal label sets are neighbours: no key strings needed.
  for (let i = 1; i < result.length; i++) if (result[i].labels.equals(result[i - 1].labels)) throw new ExecutionError(DUPLICATE);
  return { resultType: 'matrix', result };
}

function gridTimes(grid: Grid): Float64Array {
  const t = allocF64(grid.count);
  for (let i = 0; i < grid.count; i++) t[i] = gridTime(grid, i);
  return t;
}
