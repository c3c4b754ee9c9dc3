/**
 * store: the store gateway — serves Prometheus TSDB blocks from a bucket over the Thanos StoreAPI without
 * downloading them: a sync loop picks blocks (filters: deletion marks, --min/--max-time, relabel sharding),
 * index-headers resolve matchers to postings, series entries and chunks come from ranged GETs merged by the
 * 512 KiB gap partitioner, behind an index cache and a chunk-bytes pool (thanos.md §5). A Series call streams:
 * each block's series are read in batches (cursor.ts) and merged across blocks as they go (merge.ts), so
 * memory holds a batch, not the answer.
 *
 * It does not parse flags or open buckets (cli/store.ts, objstore/), nor serve downsampled blocks or shard
 * series by hash (it advertises supports_sharding=false).
 *
 *   const s = await createBucketStore({ bucket, dataDir, indexCacheBytes: 250 * 2 ** 20,
 *     chunkPoolBytes: 2 * 2 ** 30, seriesMaxConcurrency: 20, registry: new Registry() });
 *   await s.sync();
 *   const srv = await startGrpcServer('127.0.0.1:0', s.services);
 */
export { createBucketStore, type BucketStore, type BucketStoreConfig } from './create.js';
export { BlockSet, SILENT_LOGGER, type StoreLogger } from './bucket-store.js';
export { IndexCache, Semaphore } from './caches.js';
export { StoreMetrics } from './metrics.js';
export { parseRelabelConfig, relabel, type RelabelRule } from './relabel.js';
export { parseBase2Bytes, parseTimeOrDuration, resolveTime, MIN_TIME_DEFAULT, MAX_TIME_DEFAULT, type TimeSpec } from './units.js';
export { createStoreHttp, type StoreHttpDeps } from './http.js';
export { postingsForMatchers, setRegexValues, literalPrefix, filterValues, union, intersect, subtract } from './postings.js';
