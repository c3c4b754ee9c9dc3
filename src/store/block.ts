/**
 * One block as the store serves it: its meta and external labels, its index-header (opened from
 * `<data-dir>/<ULID>/index-header`, or built from the bucket when missing or unreadable), and cache-aware
 * reads of postings, series entries and chunks.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ChunkSegment, CHUNKS_HEADER_SIZE } from '../chunkenc/index.js';
import { Labels } from '../model/index.js';
import type { Bucket } from '../objstore/index.js';
import {
  BlockChunkReader,
  BlockIndexReader,
  buildIndexHeader,
  CorruptBlockError,
  externalLabels,
  IndexHeader,
  SeriesColumns,
  type BlockMeta,
  type FetchedChunks,
} from '../tsdb/index.js';
import type { IndexCache, Semaphore } from './caches.js';
import type { StoreMetrics } from './metrics.js';

/** Thanos's `--debug.series-batch-size`: series entries fetched per round. */
export const SERIES_BATCH = 10_000;

export interface BlockDeps {
  bucket: Bucket;
  dataDir: string;
  cache: IndexCache;
  chunkPool: Semaphore;
  metrics: StoreMetrics;
}

export class StoreBlock {
  readonly id: string;
  readonly extLabels: Labels;
  readonly #index: BlockIndexReader;
  readonly #chunks: BlockChunkReader;

  private constructor(
    readonly meta: BlockMeta,
    readonly header: IndexHeader,
    indexSize: number,
    readonly deps: BlockDeps,
  ) {
    this.id = meta.ulid;
    this.extLabels = Labels.from(externalLabels(meta));
    const m = deps.metrics;
    this.#index = new BlockIndexReader(deps.bucket, this.id, header, indexSize, {
      seriesSizeEstimate: meta.thanos?.index_stats?.series_max_size || undefined,
      onFetch: (n, kind) => m.bucketBytes.inc({ kind }, n),
      onSeriesRefetch: () => m.seriesRefetches.inc(),
    });
    this.#chunks = new BlockChunkReader(deps.bucket, this.id, {
      chunkSizeEstimate: meta.thanos?.index_stats?.chunk_max_size || undefined,
      onExtraBytes: (n) => deps.chunkPool.take(n),
      onFetch: (n) => m.bucketBytes.inc({ kind: 'chunks' }, n),
      onRefetch: () => m.chunkRefetches.inc(),
      hashes: true, // Chunk.hash of every chunk sent
    });
  }

  /**
   * Opens the block: reuses a valid local index-header or builds one with ranged reads, and checks that every
   * chunk segment file starts with a valid header (a cheap guard against garbage files; chunk CRCs are
   * checked as chunks are read).
   */
  static async load(meta: BlockMeta, deps: BlockDeps, signal?: AbortSignal): Promise<StoreBlock> {
    const id = meta.ulid;
    const dir = join(deps.dataDir, id);
    const path = join(dir, 'index-header');
    let header: IndexHeader;
    try {
      header = await IndexHeader.open(path);
    } catch {
      await mkdir(dir, { recursive: true });
      deps.metrics.indexHeaderBuilds.inc();
      const n = await buildIndexHeader(deps.bucket, `${id}/index`, path, signal);
      deps.metrics.bucketBytes.inc({ kind: 'index-header' }, n);
      header = await IndexHeader.open(path);
    }
    try {
      const { size } = await deps.bucket.attributes(`${id}/index`, signal);
      const segments = (await deps.bucket.list(`${id}/chunks/`, {}, signal)).filter((n) => /\/\d{6}$/.test(n));
      for (const s of segments) new ChunkSegment(await deps.bucket.getRange(s, 0, CHUNKS_HEADER_SIZE, signal));
      return new StoreBlock(meta, header, size, deps);
    } catch (err) {
      await header.close();
      throw err;
    }
  }

  overlaps(mint: number, maxt: number): boolean {
    // meta.maxTime is exclusive.
    return this.meta.minTime <= maxt && this.meta.maxTime > mint;
  }

  /** Postings lists of (name, v) for each of `values` (sorted, unique); [] for a value the block lacks. */
  async postings(name: string, values: readonly string[], signal?: AbortSignal): Promise<Uint32Array[]> {
    const out = new Array<Uint32Array>(values.length);
    const missing: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const c = this.deps.cache.getPostings(this.id, name, values[i]!);
      if (c === undefined) missing.push(i);
      else out[i] = c;
    }
    if (missing.length === 0) return out;
    const ranges = await this.header.postingsRanges(name, missing.map((i) => values[i]!));
    const lists = await this.#index.postings(ranges.filter((r) => r !== undefined), signal);
    for (let k = 0, p = 0; k < missing.length; k++) {
      const i = missing[k]!;
      if (ranges[k] === undefined) out[i] = EMPTY;
      else {
        out[i] = lists[p++]!;
        this.deps.cache.setPostings(this.id, name, values[i]!, out[i]!);
      }
    }
    return out;
  }

  /**
   * The series with the given IDs (ascending, at most SERIES_BATCH of them) decoded into columns, in ID order
   * (which is label order), keeping only chunks that overlap [mint, maxt] and only series with such chunks.
   * Entries come from the index cache or one partitioned round of ranged reads. `keepChunks` false (a
   * skip_chunks request): the columns hold no chunk metas (SeriesColumns).
   */
  async readSeries(ids: Uint32Array, mint: number, maxt: number, signal?: AbortSignal, keepChunks = true): Promise<SeriesColumns> {
    const cache = this.deps.cache;
    const raw = new Array<Uint8Array | undefined>(ids.length);
    // Entries from the cache had their CRC checked when they were fetched; fresh ones are checked now.
    let fresh: Uint8Array | undefined;
    if (cache.getSeriesMany(this.id, ids, raw) > 0) {
      fresh = new Uint8Array(ids.length);
      const missing: number[] = [];
      for (let i = 0; i < ids.length; i++) if (raw[i] === undefined) missing.push(ids[i]!);
      const fetched = await this.#index.seriesEntries(missing, signal);
      for (let i = 0, k = 0; i < ids.length; i++) {
        if (raw[i] !== undefined) continue;
        raw[i] = fetched[k++]!;
        fresh[i] = 1;
      }
    }
    // Sized from the last batch so a steady stream of batches does not regrow its arrays.
    const cols = new SeriesColumns(ids.length, this.#labelRefsHint, this.#chunksHint, keepChunks);
    const what = `${this.id}/index: series`;
    let i = 0;
    try {
      for (; i < ids.length; i++) {
        const check = fresh !== undefined && fresh[i] === 1;
        if (cols.append(raw[i]!, 0, mint, maxt, what, check) === 0) cols.dropLast();
        // Cached only once checked: a corrupt entry must not skip its CRC check next time.
        if (check) cache.setSeries(this.id, ids[i]!, raw[i]!);
      }
    } catch (err) {
      if (!(err instanceof CorruptBlockError)) throw err;
      throw new CorruptBlockError(err.message.replace(what, `${what} ${ids[i]}`), { cause: err });
    }
    this.#labelRefsHint = Math.max(16, Math.ceil((cols.labelRefCount / Math.max(1, cols.rows)) * ids.length * 1.1));
    if (keepChunks) this.#chunksHint = Math.max(4, Math.ceil((cols.chunks / Math.max(1, cols.rows)) * ids.length * 1.1));
    return cols;
  }

  #labelRefsHint = 16 * 1024;
  #chunksHint = 4 * 1024;
  #names: Set<string> | undefined;

  /** Whether any series of the block has a label called `name`. */
  hasLabelName(name: string): boolean {
    this.#names ??= new Set(this.header.labelNames());
    return this.#names.has(name);
  }

  /** Bytes a `chunks(refs)` call will fetch (before refetches): acquire them from the chunk pool first. */
  chunkBytesEstimate(refs: ArrayLike<number>): number {
    return this.#chunks.estimate(refs);
  }

  /** Chunks at `refs`; refetch bytes taken from the chunk pool are added to `lease` (release them after use). */
  chunks(refs: ArrayLike<number>, lease: { bytes: number }, signal?: AbortSignal): Promise<FetchedChunks> {
    return this.#chunks.fetchColumns(refs, lease, signal);
  }

  async close(): Promise<void> {
    await this.header.close();
    this.deps.cache.dropBlock(this.id);
  }

  /** Removes the local index-header (a block deleted from the bucket leaves nothing behind). */
  async removeLocal(): Promise<void> {
    await rm(join(this.deps.dataDir, this.id), { recursive: true, force: true });
  }
}

const EMPTY = new Uint32Array(0);
