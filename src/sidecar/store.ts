/**
 * The sidecar's StoreAPI (thanos.Store + thanos.info.Info) over one Prometheus, as Thanos's
 * `pkg/store/prometheus.go` behaves (fact sheet thanos.md §7.1):
 *
 *  - Info: the external labels as the one label set, min time = max(--min-time, lowest TSDB timestamp),
 *    max time = MaxInt64 (Prometheus keeps ingesting), `supports_without_replica_labels`. "Not ready: …"
 *    until Prometheus has answered with external labels.
 *  - Series: matchers on external label names are decided here against our external values and left out of
 *    the request (Prometheus would apply them to its TSDB, where those labels do not exist); if nothing is
 *    left the request is refused, as Thanos does, rather than reading the whole TSDB. Remote read with
 *    chunks passed through untouched (encoding number − 1, xxhash64 in `hash`); labels extended by the
 *    external labels (external wins) minus `without_replica_labels`; `skip_chunks` via /api/v1/series.
 *  - LabelNames / LabelValues: Prometheus's HTTP API plus the external labels.
 *  - MetricMetadata: Prometheus's /api/v1/metadata (metric-metadata.ts), advertised as `metric_metadata {}`.
 *  - Exemplars: Prometheus's /api/v1/query_exemplars (exemplars.ts), advertised with the store's time range.
 *
 * Not served, and not advertised: sharding, rules, targets, native histograms.
 */
import xxhash from 'xxhash-wasm';
import { BadDataError, Labels, NotSupportedError, StorageError, throwIfAborted, type Matcher } from '../model/index.js';
import {
  extendLabels,
  int64ToMillis,
  labelsToProto,
  MAX_INT64,
  matchersFromProto,
  millisToInt64,
  PromChunkEncoding,
  ThanosChunkEncoding,
  type CallContext,
  type FrameSink,
  type InfoResponse,
  type InfoService,
  type ExemplarsService,
  type MetadataService,
  type LabelNamesRequest,
  type LabelNamesResponse,
  type LabelValuesRequest,
  type LabelValuesResponse,
  type ProtoAggrChunk,
  type ProtoLabelMatcher,
  type SeriesRequest,
  type SeriesFrame,
  type StoreService,
} from '../storeapi/index.js';
import type { RemoteChunk } from './chunked-decoder.js';
import { PrometheusLabelsApi } from './labels-api.js';
import { sidecarExemplarsApi } from './exemplars.js';
import { sidecarMetadataApi } from './metric-metadata.js';
import type { PrometheusMetadata } from './metadata.js';
import type { PrometheusHttp } from './prometheus-http.js';
import { RemoteReadClient, type RemoteReadOptions } from './remote-read.js';
import { SeriesFrames } from './series-frames.js';
import { SeriesWriter } from './series-writer.js';

export interface SidecarStoreOptions {
  prometheus: PrometheusHttp;
  metadata: PrometheusMetadata;
  remoteRead?: RemoteReadOptions;
}

/** The Store, Info, Metadata and Exemplars services, ready for startGrpcServer. */
export async function sidecarStoreApi(
  opts: SidecarStoreOptions,
): Promise<{ store: StoreService; info: InfoService; metadata: MetadataService; exemplars: ExemplarsService }> {
  const { metadata } = opts;
  const h64 = (await xxhash()).h64Raw;
  const reader = new RemoteReadClient(opts.prometheus, opts.remoteRead);
  const labelsApi = new PrometheusLabelsApi(opts.prometheus);

  /** Matchers left for Prometheus, or null when one on an external label cannot match. */
  function splitMatchers(proto: readonly ProtoLabelMatcher[], ext: Labels): Matcher[] | null {
    const local: Matcher[] = [];
    for (const m of compiledMatchers(proto)) {
      if (ext.has(m.name)) {
        if (!m.matches(ext.get(m.name))) return null;
      } else local.push(m);
    }
    return local;
  }

  function convertChunk(c: RemoteChunk, labels: Labels): ProtoAggrChunk {
    if (c.type !== PromChunkEncoding.XOR) {
      if (c.type === PromChunkEncoding.HISTOGRAM || c.type === PromChunkEncoding.FLOAT_HISTOGRAM) {
        throw new NotSupportedError(
          `series ${labels.toString()}: native histogram chunks (remote-read encoding ${PromChunkEncoding[c.type]}) are not supported by the promfed sidecar`,
        );
      }
      throw new StorageError(`series ${labels.toString()}: remote read returned a chunk with unknown encoding ${String(c.type)}`);
    }
    const data = c.data;
    return {
      // Numbers and bigints as they are: the Series encoder takes them without a decimal round trip.
      min_time: c.minTime,
      max_time: c.maxTime,
      // Encoding number minus one: remote read counts as Prometheus's chunkenc (XOR = 1), Thanos from 0.
      raw: { type: ThanosChunkEncoding.XOR, data, hash: h64(data) },
    };
  }

  const store: StoreService = {
    async series(req: SeriesRequest, send: FrameSink<SeriesFrame>, ctx: CallContext): Promise<void> {
      const ext = metadata.externalLabels();
      const matchers = splitMatchers(req.matchers, ext);
      if (matchers === null) return;
      if (matchers.length === 0) throw new BadDataError('no matchers specified (excluding external labels)');
      const mint = Math.max(int64ToMillis(req.min_time), metadata.minTime());
      const maxt = int64ToMillis(req.max_time);
      if (mint > maxt) return;
      const drop = req.without_replica_labels.filter((n) => ext.has(n));
      const newWriter = (): SeriesWriter =>
        new SeriesWriter(send, {
          // /api/v1/series answers in no promised order, so that path always sorts.
          resort: drop.length > 0 || req.skip_chunks,
          batchSize: int64ToMillis(req.response_batch_size),
          limit: int64ToMillis(req.limit),
        });
      const outLabels = (own: Labels): Labels => {
        const l = extendLabels(own, ext);
        return drop.length > 0 ? l.drop(drop) : l;
      };

      if (req.skip_chunks) {
        const writer = newWriter();
        for (const own of await labelsApi.series(matchers, mint, maxt, ctx.signal)) await writer.push(outLabels(own), []);
        await writer.end();
        return;
      }
      if (drop.length === 0) {
        // Streaming: Series frames written from the remote-read frames as they arrive (series-frames.ts).
        const out = new SeriesFrames(ext, { batchSize: int64ToMillis(req.response_batch_size), limit: int64ToMillis(req.limit) });
        try {
          reading: for await (const part of reader.readParts({ mint, maxt, matchers }, ctx.signal)) {
            if (part.series !== undefined) for (const s of part.series) out.addSeries(s);
            else {
              for (const frame of part.frames) {
                out.addFrame(frame);
                for (const f of out.take()) await send(f);
                if (out.full) break reading;
              }
            }
            for (const f of out.take()) await send(f);
            if (out.full) break;
          }
          throwIfAborted(ctx.signal, 'Series');
          out.end();
          for (const f of out.take()) await send(f);
        } finally {
          out.release();
        }
        return;
      }
      const writer = newWriter();
      for await (const s of reader.read({ mint, maxt, matchers }, ctx.signal)) {
        const labels = outLabels(s.labels);
        const chunks: ProtoAggrChunk[] = new Array(s.chunks.length);
        for (let i = 0; i < s.chunks.length; i++) chunks[i] = convertChunk(s.chunks[i], labels);
        await writer.push(labels, chunks);
        if (writer.full) break;
      }
      throwIfAborted(ctx.signal, 'Series');
      await writer.end();
    },

    async labelNames(req: LabelNamesRequest, ctx: CallContext): Promise<LabelNamesResponse> {
      const ext = metadata.externalLabels();
      const matchers = splitMatchers(req.matchers, ext);
      if (matchers === null) return { names: [], warnings: [] };
      const range = clampRange(req.start, req.end, metadata.minTime());
      if (range === null) return { names: [], warnings: [] };
      const names = new Set(await labelsApi.labelNames(matchers, range.mint, range.maxt, ctx.signal));
      // External labels belong to every series, so they are names of the result whenever it has any.
      if (names.size > 0) ext.forEach((n) => names.add(n));
      for (const n of req.without_replica_labels) if (ext.has(n)) names.delete(n);
      return { names: limited([...names].sort(), req.limit), warnings: [] };
    },

    async labelValues(req: LabelValuesRequest, ctx: CallContext): Promise<LabelValuesResponse> {
      const ext = metadata.externalLabels();
      // Thanos stores answer nothing for a label the caller is about to strip as a replica label.
      if (req.without_replica_labels.includes(req.label)) return { values: [], warnings: [] };
      const matchers = splitMatchers(req.matchers, ext);
      if (matchers === null) return { values: [], warnings: [] };
      // Every series has the external value (as Thanos's sidecar answers, without asking Prometheus).
      if (ext.has(req.label)) return { values: [ext.get(req.label)], warnings: [] };
      const range = clampRange(req.start, req.end, metadata.minTime());
      if (range === null) return { values: [], warnings: [] };
      const values = await labelsApi.labelValues(req.label, matchers, range.mint, range.maxt, ctx.signal);
      return { values: limited(values, req.limit), warnings: [] };
    },
  };

  const info: InfoService = {
    async info(): Promise<InfoResponse> {
      const ext = metadata.externalLabels();
      const labelSet = { labels: labelsToProto(ext) };
      const min_time = millisToInt64(metadata.minTime());
      return {
        label_sets: [labelSet],
        ComponentType: 'sidecar',
        store: {
          min_time,
          max_time: MAX_INT64,
          supports_sharding: false,
          supports_without_replica_labels: true,
          tsdb_infos: [{ labels: labelSet, min_time, max_time: MAX_INT64 }],
          supports_projections: false,
        },
        metric_metadata: {},
        exemplars: { min_time, max_time: MAX_INT64 },
      };
    },
  };

  return { store, info, metadata: sidecarMetadataApi(opts.prometheus), exemplars: sidecarExemplarsApi(opts.prometheus, metadata) };
}

/**
 * Matchers by their proto form, compiled once: dashboards send the same selectors again and again, and
 * compiling a regex (re2js, which also validates it) costs ~0.5 ms, as much as a few thousand series of
 * the rest of a Series call. Matchers are immutable; the memo is bounded and simply cleared when full.
 */
const MATCHER_MEMO_SIZE = 1024;
const matcherMemo = new Map<string, Matcher>();

function compiledMatchers(proto: readonly ProtoLabelMatcher[]): Matcher[] {
  const out: Matcher[] = new Array(proto.length);
  for (let i = 0; i < proto.length; i++) {
    const p = proto[i];
    const key = `${p.type}\u0000${p.name}\u0000${p.value}`;
    let m = matcherMemo.get(key);
    if (m === undefined) {
      m = matchersFromProto([p])[0]; // throws on an invalid matcher: nothing is memoised
      if (matcherMemo.size >= MATCHER_MEMO_SIZE) matcherMemo.clear();
      matcherMemo.set(key, m);
    }
    out[i] = m;
  }
  return out;
}

function clampRange(start: string, end: string, minTime: number): { mint: number; maxt: number } | null {
  const mint = Math.max(int64ToMillis(start), minTime);
  const maxt = int64ToMillis(end);
  return mint > maxt ? null : { mint, maxt };
}

function limited(values: string[], limit: string): string[] {
  const n = int64ToMillis(limit);
  return n > 0 && values.length > n ? values.slice(0, n) : values;
}
