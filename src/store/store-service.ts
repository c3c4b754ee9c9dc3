/**
 * thanos.Store and thanos.info.Info over the block set (thanos.md §1, §5.4): Series streams sorted, merged
 * series with raw XOR chunks (xxhash64 in Chunk.hash), LabelNames/LabelValues answer from the index-header
 * when no matchers narrow them, Info advertises the loaded blocks' time range and external label sets and
 * errors "Not ready" until the first sync.
 *
 * A block whose index or chunks turn out corrupt during a request is skipped with a warning frame (partial
 * response WARN, the proto default) and counted; with ABORT the request fails.
 */
import { Labels, throwIfAborted, type Matcher, StorageError } from '../model/index.js';
import {
  int64ToMillis,
  labelsToProto,
  matchersFromProto,
  MAX_INT64,
  millisToInt64,
  MIN_INT64,
  PartialResponseStrategy,
  type CallContext,
  type FrameSink,
  type InfoResponse,
  type InfoService,
  type LabelNamesRequest,
  type LabelNamesResponse,
  type LabelValuesRequest,
  type LabelValuesResponse,
  type SeriesFrame,
  type SeriesRequest,
  type StoreService,
  SeriesFrameWriter,
} from '../storeapi/index.js';
import type { StoreBlock } from './block.js';
import type { BlockSet, StoreLogger } from './bucket-store.js';
import type { Semaphore } from './caches.js';
import type { StoreMetrics } from './metrics.js';
import { BlockSeriesCursor } from './cursor.js';
import { SeriesMerger } from './merge.js';
import { BatchChunks } from './batch-chunks.js';
import { LabelBytes } from './label-bytes.js';
import { selectBlockLabels } from './select.js';

/** Series whose chunks are fetched together: one round of GETs per block per batch. */
const CHUNK_BATCH_SERIES = 1024;
const CHUNK_BATCH_CHUNKS = 8192;
/**
 * Segment-file bytes one batch's chunks may span per block (merge.ts says why). 2 MiB, not more: each
 * batch's GET buffer lives until the garbage collector notices it, and on the 100k-series bench an 8 MiB
 * span kept peak RSS ~100 MB higher (363 vs 266 MB) for no gain in speed; a GET of 2 MiB is still large
 * for object storage.
 */
const CHUNK_BATCH_SPAN = 2 * 2 ** 20;

export interface StoreServiceOptions {
  blocks: BlockSet;
  metrics: StoreMetrics;
  /** --store.grpc.series-max-concurrency */
  seriesGate: Semaphore;
  /** The chunk pool the blocks acquire from; released here once a batch is sent. */
  chunkPool: Semaphore;
  log: StoreLogger;
}

export async function bucketStoreApi(opts: StoreServiceOptions): Promise<{ store: StoreService; info: InfoService }> {
  const { blocks, metrics, seriesGate, log } = opts;

  /** Blocks overlapping [mint, maxt] whose external labels pass the ext matchers, with their local matchers. */
  function plan(matchers: readonly Matcher[], mint: number, maxt: number): { block: StoreBlock; local: Matcher[] }[] {
    const out: { block: StoreBlock; local: Matcher[] }[] = [];
    for (const block of blocks.blocks()) {
      if (!block.overlaps(mint, maxt)) continue;
      const ext = block.extLabels;
      const local: Matcher[] = [];
      let ok = true;
      for (const m of matchers) {
        if (ext.has(m.name)) ok &&= m.matches(ext.get(m.name));
        else local.push(m);
      }
      if (ok) out.push({ block, local });
    }
    return out;
  }

  function clip(mint: number, maxt: number): { mint: number; maxt: number } {
    const w = blocks.timeWindow();
    return { mint: Math.max(mint, w.min), maxt: Math.min(maxt, w.max) };
  }

  /** Runs fn per block; a failing block becomes a warning (WARN) or fails the call (ABORT). */
  async function perBlock<T>(
    planned: { block: StoreBlock; local: Matcher[] }[],
    strategy: PartialResponseStrategy,
    warnings: string[],
    fn: (block: StoreBlock, local: Matcher[]) => Promise<T>,
  ): Promise<T[]> {
    const res = await Promise.allSettled(planned.map((p) => fn(p.block, p.local)));
    const out: T[] = [];
    res.forEach((r, i) => {
      if (r.status === 'fulfilled') out.push(r.value);
      else blockFailed(planned[i]!.block, r.reason, strategy, warnings);
    });
    return out;
  }

  function blockFailed(block: StoreBlock, err: unknown, strategy: PartialResponseStrategy, warnings: string[]): void {
    if (!(err instanceof StorageError)) throw err; // cancellations, bad matchers: not the block's fault
    metrics.blockQueryFailures.inc();
    const msg = `block ${block.id}: ${err.message}`;
    log.warn({ block: block.id, err: err.message }, 'skipping block in request');
    if (strategy === PartialResponseStrategy.ABORT) throw new StorageError(msg, { cause: err });
    warnings.push(msg);
  }

  /**
   * skip_chunks: each series is written as a whole Series message into one buffer (symbol bytes straight
   * into their frame) and `batchSize` of them make a frame.
   */
  async function labelsOnly(merger: SeriesMerger, batchSize: number, send: FrameSink<SeriesFrame>, signal: AbortSignal): Promise<void> {
    const out = new LabelBytes();
    const batched = batchSize > 1;
    for (;;) {
      throwIfAborted(signal, 'Series');
      const batch = await merger.next(CHUNK_BATCH_SERIES, Infinity, Infinity);
      if (batch === undefined) break;
      const { labels, source, partStart, partCols, partRow } = batch;
      let n = 0;
      for (let i = 0; i < labels.length; i++) {
        const flat = labels[i];
        if (flat !== undefined) out.writeFlatSeries(flat);
        else {
          const p = partStart[i]!;
          source[i]!.writeSeries(out, partCols[p]!, partRow[p]!);
        }
        if (++n >= batchSize) {
          await send(out.frame(batched));
          n = 0;
        }
      }
      if (n > 0) await send(out.frame(batched));
    }
  }

  /**
   * labelsOnly for one block whose series all differ (nothing to merge): its cursor's series in order,
   * without the merger's per-series bookkeeping.
   */
  async function labelsOnlyOneBlock(
    c: BlockSeriesCursor,
    limit: number,
    batchSize: number,
    onBlockError: (block: StoreBlock, err: unknown) => void,
    send: FrameSink<SeriesFrame>,
    signal: AbortSignal,
  ): Promise<void> {
    const out = new LabelBytes();
    const batched = batchSize > 1;
    let emitted = 0;
    let n = 0;
    while (emitted < limit) {
      throwIfAborted(signal, 'Series');
      let more: boolean;
      try {
        more = await c.more();
      } catch (err) {
        onBlockError(c.block, err);
        more = false;
      }
      if (!more) break;
      const { cols, rows } = c;
      const end = Math.min(cols.length, c.pos + (limit - emitted));
      for (let i = c.pos; i < end; i++) {
        c.writeSeries(out, cols[i]!, rows[i]!);
        if (++n >= batchSize) {
          await send(out.frame(batched));
          n = 0;
        }
      }
      emitted += end - c.pos;
      c.pos = end;
    }
    if (n > 0) await send(out.frame(batched));
  }

  /** Series with chunks: frames from SeriesFrameWriter, chunks fetched per merged batch. */
  async function withChunks(
    merger: SeriesMerger,
    batchSize: number,
    failed: Set<StoreBlock>,
    onBlockError: (block: StoreBlock, err: unknown) => void,
    send: FrameSink<SeriesFrame>,
    signal: AbortSignal,
  ): Promise<void> {
    // Frames are written from label bytes and chunk views and sent pre-encoded (SeriesFrame bytes).
    const writer = new SeriesFrameWriter();
    const labelBytes = new LabelBytes();
    const flush = async (): Promise<void> => {
      if (writer.seriesCount === 0) return;
      const frame = batchSize <= 1 ? writer.seriesFrame() : writer.batchFrame();
      labelBytes.reset(); // the frame holds its own copy now
      await send(frame);
    };
    for (;;) {
      throwIfAborted(signal, 'Series');
      const batch = await merger.next(CHUNK_BATCH_SERIES, CHUNK_BATCH_CHUNKS, CHUNK_BATCH_SPAN);
      if (batch === undefined) break;
      const lease = { bytes: 0 };
      try {
        const chunks = await BatchChunks.fetch(batch, opts.chunkPool, lease, failed, onBlockError, signal);
        for (let i = 0; i < batch.labels.length; i++) {
          // Every chunk from a block that failed: no series.
          if (chunks.nextSeries() === 0) continue;
          writer.beginSeries();
          const flat = batch.labels[i];
          if (flat !== undefined) {
            const start = labelBytes.writeFlat(flat);
            writer.labels(labelBytes.buf, start, labelBytes.pos);
          } else {
            const p = batch.partStart[i]!;
            batch.source[i]!.writeLabels(writer, labelBytes, batch.partCols[p]!, batch.partRow[p]!);
          }
          chunks.writeChunks(writer);
          if (writer.seriesCount >= batchSize) await flush();
        }
        await flush(); // chunk views must be copied into a frame before the lease is released
      } finally {
        opts.chunkPool.release(lease.bytes);
      }
    }
  }

  const store: StoreService = {
    async series(req: SeriesRequest, send: FrameSink<SeriesFrame>, ctx: CallContext): Promise<void> {
      const matchers = matchersFromProto(req.matchers);
      await seriesGate.acquire(1, ctx.signal);
      try {
        const { mint, maxt } = clip(int64ToMillis(req.min_time), int64ToMillis(req.max_time));
        if (mint > maxt) return;
        const warnings: string[] = [];
        const strategy = req.partial_response_strategy;
        const cursors: BlockSeriesCursor[] = [];
        for (const { block, local } of plan(matchers, mint, maxt)) {
          const drop = req.without_replica_labels.filter((n) => block.extLabels.has(n));
          cursors.push(new BlockSeriesCursor(block, local, mint, maxt, drop, ctx.signal, !req.skip_chunks));
        }
        const limit = int64ToMillis(req.limit);
        const failed = new Set<StoreBlock>();
        const onBlockError = (block: StoreBlock, err: unknown): void => {
          failed.add(block);
          blockFailed(block, err, strategy, warnings);
        };
        const merger = new SeriesMerger(cursors, limit > 0 ? limit : 0, onBlockError);
        const batchSize = int64ToMillis(req.response_batch_size);
        if (req.skip_chunks && cursors.length === 1 && !cursors[0]!.mayRepeat) {
          await labelsOnlyOneBlock(cursors[0]!, limit > 0 ? limit : Infinity, batchSize, onBlockError, send, ctx.signal);
        } else if (req.skip_chunks) await labelsOnly(merger, batchSize, send, ctx.signal);
        else await withChunks(merger, batchSize, failed, onBlockError, send, ctx.signal);
        for (const w of warnings) await send({ warning: w });
      } finally {
        seriesGate.release(1);
      }
    },

    async labelNames(req: LabelNamesRequest, ctx: CallContext): Promise<LabelNamesResponse> {
      const matchers = matchersFromProto(req.matchers);
      const { mint, maxt } = clip(int64ToMillis(req.start), int64ToMillis(req.end));
      const warnings: string[] = [];
      const names = new Set<string>();
      if (mint <= maxt) {
        const sets = await perBlock(plan(matchers, mint, maxt), req.partial_response_strategy, warnings, async (block, local) => {
          const found = new Set<string>();
          if (local.length === 0) {
            for (const n of block.header.labelNames()) found.add(n);
          } else {
            for (const ls of await selectBlockLabels(block, local, mint, maxt, ctx.signal)) for (let i = 0; i < ls.length; i += 2) found.add(ls[i]!);
          }
          if (found.size > 0) block.extLabels.forEach((n) => found.add(n));
          return found;
        });
        for (const s of sets) for (const n of s) names.add(n);
      }
      // Only external labels are replica labels a store may drop.
      for (const n of req.without_replica_labels) if (blocks.blocks().some((b) => b.extLabels.has(n))) names.delete(n);
      return { names: limited([...names].sort(), req.limit), warnings };
    },

    async labelValues(req: LabelValuesRequest, ctx: CallContext): Promise<LabelValuesResponse> {
      if (req.without_replica_labels.includes(req.label)) return { values: [], warnings: [] };
      const matchers = matchersFromProto(req.matchers);
      const { mint, maxt } = clip(int64ToMillis(req.start), int64ToMillis(req.end));
      const warnings: string[] = [];
      const values = new Set<string>();
      if (mint <= maxt) {
        const sets = await perBlock(plan(matchers, mint, maxt), req.partial_response_strategy, warnings, async (block, local) => {
          const ext = block.extLabels;
          if (local.length === 0) {
            if (ext.has(req.label)) return block.meta.stats.numSeries > 0 ? [ext.get(req.label)] : [];
            return block.header.labelValues(req.label);
          }
          const found = new Set<string>();
          for (const ls of await selectBlockLabels(block, local, mint, maxt, ctx.signal)) {
            for (let i = 0; i < ls.length; i += 2) if (ls[i] === req.label && ls[i + 1] !== '') found.add(ls[i + 1]!);
          }
          return [...found];
        });
        for (const s of sets) for (const v of s) values.add(v);
      }
      return { values: limited([...values].sort(), req.limit), warnings };
    },
  };

  const info: InfoService = {
    async info(): Promise<InfoResponse> {
      if (!blocks.ready) throw new Error('Not ready');
      const w = blocks.timeWindow();
      let mint = Infinity;
      let maxt = -Infinity;
      const sets = new Map<string, { labels: Labels; mint: number; maxt: number }>();
      for (const b of blocks.blocks()) {
        mint = Math.min(mint, b.meta.minTime);
        maxt = Math.max(maxt, b.meta.maxTime);
        const k = b.extLabels.key();
        const s = sets.get(k);
        if (s === undefined) sets.set(k, { labels: b.extLabels, mint: b.meta.minTime, maxt: b.meta.maxTime });
        else {
          s.mint = Math.min(s.mint, b.meta.minTime);
          s.maxt = Math.max(s.maxt, b.meta.maxTime);
        }
      }
      const clipT = (v: number): string => millisToInt64(Math.min(Math.max(v, w.min), w.max));
      const min_time = mint === Infinity ? MAX_INT64 : clipT(mint);
      const max_time = maxt === -Infinity ? MIN_INT64 : clipT(maxt);
      const labelled = [...sets.values()].filter((s) => !s.labels.isEmpty());
      return {
        label_sets: labelled.map((s) => ({ labels: labelsToProto(s.labels) })),
        ComponentType: 'store',
        store: {
          min_time,
          max_time,
          supports_sharding: false,
          supports_without_replica_labels: true,
          tsdb_infos: labelled.map((s) => ({ labels: { labels: labelsToProto(s.labels) }, min_time: clipT(s.mint), max_time: clipT(s.maxt) })),
          supports_projections: false,
        },
      };
    },
  };
  return { store, info };
}

function limited(values: string[], limit: string): string[] {
  const n = int64ToMillis(limit);
  return n > 0 && values.length > n ? values.slice(0, n) : values;
}
