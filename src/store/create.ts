/**
 * Assembles a bucket store: metrics, index cache, chunk pool, Series gate, block set and the StoreAPI
 * services, plus the sync loop the CLI runs as an actor.
 */
import type { Registry } from 'prom-client';
import type { Bucket } from '../objstore/index.js';
import type { InfoService, StoreService } from '../storeapi/index.js';
import { BlockSet, SILENT_LOGGER, type StoreLogger } from './bucket-store.js';
import { IndexCache, Semaphore } from './caches.js';
import { StoreMetrics } from './metrics.js';
import type { RelabelRule } from './relabel.js';
import { bucketStoreApi } from './store-service.js';
import type { TimeSpec } from './units.js';

export interface BucketStoreConfig {
  bucket: Bucket;
  /** Where index-headers live: `<dataDir>/<ULID>/index-header`. */
  dataDir: string;
  /** --index-cache-size in bytes (Thanos default 250MB = 250 MiB); 0 disables. */
  indexCacheBytes: number;
  /** --chunk-pool-size in bytes (default 2GB). */
  chunkPoolBytes: number;
  /** --store.grpc.series-max-concurrency (default 20). */
  seriesMaxConcurrency: number;
  minTime?: TimeSpec;
  maxTime?: TimeSpec;
  relabel?: RelabelRule[];
  deletionMarkDelayMs?: number;
  registry: Registry;
  log?: StoreLogger;
  now?: () => number;
}

export interface BucketStore {
  readonly blocks: BlockSet;
  readonly services: { store: StoreService; info: InfoService };
  readonly metrics: StoreMetrics;
  readonly indexCache: IndexCache;
  readonly chunkPool: Semaphore;
  /** --store.grpc.series-max-concurrency: slots held by running Series calls. */
  readonly seriesGate: Semaphore;
  sync(signal?: AbortSignal): Promise<void>;
  /** Syncs every `intervalMs` until `signal` fires; a failed round is logged and retried next time. */
  runSyncLoop(intervalMs: number, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export async function createBucketStore(cfg: BucketStoreConfig): Promise<BucketStore> {
  const log = cfg.log ?? SILENT_LOGGER;
  let blocks!: BlockSet;
  let indexCache!: IndexCache;
  const chunkPool = new Semaphore(cfg.chunkPoolBytes);
  const seriesGate = new Semaphore(cfg.seriesMaxConcurrency);
  const metrics = new StoreMetrics(cfg.registry, {
    cacheBytes: () => indexCache.size,
    cacheItems: () => indexCache.items,
    chunkPool: () => chunkPool.used,
    inflight: () => seriesGate.used,
    blocks: () => blocks.blocks().length,
  });
  indexCache = new IndexCache(cfg.indexCacheBytes, metrics.cacheEvents());
  blocks = new BlockSet({
    bucket: cfg.bucket,
    dataDir: cfg.dataDir,
    metrics,
    indexCache,
    chunkPool,
    minTime: cfg.minTime,
    maxTime: cfg.maxTime,
    relabel: cfg.relabel,
    deletionMarkDelayMs: cfg.deletionMarkDelayMs,
    log,
    now: cfg.now,
  });
  const services = await bucketStoreApi({ blocks, metrics, seriesGate, chunkPool, log });
  return {
    blocks,
    services,
    metrics,
    indexCache,
    chunkPool,
    seriesGate,
    sync: (signal) => blocks.sync(signal),
    async runSyncLoop(intervalMs, signal) {
      while (!signal.aborted) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, intervalMs);
          signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
        });
        if (signal.aborted) break;
        try {
          await blocks.sync(signal);
        } catch (err) {
          log.error({ err: String((err as Error)?.message ?? err), cause: String(((err as Error)?.cause as Error)?.message ?? '') }, 'block sync failed');
        }
      }
    },
    close: () => blocks.close(),
  };
}
