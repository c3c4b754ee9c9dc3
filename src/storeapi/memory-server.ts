/**
 * An in-memory StoreAPI (thanos.Store + thanos.info.Info) over a MemoryStorage: the "store-memory" of the
 * acceptance suite, the demo, and a peer for querier tests.
 *
 * Behaves as a Thanos store with raw data: series extended by external labels (external wins), matchers
 * evaluated on the extended set, `without_replica_labels` removing external labels only (then re-sorted),
 * samples cut into XOR chunks of ≤120 (Prometheus's target) with xxhash64 in `Chunk.hash`, `skip_chunks`,
 * `limit` (truncates), and `series` or `batch` frames per `response_batch_size`. Not supported, and not
 * advertised: sharding, downsampled aggregates (raw chunks are returned whatever `aggregates` asks), hints.
 */
import xxhash from 'xxhash-wasm';
import { encodeChunks, SAMPLES_PER_CHUNK } from '../chunkenc/index.js';
import { Labels, throwIfAborted, type Matcher } from '../model/index.js';
import type { MemoryStorage, Series } from '../storage/index.js';
import { extendLabels, labelsToProto, matchersFromProto } from './convert.js';
import { int64ToMillis, MAX_INT64, millisToInt64, MIN_INT64 } from './int64.js';
import type { CallContext, FrameSink, InfoService, StoreService } from './server.js';
import {
  ThanosChunkEncoding,
  type InfoResponse,
  type LabelNamesRequest,
  type LabelNamesResponse,
  type LabelValuesRequest,
  type LabelValuesResponse,
  type ProtoAggrChunk,
  type ProtoLabelMatcher,
  type ProtoSeries,
  type SeriesRequest,
  type SeriesResponse,
} from './types.js';

export interface MemoryStoreApiOptions {
  /** Info's ComponentType: "store", "sidecar", "receive", "debug", … */
  componentType: string;
  /** The store's external labels, added to every series. */
  externalLabels?: Labels;
  /** Samples per XOR chunk (default 120). */
  samplesPerChunk?: number;
}

let hasher: Promise<(data: Uint8Array) => bigint> | undefined;

/** The Store and Info services over `db`, ready for startGrpcServer. */
export function memoryStoreApi(db: MemoryStorage, opts: MemoryStoreApiOptions): { store: StoreService; info: InfoService } {
  const ext = opts.externalLabels ?? Labels.EMPTY;
  const samplesPerChunk = opts.samplesPerChunk ?? SAMPLES_PER_CHUNK;
  hasher ??= xxhash().then((api) => (data: Uint8Array) => api.h64Raw(data));

  /**
   * Splits matchers: those on external label names are decided now against the external value (a series
   * cannot override an external label), the rest go to storage. null when an external one fails.
   */
  function splitMatchers(proto: readonly ProtoLabelMatcher[]): Matcher[] | null {
    const local: Matcher[] = [];
    for (const m of matchersFromProto(proto)) {
      if (ext.has(m.name)) {
        if (!m.matches(ext.get(m.name))) return null;
      } else local.push(m);
    }
    return local;
  }

  /** The external label names in `without` (only those are replica labels we may drop). */
  function replicaLabels(without: readonly string[]): string[] {
    return without.filter((n) => ext.has(n));
  }

  async function chunksOf(s: Series): Promise<ProtoAggrChunk[]> {
    const h64 = await hasher!;
    return encodeChunks(s.timestamps, s.values, 0, s.values.length, samplesPerChunk).map((c) => ({
      min_time: millisToInt64(c.minTime),
      max_time: millisToInt64(c.maxTime),
      raw: { type: ThanosChunkEncoding.XOR, data: c.data, hash: h64(c.data).toString() },
    }));
  }

  const store: StoreService = {
    async series(req: SeriesRequest, send: FrameSink<SeriesResponse>, ctx: CallContext): Promise<void> {
      const local = splitMatchers(req.matchers);
      if (local === null) return;
      const mint = int64ToMillis(req.min_time);
      const maxt = int64ToMillis(req.max_time);
      const drop = replicaLabels(req.without_replica_labels);

      const picked: { labels: Labels; series: Series }[] = [];
      const set = db.select(local, { mint, maxt }, ctx.signal);
      while (await set.next()) {
        const s = set.at();
        let labels = extendLabels(s.labels, ext);
        if (drop.length > 0) labels = labels.drop(drop);
        picked.push({ labels, series: s });
      }
      // Storage order is by the series' own labels; external labels (overriding values) and dropped
      // replica labels can change it, and the StoreAPI promises sorted output.
      if (!ext.isEmpty()) picked.sort((a, b) => Labels.compare(a.labels, b.labels));
      const limit = int64ToMillis(req.limit);
      if (limit > 0 && picked.length > limit) picked.length = limit;

      const batchSize = int64ToMillis(req.response_batch_size);
      let batch: ProtoSeries[] = [];
      for (const p of picked) {
        throwIfAborted(ctx.signal, 'Series');
        const series: ProtoSeries = { labels: labelsToProto(p.labels), chunks: req.skip_chunks ? [] : await chunksOf(p.series) };
        if (batchSize <= 1) {
          await send({ series });
          continue;
        }
        batch.push(series);
        if (batch.length >= batchSize) {
          await send({ batch: { series: batch } });
          batch = [];
        }
      }
      if (batch.length > 0) await send({ batch: { series: batch } });
    },

    async labelNames(req: LabelNamesRequest, ctx: CallContext): Promise<LabelNamesResponse> {
      const local = splitMatchers(req.matchers);
      if (local === null) return { names: [], warnings: [] };
      const range = { mint: int64ToMillis(req.start), maxt: int64ToMillis(req.end) };
      const res = await db.labelNames(local, range);
      throwIfAborted(ctx.signal, 'LabelNames');
      const names = new Set(res.values);
      // External labels belong to every series, so they are names of the result whenever it has series.
      if (names.size > 0) ext.forEach((n) => names.add(n));
      for (const n of replicaLabels(req.without_replica_labels)) names.delete(n);
      return { names: limited([...names].sort(), req.limit), warnings: res.warnings };
    },

    async labelValues(req: LabelValuesRequest, ctx: CallContext): Promise<LabelValuesResponse> {
      // Thanos stores answer nothing for a label the caller is about to strip as a replica label.
      if (req.without_replica_labels.includes(req.label)) return { values: [], warnings: [] };
      const local = splitMatchers(req.matchers);
      if (local === null) return { values: [], warnings: [] };
      const range = { mint: int64ToMillis(req.start), maxt: int64ToMillis(req.end) };
      if (ext.has(req.label)) {
        const any = await db.labelNames(local, range);
        return { values: any.values.length > 0 ? [ext.get(req.label)] : [], warnings: any.warnings };
      }
      const res = await db.labelValues(req.label, local, range);
      throwIfAborted(ctx.signal, 'LabelValues');
      return { values: limited(res.values, req.limit), warnings: res.warnings };
    },
  };

  const info: InfoService = {
    async info(): Promise<InfoResponse> {
      let mint = Infinity;
      let maxt = -Infinity;
      for (const s of db.allSeries()) {
        const n = s.timestamps.length;
        if (n === 0) continue;
        if (s.timestamps[0] < mint) mint = s.timestamps[0];
        if (s.timestamps[n - 1] > maxt) maxt = s.timestamps[n - 1];
      }
      // No data: an empty range (min > max), so a querier never routes queries here.
      const min_time = mint === Infinity ? MAX_INT64 : millisToInt64(mint);
      const max_time = maxt === -Infinity ? MIN_INT64 : millisToInt64(maxt);
      const labelSets = ext.isEmpty() ? [] : [{ labels: labelsToProto(ext) }];
      return {
        label_sets: labelSets,
        ComponentType: opts.componentType,
        store: {
          min_time,
          max_time,
          supports_sharding: false,
          supports_without_replica_labels: true,
          tsdb_infos: ext.isEmpty() ? [] : [{ labels: labelSets[0], min_time, max_time }],
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
