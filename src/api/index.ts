/**
 * api: the HTTP face of the querier — Prometheus's query API (/api/v1/query, query_range, series, labels,
 * label values, metadata, exemplars, rules, alerts, buildinfo), Thanos's /api/v1/stores and parameters
 * (dedup, replicaLabels[], partial_response, storeMatch[]), /-/healthy, /-/ready and /metrics.
 *
 * It parses parameters, admits queries through a concurrency gate, calls the engine and renders results; it
 * does not know where data comes from (`ApiDeps.storage` gives a Queryable per request).
 *
 *   const app = await createApiServer({ engine, storage: () => db, defaults, cors: true,
 *     ready: () => true, registry: new Registry(), component: 'query' });
 *   await app.listen({ host: '127.0.0.1', port: 10902 });
 */
export { createApiServer } from './server.js';
export type { ApiDeps, ApiDefaults, RequestStorage, RequestStorageOptions, StoreStatus, RulesQuery, RulesResult, MetricMetadataQuery, MetricMetadataResult, ExemplarsQuery, ExemplarsResult, SeriesExemplars } from './deps.js';
export { formatFloat, formatTimestamp } from './json.js';
export { parseTime, parseDuration, unescapeLabelName } from './params.js';
