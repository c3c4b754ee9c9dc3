/**
 * thanos.Store and thanos.info.Info over the block set (thanos.md §1, §5.4): Series streams sorted, merged
 * series with raw XOR chunks (xxhash64 in Chunk.hash), LabelNames/LabelValues answer from the index-header
 * when no matchers narrow them, Info advertises the loaded blocks' time range and external label sets and
 * errors "Not ready" until the first sync.
 *
 * A block whose index or chunks turn out corrupt during a request is skipped with a warning frame (partial
 * response WARN, the proto default) and counted; with ABORT the request fails.
 */
import xxhash from 'xxhash-wasm';
import { Labels, throwIfAborted, type Matcher, StorageError } from '../model/index.js';
import {
  int64ToMillis,
  labelsToProto,
  matchersFromProto,
  MAX_INT64,
  millisToInt64,
  MIN_INT64,
  PartialResponseStrategy,
  thanosEncodingFromProm,
  type CallContext,
  type FrameSink,
  type InfoResponse,
  type InfoService,
  type LabelNamesRequest,
  type LabelNamesResponse,
  type LabelValuesRequest,
  type LabelValuesResponse,
  type ProtoAggrChunk,
  type ProtoSeries,
  type SeriesRequest,
  type SeriesResponse,
  type StoreService,
} from '../storeapi/index.js';
import type { StoreBlock } from './block.js';
import type { BlockSet, StoreLogger } from './bucket-store.js';
import type { Semaphore } from './caches.js';
import type { StoreMetrics } from './metrics.js';
import { mergeSelected, selectBlockSeries, type SelectedSeries } from './select.js';

/** Series whose chunks are fetched together: one round of GETs per block per batch. */
const CHUNK_BATCH_SERIES = 1024;
const CHUNK_BATCH_CHUNKS = 8192;

export interface StoreServiceOptions {
  blocks: BlockSet;
  metrics: StoreMetrics;
  /** --store.grpc.series-max-concurrency */
  seriesGate: Semaphore;
  /** The chunk pool the blocks acquire from; released here once a batch is sent. */
  chunkPool: Semaphore;
  log: StoreLogger;
}

let hasherLoad: Promise<(data: Uint8Array) => bigint> | undefined;

export async function bucketStoreApi(opts: StoreServiceOptions): Promise<{ store: StoreService; info: InfoService }> {
  hasherLoad ??= xxhash().then((api) => (data: Uint8Array) => api.h64Raw(data));
  const h64 = await hasherLoad;
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

  const store: StoreService = {
    async series(req: SeriesRequest, send: FrameSink<SeriesResponse>, ctx: CallContext): Promise<void> {
      const matchers = matchersFromProto(req.matchers);
      await seriesGate.acquire(1, ctx.signal);
      try {
        const { mint, maxt } = clip(int64ToMillis(req.min_time), int64ToMillis(req.max_time));
        if (mint > maxt) return;
        const warnings: string[] = [];
        const planned = plan(matchers, mint, maxt);
        const lists = await perBlock(planned, req.partial_response_strategy, warnings, (block, local) => {
          const drop = req.without_replica_labels.filter((n) => block.extLabels.has(n));
          return selectBlockSeries(block, local, mint, maxt, drop, ctx.signal);
        });
        const limit = int64ToMillis(req.limit);
        const merged = mergeSelected(lists, limit > 0 ? limit : 0);
        const failed = new Set<StoreBlock>();
        const batchSize = int64ToMillis(req.response_batch_size);
        let frame: ProtoSeries[] = [];
        const flush = async (): Promise<void> => {
          if (frame.length > 0) await send({ batch: { series: frame } });
          frame = [];
        };

        for (let from = 0; from < merged.length; ) {
          throwIfAborted(ctx.signal, 'Series');
          let to = from;
          let nChunks = 0;
          while (to < merged.length && to - from < CHUNK_BATCH_SERIES && nChunks < CHUNK_BATCH_CHUNKS) {
            for (const p of merged[to]!.parts) nChunks += p.ref.length;
            to++;
          }
          const lease = { bytes: 0 };
          try {
            const batch = merged.slice(from, to);
            const chunks = req.skip_chunks ? undefined : await fetchChunks(batch, lease, failed, req.partial_response_strategy, warnings, ctx.signal);
            for (let i = 0; i < batch.length; i++) {
              const s = batch[i]!;
              let out: ProtoAggrChunk[] = [];
              if (chunks !== undefined) {
                out = chunks[i]!;
                if (out.length === 0) continue; // every chunk came from a block that failed
              }
              const series: ProtoSeries = { labels: labelsToProto(s.labels), chunks: out };
              if (batchSize <= 1) await send({ series });
              else {
                frame.push(series);
                if (frame.length >= batchSize) await flush();
              }
            }
            await flush(); // chunk views must be serialized before the lease is released
          } finally {
            opts.chunkPool.release(lease.bytes);
          }
          from = to;
        }
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
            for (const s of await selectBlockSeries(block, local, mint, maxt, [], ctx.signal)) s.labels.forEach((n) => found.add(n));
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
          for (const s of await selectBlockSeries(block, local, mint, maxt, [], ctx.signal)) {
            const v = s.labels.get(req.label);
            if (v !== '') found.add(v);
          }
          return [...found];
        });
        for (const s of sets) for (const v of s) values.add(v);
      }
      return { values: limited([...values].sort(), req.limit), warnings };
    },
  };

  /** Chunk bytes for a batch of merged series, per block, as AggrChunks sorted by min time. */
  async function fetchChunks(
    batch: SelectedSeries[],
    lease: { bytes: number },
    failed: Set<StoreBlock>,
    strategy: PartialResponseStrategy,
    warnings: string[],
    signal: AbortSignal,
  ): Promise<ProtoAggrChunk[][]> {
    const perBlockRefs = new Map<StoreBlock, number[]>();
    for (const s of batch) {
      for (const p of s.parts) {
        if (failed.has(p.block)) continue;
        let refs = perBlockRefs.get(p.block);
        if (refs === undefined) perBlockRefs.set(p.block, (refs = []));
        for (let i = 0; i < p.ref.length; i++) refs.push(p.ref[i]!);
      }
    }
    // One acquisition per batch for all its GETs: acquiring per GET while holding earlier ones could deadlock
    // two requests (or one request's own GETs) against each other.
    let estimate = 0;
    for (const [block, refs] of perBlockRefs) estimate += block.chunkBytesEstimate(refs);
    await opts.chunkPool.acquire(estimate, signal);
    lease.bytes += estimate;
    const fetched = new Map<StoreBlock, Map<number, { encoding: number; data: Uint8Array }>>();
    await Promise.all(
      [...perBlockRefs].map(async ([block, refs]) => {
        try {
          const got = await block.chunks(refs, lease, signal);
          const byRef = new Map<number, { encoding: number; data: Uint8Array }>();
          refs.forEach((r, i) => byRef.set(r, got[i]!));
          fetched.set(block, byRef);
        } catch (err) {
          failed.add(block);
          blockFailed(block, err, strategy, warnings);
        }
      }),
    );
    return batch.map((s) => {
      const out: ProtoAggrChunk[] = [];
      for (const p of s.parts) {
        const byRef = fetched.get(p.block);
        if (byRef === undefined) continue;
        for (let i = 0; i < p.ref.length; i++) {
          const c = byRef.get(p.ref[i]!)!;
          out.push({
            min_time: millisToInt64(p.mint[i]!),
            max_time: millisToInt64(p.maxt[i]!),
            raw: { type: thanosEncodingFromProm(c.encoding), data: c.data, hash: h64(c.data).toString() },
          });
        }
      }
      if (s.parts.length > 1) out.sort((a, b) => Number(a.min_time) - Number(b.min_time));
      return out;
    });
  }

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
