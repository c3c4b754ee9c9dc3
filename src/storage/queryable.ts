import type { Labels, Matcher } from '../model/index.js';

/**
 * What the engine tells storage about the data it will read, so storage can prune (time range) and push down
 * (function, grouping). Only `mint`/`maxt` are binding; the rest are hints that may be ignored.
 */
export interface SelectHints {
  /** Inclusive start of the data needed, ms. */
  mint: number;
  /** Inclusive end of the data needed, ms. */
  maxt: number;
  /** Query step, ms (0 for instant queries). */
  step?: number;
  /** Name of the function around the selector, e.g. `rate`. Dedup uses it for the counter adjustment. */
  func?: string;
  /** Range of the selector, ms (0 for instant vectors). */
  range?: number;
  /** Whether `grouping` lists labels kept (`by`) or dropped (`without`). */
  by?: boolean;
  grouping?: string[];
}

/** One series: its labels and its samples as parallel arrays, sorted by time, staleness markers kept bit-exact. */
export interface Series {
  readonly labels: Labels;
  /** Sample timestamps in ms since the epoch. */
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

/**
 * A pull iterator over series in label order (`Labels.compare`), each series once.
 *
 * Contract: call `next()` and await it before `at()`; `at()` is valid until the next `next()`.
 * `next()` rejects with a typed error (StorageError, QueryCanceledError, …) when reading fails.
 * `warnings()` is complete once `next()` has resolved false.
 */
export interface SeriesSet {
  next(): Promise<boolean>;
  at(): Series;
  warnings(): readonly string[];
}

/** The one contract between the PromQL engine and every data source. */
export interface Queryable {
  select(matchers: readonly Matcher[], hints: SelectHints, signal?: AbortSignal): SeriesSet;
}

/** Label name/value lookups for /api/v1/labels and /api/v1/label/:name/values. */
export interface LabelQuerier {
  labelNames(matchers: readonly Matcher[], range: { mint: number; maxt: number }, signal?: AbortSignal): Promise<LabelsResult>;
  labelValues(name: string, matchers: readonly Matcher[], range: { mint: number; maxt: number }, signal?: AbortSignal): Promise<LabelsResult>;
}

export interface LabelsResult {
  /** Sorted, unique. */
  values: string[];
  warnings: string[];
}

/** A SeriesSet over an array already in label order. */
export function arraySeriesSet(series: readonly Series[], warnings: readonly string[] = []): SeriesSet {
  let i = -1;
  return {
    next: () => Promise.resolve(++i < series.length),
    at: () => series[i],
    warnings: () => warnings,
  };
}

/** Reads a whole SeriesSet into memory (tests, small results). */
export async function collectSeries(set: SeriesSet): Promise<{ series: Series[]; warnings: readonly string[] }> {
  const series: Series[] = [];
  while (await set.next()) series.push(set.at());
  return { series, warnings: set.warnings() };
}
