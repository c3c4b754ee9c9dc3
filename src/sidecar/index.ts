/**
 * sidecar: the Thanos StoreAPI served from one running Prometheus, next to it. Series come from
 * Prometheus's remote read (STREAMED_XOR_CHUNKS, consumed frame by frame; a SAMPLES answer re-encoded into
 * XOR chunks as a fallback; format: docs/format/remote-read.md), chunks passed through without re-encoding,
 * labels extended by Prometheus's external labels (external wins) and re-sorted when replica labels are
 * dropped. Info, readiness and min time come from Prometheus's config and /metrics, re-read every 30 s.
 *
 * Metric metadata and exemplars come from Prometheus's HTTP API (metric-metadata.ts, exemplars.ts). Block
 * shipping (shipper/) and the config reloader (reloader/) are actors of their own. Not served: native
 * histograms (a clear NotSupportedError), sharding, rules, targets, any query HTTP API.
 *
 *   const prom = new PrometheusHttp('http://127.0.0.1:9090');
 *   const metadata = new PrometheusMetadata(prom, { refreshIntervalMs: 30_000 });
 *   void metadata.run(abort.signal);                       // heartbeat: external labels + lowest timestamp
 *   const srv = await startGrpcServer('0.0.0.0:10901', await sidecarStoreApi({ prometheus: prom, metadata }));
 *   for await (const s of new RemoteReadClient(prom).read({ mint, maxt, matchers })) console.log(s.labels);
 */
export { PrometheusHttp, type PrometheusHttpOptions } from './prometheus-http.js';
export { parsePrometheusClientConfig, type PrometheusClientConfig } from './http-client-config.js';
export {
  PrometheusMetadata,
  DEFAULT_REFRESH_INTERVAL_MS,
  externalLabelsFromConfig,
  lowestTimestampFromMetrics,
  type MetadataOptions,
} from './metadata.js';
export { RemoteReadClient, READ_REQUEST_HEADERS, STREAMED_CONTENT_TYPE, SAMPLES_CONTENT_TYPE, type RemoteReadQuery, type RemoteReadOptions } from './remote-read.js';
export { readFrames, encodeFrame, DEFAULT_FRAME_LIMIT_BYTES } from './frames.js';
export { remoteSeriesFromSamples } from './samples.js';
export { decodeChunkedFrame, type RemoteSeries, type RemoteChunk, type DecodedFrame } from './chunked-decoder.js';
export { selector } from './labels-api.js';
export { sidecarStoreApi, type SidecarStoreOptions } from './store.js';
export { createSidecarHttp, type SidecarHttpDeps } from './http.js';
export { sidecarMetrics, type SidecarMetrics } from './metrics.js';
