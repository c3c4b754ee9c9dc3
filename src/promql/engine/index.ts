/**
 * engine: evaluates PromQL ASTs over a Queryable, columnar (every node over all steps at once, typed
 * arrays per series), with Prometheus 3 semantics on float samples. It does not parse (src/promql/parser)
 * nor implement per-sample/per-window arithmetic (src/promql/functions); both are injected, and
 * src/promql/index.ts wires the real ones into `createEngine`.
 *
 *   const engine = newEngine({ lookbackDeltaMs: 300_000 }, { tables, parse });
 *   const res = await engine.rangeQuery(storage, 'sum by (job) (rate(http_requests_total[5m]))', start, end, 15_000);
 *   if (res.value.resultType === 'matrix') for (const s of res.value.result) console.log(s.labels.toString(), s.values);
 */
export { newEngine, type EngineDeps, type ParseFn } from './engine.js';
export type { BucketHelpers, FunctionTables } from './context.js';
export { ENGINE_FUNCTION_NAMES } from './functions.js';
