/**
 * Columnar values flowing between evaluation nodes. A node is evaluated over all steps of a time grid at
 * once: an instant vector is a list of step-series (one Float64Array of values and one Uint8Array of
 * presence per series, because NaN is a legitimate sample value), a scalar is one Float64Array, and a range
 * vector keeps raw samples plus the end of each step's window so functions can slide over them.
 */
import type { Labels } from '../../model/index.js';
import { allocF64, allocU8 } from './slab.js';

/** The times a node is evaluated at: start, start+step, … (count of them). count may be 0 in subqueries. */
export interface Grid {
  startMs: number;
  stepMs: number;
  count: number;
}

export function gridTime(g: Grid, i: number): number {
  return g.startMs + i * g.stepMs;
}

/** One series of an instant vector over the grid. */
export interface StepSeries {
  labels: Labels;
  values: Float64Array;
  /** 1 where the series has a sample at that step. */
  present: Uint8Array;
  /**
   * Delayed name removal (Prometheus `EnableDelayedNameRemoval`, on in its promql tests): functions and
   * operators that change the value mark the series instead of dropping `__name__` at once, so later
   * label_replace/label_join can still read it; the name is dropped when the query's result is built.
   */
  dropName: boolean;
  /** Sample timestamps per step, kept only for vector selectors (timestamp() reads them). */
  sampleTimes?: Float64Array;
}

export interface VectorValue {
  kind: 'vector';
  series: StepSeries[];
}

export interface ScalarValue {
  kind: 'scalar';
  values: Float64Array;
}

export interface StringValue {
  kind: 'string';
  value: string;
}

/** One series of a range vector: its samples (staleness markers removed), sorted by time. */
export interface RangeSeriesData {
  labels: Labels;
  timestamps: Float64Array;
  values: Float64Array;
  dropName: boolean;
}

/**
 * A range vector over the grid: at step i the window of every series is `(ends[i] - rangeMs, ends[i]]`.
 * Produced by matrix selectors and subqueries, consumed by range functions and instant-query results.
 */
export interface MatrixValue {
  kind: 'matrix';
  series: RangeSeriesData[];
  rangeMs: number;
  ends: Float64Array;
  /** Samples charged to the max-samples budget while this value is held (subquery results). */
  counted: number;
}

export type Value = VectorValue | ScalarValue | StringValue | MatrixValue;

export function newStepSeries(labels: Labels, steps: number, dropName: boolean): StepSeries {
  return { labels, values: allocF64(steps), present: allocU8(steps), dropName };
}

export function countPresent(present: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < present.length; i++) n += present[i];
  return n;
}

/** Samples a value holds against the max-samples limit. */
export function valueSamples(v: Value): number {
  switch (v.kind) {
    case 'vector': {
      let n = 0;
      for (const s of v.series) n += countPresent(s.present);
      return n;
    }
    case 'scalar': // not charged, as in Prometheus
    case 'string':
      return 0;
    case 'matrix':
      return v.counted;
  }
}

/** Repeats a value computed at one step over `count` steps (step-invariant subtrees, e.g. under `@`). */
export function broadcast(v: Value, count: number): Value {
  switch (v.kind) {
    case 'scalar':
      return { kind: 'scalar', values: new Float64Array(count).fill(v.values[0]) };
    case 'vector':
      return {
        kind: 'vector',
        series: v.series.map((s) => ({
          labels: s.labels,
          values: allocF64(count).fill(s.values[0]),
          present: allocU8(count).fill(s.present[0]),
          dropName: s.dropName,
          sampleTimes: s.sampleTimes === undefined ? undefined : allocF64(count).fill(s.sampleTimes[0]),
        })),
      };
    case 'matrix':
      return { ...v, ends: new Float64Array(count).fill(v.ends[0]) };
    case 'string':
      return v;
  }
}

/** Output series keyed by labels: results of different inputs with equal labels become one series. */
export class SeriesCollector {
  readonly list: StepSeries[] = [];
  readonly #byKey = new Map<string, StepSeries>();
  constructor(readonly steps: number) {}

  get(labels: Labels, dropName: boolean): StepSeries {
    const key = labels.key();
    let s = this.#byKey.get(key);
    if (s === undefined) {
      s = newStepSeries(labels, this.steps, dropName);
      this.#byKey.set(key, s);
      this.list.push(s);
    }
    return s;
  }
}

/** Drops series that ended up with no sample at any step. */
export function nonEmpty(series: StepSeries[]): StepSeries[] {
  return series.filter((s) => s.present.includes(1));
}
