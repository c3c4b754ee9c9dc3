/**
 * The querier's data source: a Queryable + LabelQuerier over the healthy StoreAPI endpoints, shaped per
 * request by Thanos's parameters (dedup, replica labels, partial response, storeMatch[]).
 *
 *   endpoints ─(prune)─▶ Series streams ─▶ loser-tree merge ─▶ chunk dedup ─▶ overlap split ─▶ penalty/chain ─▶ SeriesSet
 *
 * Streams are read as frames arrive; a store that fails becomes a warning (partial response) or the
 * query's error. The caller's AbortSignal cancels every gRPC stream of the request.
 */
import { setMaxListeners } from 'node:events';
import { Labels, StorageError, throwIfAborted, type Matcher } from '../model/index.js';
import type { LabelsResult, SelectHints, Series, SeriesSet } from '../storage/index.js';
import { encodeSeriesRequest, matchersToProto, millisToInt64, PartialResponseStrategy, type SeriesRequest } from '../storeapi/index.js';
import type { RequestStorage, RequestStorageOptions } from '../api/index.js';
import { seriesSamples, type DedupAlgorithm } from './dedup/index.js';
import { SampleBudget } from './sample-budget.js';
import type { Endpoint } from './endpoints/endpoint.js';
import { compareSeriesLabels, LoserTree, ResponseDeduplicator, sortWithoutLabels, type ChunkHasher, type SortedSource, type StoreSeries } from './merge/index.js';
import { matchingEndpoints } from './proxy/prune.js';
import { StoreStream } from './proxy/store-stream.js';
import { applySelectorLabels } from './selector-labels.js';

/** Series per frame we ask stores for (Thanos's querier sends 64: thanos.md §8.1). */
const RESPONSE_BATCH_SIZE = 64;

export interface FanoutConfig {
  endpoints: () => Endpoint[];
  hasher: ChunkHasher;
  dedupAlgorithm: DedupAlgorithm;
  /** `--store.response-timeout`, ms; 0 disables. */
  responseTimeoutMs: number;
  /** `--query.max-samples`: most decoded samples one select may hold. */
  maxSamples: number;
  /** `--selector-label`: labels every series of this querier has. */
  selectorLabels: Labels;
  /** Called with the number of endpoints each select fans out to (metrics). */
  onFanout?: (stores: number) => void;
}

export class FanoutStorage implements RequestStorage {
  readonly #cfg: FanoutConfig;
  readonly #opts: RequestStorageOptions;

  constructor(cfg: FanoutConfig, opts: RequestStorageOptions) {
    this.#cfg = cfg;
    this.#opts = opts;
  }

  /** Dedup is on when asked for and there are replica labels to merge on (Thanos isDedupEnabled). */
  get #dedup(): boolean {
    return this.#opts.deduplicate && this.#opts.replicaLabels.length > 0;
  }

  select(matchers: readonly Matcher[], hints: SelectHints, signal?: AbortSignal): SeriesSet {
    const warnings: string[] = [];
    const narrowed = applySelectorLabels(matchers, this.#cfg.selectorLabels);
    if (narrowed === null) return seriesSet(emptySource(), warnings);
    const endpoints = matchingEndpoints(this.#cfg.endpoints(), {
      mint: hints.mint,
      maxt: hints.maxt,
      matchers: narrowed,
      storeMatchers: this.#opts.storeMatchers,
    });
    this.#cfg.onFanout?.(endpoints.length);
    if (endpoints.length === 0) {
      if (!this.#opts.partialResponse && this.#cfg.endpoints().length === 0) throw new StorageError('No StoreAPIs available');
      // Thanos answers with this warning, so an empty result is not mistaken for "no such data".
      warnings.push('No StoreAPIs matched for this query');
      return seriesSet(emptySource(), warnings);
    }
    const dedup = this.#dedup;
    const skipChunks = hints.func === 'series';
    const req: Partial<SeriesRequest> = {
      min_time: millisToInt64(hints.mint),
      max_time: millisToInt64(hints.maxt),
      matchers: matchersToProto(narrowed),
      partial_response_strategy: this.#opts.partialResponse ? PartialResponseStrategy.WARN : PartialResponseStrategy.ABORT,
      skip_chunks: skipChunks,
      without_replica_labels: dedup ? this.#opts.replicaLabels : [],
      response_batch_size: String(RESPONSE_BATCH_SIZE),
      query_hints: {
        step_millis: millisToInt64(hints.step ?? 0),
        func: hints.func ? { name: hints.func } : null,
        range: hints.range ? { millis: millisToInt64(hints.range) } : null,
        grouping: hints.grouping ? { by: hints.by ?? false, labels: hints.grouping } : null,
      } as SeriesRequest['query_hints'],
    };
    const merged = mergeStoreStreams(endpoints, req, {
      hasher: this.#cfg.hasher,
      partialResponse: this.#opts.partialResponse,
      responseTimeoutMs: this.#cfg.responseTimeoutMs,
      dropLabels: dedup ? this.#opts.replicaLabels : [],
      warnings,
      signal,
    });
    const budget = new SampleBudget(this.#cfg.maxSamples);
    const decodeOpts = { algorithm: dedup ? this.#cfg.dedupAlgorithm : null, func: hints.func, mint: hints.mint, maxt: hints.maxt };
    const decoded: SortedSource<Series> = {
      next: () => {
        throwIfAborted(signal, 'select');
        return merged.next();
      },
      at: () => {
        const s = merged.at();
        budget.charge(s);
        return seriesSamples(s, decodeOpts);
      },
    };
    return seriesSet(decoded, warnings, !skipChunks);
  }

  // With dedup on, Thanos sends without_replica_labels on LabelNames/LabelValues too (thanos.md §2.1), so the
  // replica label is no label name and has no values, as in the series this querier returns. We also drop it
  // from the answers here, as the Series path does for stores that do not advertise the option.
  async labelNames(matchers: readonly Matcher[], range: { mint: number; maxt: number }, signal?: AbortSignal): Promise<LabelsResult> {
    const res = await this.#labels(matchers, range, signal, (e, req, opts) => e.store.labelNames(req, opts).then((r) => ({ values: r.names, warnings: r.warnings })), (ls) => ls.flat().filter((_, i) => i % 2 === 0));
    if (!this.#dedup) return res;
    return { ...res, values: res.values.filter((n) => !this.#opts.replicaLabels.includes(n)) };
  }

  labelValues(name: string, matchers: readonly Matcher[], range: { mint: number; maxt: number }, signal?: AbortSignal): Promise<LabelsResult> {
    if (this.#dedup && this.#opts.replicaLabels.includes(name)) return Promise.resolve({ values: [], warnings: [] });
    return this.#labels(
      matchers,
      range,
      signal,
      (e, req, opts) => e.store.labelValues({ ...req, label: name }, opts).then((r) => ({ values: r.values, warnings: r.warnings })),
      (ls) => (ls.has(name) ? [ls.get(name)] : []),
    );
  }

  async #labels(
    matchers: readonly Matcher[],
    range: { mint: number; maxt: number },
    signal: AbortSignal | undefined,
    call: (
      e: Endpoint,
      req: { start: string; end: string; matchers: ReturnType<typeof matchersToProto>; partial_response_strategy: PartialResponseStrategy; without_replica_labels: string[] },
      opts: { signal?: AbortSignal },
    ) => Promise<LabelsResult>,
    fromSelectorLabels: (ls: Labels) => string[],
  ): Promise<LabelsResult> {
    const narrowed = applySelectorLabels(matchers, this.#cfg.selectorLabels);
    if (narrowed === null) return { values: [], warnings: [] };
    const endpoints = matchingEndpoints(this.#cfg.endpoints(), { ...range, matchers: narrowed, storeMatchers: this.#opts.storeMatchers });
    const req = {
      start: millisToInt64(range.mint),
      end: millisToInt64(range.maxt),
      matchers: matchersToProto(narrowed),
      partial_response_strategy: this.#opts.partialResponse ? PartialResponseStrategy.WARN : PartialResponseStrategy.ABORT,
      without_replica_labels: this.#dedup ? this.#opts.replicaLabels : [],
    };
    const values = new Set<string>(this.#cfg.selectorLabels.isEmpty() ? [] : fromSelectorLabels(this.#cfg.selectorLabels));
    const warnings: string[] = [];
    const results = await Promise.allSettled(endpoints.map((e) => call(e, req, { signal })));
    throwIfAborted(signal, 'label lookup');
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') {
        r.value.values.forEach((v) => values.add(v));
        r.value.warnings.forEach((w) => warnings.push(`store ${endpoints[i].address}: ${w}`));
        return;
      }
      const msg = `store ${endpoints[i].address}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`;
      if (!this.#opts.partialResponse) throw new StorageError(msg, { cause: r.reason });
      warnings.push(msg);
    });
    return { values: [...values].sort(), warnings };
  }
}

export interface MergeOptions {
  hasher: ChunkHasher;
  partialResponse: boolean;
  responseTimeoutMs: number;
  /** Replica labels the stores were asked to drop; dropped here for stores that cannot. */
  dropLabels: readonly string[];
  warnings: string[];
  signal?: AbortSignal;
}

/** Opens a Series stream per endpoint and merges them: one series per label set, identical chunks once. */
export function mergeStoreStreams(endpoints: readonly Endpoint[], req: Partial<SeriesRequest>, opts: MergeOptions): SortedSource<StoreSeries> {
  // Without partial response one failed store fails the whole select: cancel the sibling streams then, rather
  // than leave them open (a blocked server-side send) until their call deadline.
  const group = new AbortController();
  // One listener per store stream: 100 stores are normal, not the leak Node warns about past 10.
  setMaxListeners(endpoints.length + 1, group.signal);
  const outer = opts.signal;
  if (outer?.aborted) group.abort(outer.reason);
  else outer?.addEventListener('abort', () => group.abort(outer.reason), { once: true });
  // One request for every store: serialised once here, not once per store by each call.
  const encoded = encodeSeriesRequest(req);
  const sources = endpoints.map((e): SortedSource<StoreSeries> => {
    const stream = new StoreStream((r, o) => e.store.series(r, o), encoded, {
      name: e.address,
      partialResponse: opts.partialResponse,
      responseTimeoutMs: opts.responseTimeoutMs,
      warnings: opts.warnings,
      signal: group.signal,
      onFatal: (err) => group.abort(err),
    });
    // A store that cannot drop replica labels gets them dropped here, which breaks its order: re-sort.
    return opts.dropLabels.length > 0 && !e.metadata.supportsWithoutReplicaLabels ? resorted(stream, opts.dropLabels) : stream;
  });
  return new ResponseDeduplicator(new LoserTree(sources, compareSeriesLabels), opts.hasher);
}

function emptySource<T>(): SortedSource<T> {
  return { next: () => false, at: () => undefined as never };
}

/** Buffers a whole stream, drops the labels, sorts: Thanos's proxy fallback (sortWithoutLabels). */
function resorted(src: SortedSource<StoreSeries>, replicaLabels: readonly string[]): SortedSource<StoreSeries> {
  let items: StoreSeries[] | undefined;
  let i = -1;
  return {
    next: () => {
      if (items) return ++i < items.length;
      return (async () => {
        const all: StoreSeries[] = [];
        for (;;) {
          const r = src.next();
          if (!(typeof r === 'boolean' ? r : await r)) break;
          all.push(src.at());
        }
        items = sortWithoutLabels(all, replicaLabels);
        return ++i < items.length;
      })();
    },
    at: () => (items as StoreSeries[])[i],
  };
}

/** SortedSource<Series> → the engine's SeriesSet; empty series are skipped unless they carry labels only. */
function seriesSet(src: SortedSource<Series>, warnings: string[], dropEmpty = false): SeriesSet {
  let cur: Series | undefined;
  return {
    async next() {
      for (;;) {
        const r = src.next();
        if (!(typeof r === 'boolean' ? r : await r)) return false;
        cur = src.at();
        if (!dropEmpty || cur.timestamps.length > 0) return true;
      }
    },
    at: () => cur as Series,
    warnings: () => warnings,
  };
}
