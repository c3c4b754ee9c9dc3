/**
 * query: the querier's data path — the endpoint set (Info health checks), per-request fan-out over StoreAPI
 * with pruning and partial response, k-way merge, chunk dedup and replica dedup (penalty/chain), exposed to
 * the engine as a Queryable, and re-exposed as the querier's own StoreAPI for stacked queriers.
 *
 * It does not discover addresses (discovery/), parse HTTP (api/) or evaluate PromQL (promql/).
 *
 *   const endpoints = new EndpointSet({ specs: () => addresses.map((address) => ({ address, strict: false })) });
 *   await endpoints.update();
 *   const cfg = { endpoints: () => endpoints.queryable(), hasher: await loadChunkHasher(), dedupAlgorithm: 'penalty',
 *                 responseTimeoutMs: 0, maxSamples: 50e6, selectorLabels: Labels.EMPTY };
 *   const storage = new FanoutStorage(cfg, { deduplicate: true, replicaLabels: ['replica'], partialResponse: true, storeMatchers: [] });
 *   await engine.rangeQuery(storage, 'rate(http_requests_total[5m])', start, end, step);
 */
export { EndpointSet, type EndpointSpec, type EndpointSetOptions } from './endpoints/endpoint-set.js';
export { Endpoint, type EndpointMetadata } from './endpoints/endpoint.js';
export { FanoutStorage, mergeStoreStreams, type FanoutConfig, type MergeOptions } from './fanout.js';
export { querierStoreApi, type QuerierApis } from './store-server.js';
export { loadChunkHasher, type ChunkHasher } from './merge/index.js';
export type { DedupAlgorithm } from './dedup/index.js';
