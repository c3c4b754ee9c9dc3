/**
 * The engine's public shapes: options, query results and the Engine interface the HTTP API and the
 * promql-test runner call. Results are columnar for matrices (one pair of typed arrays per series). Result
 * arrays are read-only: series present at every step share one timestamps array.
 */
import type { Labels } from '../model/index.js';
import type { Queryable } from '../storage/index.js';
import type { Expr } from './ast.js';

export interface EngineOptions {
  /** Default lookback for instant vector selectors, ms. Prometheus: 5m. */
  lookbackDeltaMs?: number;
  /** Most samples a query may hold in memory at once before failing with TooManySamplesError. Default 50,000,000. */
  maxSamples?: number;
  /** Default query timeout, ms. Default 2m. */
  timeoutMs?: number;
  /** Enables experimental functions and aggregations (`--enable-feature=promql-experimental-functions`). */
  enableExperimentalFunctions?: boolean;
  /** Subquery resolution when none is given, ms. Prometheus: the global evaluation interval, 1m. */
  noStepSubqueryIntervalMs?: number;
  /** Most steps a range query may have. Prometheus: 11,000. */
  maxSteps?: number;
}

export interface QueryOptions {
  /** Per-query lookback override, ms (the API's `lookback_delta`). */
  lookbackDeltaMs?: number;
  /** Per-query timeout override, ms. */
  timeoutMs?: number;
  /** Aborting it cancels the query (QueryCanceledError, or QueryTimeoutError when the reason is a timeout). */
  signal?: AbortSignal;
}

export interface InstantSample {
  labels: Labels;
  /** ms */
  t: number;
  v: number;
}

export interface RangeSeries {
  labels: Labels;
  /** ms */
  timestamps: Float64Array;
  values: Float64Array;
}

export type QueryValue =
  | { resultType: 'vector'; result: InstantSample[] }
  | { resultType: 'matrix'; result: RangeSeries[] }
  | { resultType: 'scalar'; t: number; v: number }
  | { resultType: 'string'; t: number; v: string };

export interface QueryStats {
  /** Samples read from storage and processed (input samples). */
  totalQueryableSamples: number;
  /** Largest number of samples held at once. */
  peakSamples: number;
}

export interface QueryResult {
  value: QueryValue;
  /** Annotations Prometheus returns as `warnings` (e.g. "PromQL warning: …"). */
  warnings: string[];
  /** Annotations Prometheus returns as `infos`. */
  infos: string[];
  stats: QueryStats;
}

export interface Engine {
  /** Evaluates at one time (ms). A string query is parsed first (BadDataError on a syntax error). */
  instantQuery(queryable: Queryable, query: string | Expr, timeMs: number, opts?: QueryOptions): Promise<QueryResult>;
  /** Evaluates at start, start+step, … ≤ end (all ms). More than `maxSteps` steps is a BadDataError. */
  rangeQuery(
    queryable: Queryable,
    query: string | Expr,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts?: QueryOptions,
  ): Promise<QueryResult>;
}
