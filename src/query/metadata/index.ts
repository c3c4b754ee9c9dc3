/**
 * query/metadata: the querier's federated metric metadata — `thanos.Metadata/MetricMetadata` fanned out to
 * every healthy endpoint that advertises it (sidecars), answers merged per metric name. api/ parses the HTTP
 * parameters and renders the JSON.
 *
 *   const metricMetadata = metricMetadataFanout(() => endpoints.queryable());
 *   const app = await createApiServer({ ...deps, metricMetadata });
 */
export { metricMetadataFanout, mergeMetadata, type MetricMetadataFunc } from './fanout.js';
