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
  externalLabels,
  IndexHeader,
  parseSeriesEntry,
  type BlockMeta,
  type FetchedChunk,
  type SeriesEntry,
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

/** A series entry decoded with its own labels (without external labels). */
export interface BlockSeries {
  labels: Labels;
  entry: SeriesEntry;
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

  /** The series with the given IDs (ascending), decoded, in ID order (which is label order). */
  async series(ids: Uint32Array, signal?: AbortSignal): Promise<BlockSeries[]> {
    const out = new Array<BlockSeries>(ids.length);
    const what = `${this.id}/index`;
    for (let from = 0; from < ids.length; from += SERIES_BATCH) {
      const batch = ids.subarray(from, Math.min(ids.length, from + SERIES_BATCH));
      const raw = new Array<Uint8Array>(batch.length);
      const missing: number[] = [];
      for (let i = 0; i < batch.length; i++) {
        const c = this.deps.cache.getSeries(this.id, batch[i]!);
        if (c === undefined) missing.push(batch[i]!);
        else raw[i] = c;
      }
      if (missing.length > 0) {
        const fetched = await this.#index.seriesEntries(missing, signal);
        for (let i = 0, k = 0; i < batch.length; i++) {
          if (raw[i] !== undefined) continue;
          raw[i] = fetched[k++]!;
          this.deps.cache.setSeries(this.id, batch[i]!, raw[i]!);
        }
      }
      for (let i = 0; i < batch.length; i++) {
        const entry = parseSeriesEntry(raw[i]!, 0, `${what}: series ${batch[i]}`) as SeriesEntry; // raw holds whole entries
        const flat = new Array<string>(entry.labelRefs.length);
        for (let k = 0; k < flat.length; k++) flat[k] = this.header.symbol(entry.labelRefs[k]!);
        out[from + i] = { labels: Labels.fromSorted(flat), entry };
      }
    }
    return out;
  }

  /** Bytes a `chunks(refs)` call will fetch (before refetches): acquire them from the chunk pool first. */
  chunkBytesEstimate(refs: ArrayLike<number>): number {
    return this.#chunks.estimate(refs);
  }

  /** Chunks at `refs`; refetch bytes taken from the chunk pool are added to `lease` (release them after use). */
  chunks(refs: ArrayLike<number>, lease: { bytes: number }, signal?: AbortSignal): Promise<FetchedChunk[]> {
    return this.#chunks.fetch(refs, lease, signal);
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
