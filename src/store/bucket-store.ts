/**
 * The bucket store's block set and its sync loop (thanos.md §5.2): list the bucket, read each block's
 * meta.json, keep blocks that pass the filters — complete (meta.json present), not marked for deletion, raw
 * resolution, inside --min-time/--max-time, kept by the relabel selector, not made redundant by a compacted
 * block holding all its sources — then load new ones (index-header) and drop removed ones.
 *
 * A block that fails to load is logged, counted in promfed_store_block_load_failures_total and retried on
 * the next sync; the others are served. `ready` turns true after the first sync that listed the bucket.
 */
import { Labels } from '../model/index.js';
import type { Bucket } from '../objstore/index.js';
import { blockResolution, deletionMarkApplies, isULID, readBlockMeta, readDeletionMark, RESOLUTION_RAW, type BlockMeta } from '../tsdb/index.js';
import { StoreBlock, type BlockDeps } from './block.js';
import { IndexCache, Semaphore } from './caches.js';
import type { StoreMetrics } from './metrics.js';
import { relabel, type RelabelRule } from './relabel.js';
import { resolveTime, type TimeSpec, MAX_TIME_DEFAULT, MIN_TIME_DEFAULT } from './units.js';

/** What the store logs through (Fastify's pino logger satisfies it). */
export interface StoreLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export const SILENT_LOGGER: StoreLogger = { info() {}, warn() {}, error() {}, debug() {} };

export interface BucketStoreOptions {
  bucket: Bucket;
  dataDir: string;
  metrics: StoreMetrics;
  indexCache: IndexCache;
  chunkPool: Semaphore;
  minTime?: TimeSpec;
  maxTime?: TimeSpec;
  relabel?: RelabelRule[];
  /** Thanos's --ignore-deletion-marks-delay; 0 (default) stops serving a block as soon as it is marked. */
  deletionMarkDelayMs?: number;
  /** Metas read and blocks loaded at once (Thanos: 32 and 20). */
  concurrency?: number;
  log?: StoreLogger;
  now?: () => number;
}

export class BlockSet {
  readonly #opts: BucketStoreOptions;
  readonly #deps: BlockDeps;
  readonly #blocks = new Map<string, StoreBlock>();
  readonly #log: StoreLogger;
  #ready = false;
  #syncing: Promise<void> | undefined;

  constructor(opts: BucketStoreOptions) {
    this.#opts = opts;
    this.#log = opts.log ?? SILENT_LOGGER;
    this.#deps = { bucket: opts.bucket, dataDir: opts.dataDir, cache: opts.indexCache, chunkPool: opts.chunkPool, metrics: opts.metrics };
  }

  get ready(): boolean {
    return this.#ready;
  }

  /** Blocks served now, sorted by (minTime, maxTime, id). */
  blocks(): StoreBlock[] {
    return [...this.#blocks.values()].sort((a, b) => a.meta.minTime - b.meta.minTime || a.meta.maxTime - b.meta.maxTime || (a.id < b.id ? -1 : 1));
  }

  /** The --min-time/--max-time window now (relative times move with the clock). */
  timeWindow(): { min: number; max: number } {
    const now = (this.#opts.now ?? Date.now)();
    return { min: resolveTime(this.#opts.minTime ?? MIN_TIME_DEFAULT, now), max: resolveTime(this.#opts.maxTime ?? MAX_TIME_DEFAULT, now) };
  }

  /** One sync round; concurrent callers share the round in flight. */
  sync(signal?: AbortSignal): Promise<void> {
    this.#syncing ??= this.#sync(signal).finally(() => (this.#syncing = undefined));
    return this.#syncing;
  }

  async #sync(signal?: AbortSignal): Promise<void> {
    const m = this.#opts.metrics;
    m.syncs.inc();
    let names: string[];
    try {
      names = await this.#opts.bucket.list('', {}, signal);
    } catch (err) {
      m.syncFailures.inc();
      throw new Error(`list blocks in ${this.#opts.bucket.name}`, { cause: err });
    }
    const ids = names.filter((n) => n.endsWith('/') && isULID(n.slice(0, -1))).map((n) => n.slice(0, -1));
    const wanted = new Map<string, BlockMeta>();
    await forEachLimit(ids, this.#opts.concurrency ?? 32, async (id) => {
      try {
        const meta = await readBlockMeta(this.#opts.bucket, id, signal);
        if (meta === undefined) return; // meta.json is uploaded last: not complete yet
        if (await this.#keep(meta, signal)) wanted.set(id, meta);
      } catch (err) {
        m.blockLoadFailures.inc();
        this.#log.warn({ block: id, err: String((err as Error)?.message ?? err) }, 'skipping block: cannot read its meta.json or deletion mark');
      }
    });
    dropRedundant(wanted);

    for (const [id, b] of this.#blocks) {
      if (wanted.has(id)) continue;
      this.#blocks.delete(id);
      m.blockDrops.inc();
      await b.close();
      await b.removeLocal();
      this.#log.info({ block: id }, 'dropped block');
    }
    const fresh = [...wanted.values()].filter((meta) => !this.#blocks.has(meta.ulid));
    await forEachLimit(fresh, Math.min(20, this.#opts.concurrency ?? 20), async (meta) => {
      try {
        const b = await StoreBlock.load(meta, this.#deps, signal);
        this.#blocks.set(meta.ulid, b);
        m.blockLoads.inc();
        this.#log.debug({ block: meta.ulid }, 'loaded block');
      } catch (err) {
        m.blockLoadFailures.inc();
        this.#log.warn({ block: meta.ulid, err: String((err as Error)?.message ?? err) }, 'skipping block that failed to load');
      }
    });
    this.#ready = true;
  }

  async #keep(meta: BlockMeta, signal?: AbortSignal): Promise<boolean> {
    if (blockResolution(meta) !== RESOLUTION_RAW) {
      // Downsampled blocks hold AggrChunks (encoding 0xff): not served by this store yet.
      this.#log.debug({ block: meta.ulid }, 'skipping downsampled block');
      return false;
    }
    const { min, max } = this.timeWindow();
    if (!(meta.maxTime >= min && meta.minTime <= max)) return false;
    const rules = this.#opts.relabel ?? [];
    if (rules.length > 0) {
      const ls = Labels.from({ ...(meta.thanos?.labels ?? {}), __block_id: meta.ulid });
      if (relabel(ls, rules) === undefined) return false;
    }
    const mark = await readDeletionMark(this.#opts.bucket, meta.ulid, signal);
    const now = (this.#opts.now ?? Date.now)();
    return !deletionMarkApplies(mark, now, this.#opts.deletionMarkDelayMs ?? 0);
  }

  async close(): Promise<void> {
    await this.#syncing?.catch(() => undefined);
    for (const b of this.#blocks.values()) await b.close();
    this.#blocks.clear();
  }
}

/**
 * Thanos's deduplicate filter: within one group (same external labels and resolution), a block whose
 * compaction sources are all covered by another block's sources is redundant (the compactor wrote the
 * bigger block and has not deleted the parts yet); serving both would double samples.
 */
function dropRedundant(metas: Map<string, BlockMeta>): void {
  const all = [...metas.values()];
  for (const a of all) {
    const srcA = a.compaction.sources;
    if (srcA.length === 0) continue;
    const groupA = JSON.stringify([blockResolution(a), Labels.from(a.thanos?.labels ?? {}).key()]);
    for (const b of all) {
      if (a === b || !metas.has(b.ulid)) continue;
      const groupB = JSON.stringify([blockResolution(b), Labels.from(b.thanos?.labels ?? {}).key()]);
      if (groupA !== groupB) continue;
      const srcB = new Set(b.compaction.sources);
      const covered = srcA.every((s) => srcB.has(s));
      // Equal source sets: keep the one with the larger ID so exactly one survives.
      if (covered && (srcB.size > srcA.length || b.ulid > a.ulid)) {
        metas.delete(a.ulid);
        break;
      }
    }
  }
}

async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
