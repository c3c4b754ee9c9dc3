/** The store gateway's own metrics (prom-client, `promfed_store_*`), registered on the registry it is given. */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { CacheEvents } from './caches.js';

export class StoreMetrics {
  readonly blocksLoaded: Gauge;
  readonly blockLoads: Counter;
  readonly blockLoadFailures: Counter;
  readonly blockDrops: Counter;
  readonly blockQueryFailures: Counter;
  readonly syncs: Counter;
  readonly syncFailures: Counter;
  readonly bucketBytes: Counter<'kind'>;
  readonly seriesRefetches: Counter;
  readonly chunkRefetches: Counter;
  readonly cacheRequests: Counter<'item_type'>;
  readonly cacheHits: Counter<'item_type'>;
  readonly cacheBytes: Gauge;
  readonly cacheItems: Gauge;
  readonly chunkPoolBytes: Gauge;
  readonly seriesInflight: Gauge;
  readonly indexHeaderBuilds: Counter;

  constructor(registry: Registry, gauges: { cacheBytes: () => number; cacheItems: () => number; chunkPool: () => number; inflight: () => number; blocks: () => number }) {
    const registers = [registry];
    this.blocksLoaded = new Gauge({ name: 'promfed_store_blocks_loaded', help: 'Blocks currently served.', registers, collect() { this.set(gauges.blocks()); } });
    this.blockLoads = new Counter({ name: 'promfed_store_block_loads_total', help: 'Blocks loaded (index-header opened or built).', registers });
    this.blockLoadFailures = new Counter({ name: 'promfed_store_block_load_failures_total', help: 'Blocks that failed to load and are not served.', registers });
    this.blockDrops = new Counter({ name: 'promfed_store_block_drops_total', help: 'Blocks dropped: deleted, marked for deletion or filtered out.', registers });
    this.blockQueryFailures = new Counter({ name: 'promfed_store_block_query_failures_total', help: 'Per-block read failures during requests (the block was skipped with a warning).', registers });
    this.syncs = new Counter({ name: 'promfed_store_syncs_total', help: 'Block sync rounds run.', registers });
    this.syncFailures = new Counter({ name: 'promfed_store_sync_failures_total', help: 'Block sync rounds that failed (e.g. bucket listing errors).', registers });
    this.bucketBytes = new Counter({ name: 'promfed_store_bucket_bytes_fetched_total', help: 'Bytes fetched from the bucket, by what they were.', labelNames: ['kind'], registers });
    this.seriesRefetches = new Counter({ name: 'promfed_store_series_refetches_total', help: 'Series entries longer than the 64 KiB estimate, read again.', registers });
    this.chunkRefetches = new Counter({ name: 'promfed_store_chunk_refetches_total', help: 'Chunks longer than the 16 KB estimate, read again.', registers });
    this.cacheRequests = new Counter({ name: 'promfed_store_index_cache_requests_total', help: 'Index cache lookups.', labelNames: ['item_type'], registers });
    this.cacheHits = new Counter({ name: 'promfed_store_index_cache_hits_total', help: 'Index cache hits.', labelNames: ['item_type'], registers });
    this.cacheBytes = new Gauge({ name: 'promfed_store_index_cache_bytes', help: 'Bytes held by the index cache.', registers, collect() { this.set(gauges.cacheBytes()); } });
    this.cacheItems = new Gauge({ name: 'promfed_store_index_cache_items', help: 'Items held by the index cache.', registers, collect() { this.set(gauges.cacheItems()); } });
    this.chunkPoolBytes = new Gauge({ name: 'promfed_store_chunk_pool_bytes_in_use', help: 'Chunk bytes in flight, bounded by --chunk-pool-size.', registers, collect() { this.set(gauges.chunkPool()); } });
    this.seriesInflight = new Gauge({ name: 'promfed_store_series_inflight', help: 'Series calls running (bounded by --store.grpc.series-max-concurrency).', registers, collect() { this.set(gauges.inflight()); } });
    this.indexHeaderBuilds = new Counter({ name: 'promfed_store_index_header_builds_total', help: 'Index-headers built from the bucket (not found locally or unreadable).', registers });
  }

  cacheEvents(): CacheEvents {
    return {
      hit: (kind, n = 1) => {
        this.cacheRequests.inc({ item_type: kind }, n);
        this.cacheHits.inc({ item_type: kind }, n);
      },
      miss: (kind, n = 1) => this.cacheRequests.inc({ item_type: kind }, n),
    };
  }
}
