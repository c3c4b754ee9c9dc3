/**
 * promql: PromQL for promfed — the parser (text → AST with Prometheus's checks), the function tables and
 * the columnar evaluation engine, with Prometheus 3 semantics on float samples. It reads data only through
 * the storage `Queryable` contract; it knows nothing of HTTP, gRPC or where series live. Native histograms
 * are not supported: a histogram sample is refused with NotSupportedError, never answered wrongly.
 *
 *   import { createEngine } from '../promql/index.js';
 *   const engine = createEngine({ maxSamples: 50_000_000, timeoutMs: 120_000 });
 *   const res = await engine.instantQuery(storage, 'sum by (job) (rate(http_requests_total[5m]))', Date.now());
 *   if (res.value.resultType === 'vector') for (const s of res.value.result) console.log(s.labels.toString(), s.v);
 *   // rangeQuery(storage, query, startMs, endMs, stepMs, { signal, lookbackDeltaMs }) gives a matrix.
 */
import { newEngine } from './engine/index.js';
import { bucketFraction, bucketQuantile, VALUE_FUNCTIONS, WINDOW_FUNCTIONS } from './functions/index.js';
import { parse } from './parser/index.js';
import type { Engine, EngineOptions } from './types.js';

export { parse, printExpr, parsePromDuration } from './parser/index.js';
export type * from './ast.js';
export { exprType, extractSelectors } from './ast.js';
export type * from './types.js';

/** The engine wired with the real parser and function tables. */
export function createEngine(opts: EngineOptions = {}): Engine {
  return newEngine(opts, {
    parse,
    tables: { value: VALUE_FUNCTIONS, window: WINDOW_FUNCTIONS, buckets: { bucketQuantile, bucketFraction } },
  });
}
