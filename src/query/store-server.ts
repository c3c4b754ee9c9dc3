/**
 * The querier's own StoreAPI (Info with ComponentType "query", Series, LabelNames, LabelValues, and
 * Rules, MetricMetadata and Exemplars when asked to), served from its fan-out so a global querier can sit on top of
 * per-cluster ones. Series are merged and chunk-deduplicated but not replica-deduplicated: that is the top
 * querier's job (it asks us to drop replica labels).
 */
import { Labels, throwIfAborted } from '../model/index.js';
import {
  int64ToMillis,
  labelsToProto,
  matchersFromProto,
  millisToInt64,
  PartialResponseStrategy,
  ThanosChunkEncoding,
  type ExemplarsService,
  type InfoService,
  type MetadataService,
  type RulesResponse,
  type RulesService,
  type ProtoSeries,
  type StoreService,
} from '../storeapi/index.js';
import { FanoutStorage, mergeStoreStreams, type FanoutConfig } from './fanout.js';
import type { ExemplarsFunc } from './exemplars/index.js';
import type { MetricMetadataFunc } from './metadata/index.js';
import { fanoutStreams } from './stream-fanout.js';
import type { StoreSeries } from './merge/index.js';
import { matchingEndpoints } from './proxy/prune.js';

/** The federated APIs besides Series that the querier serves on, when given their fan-outs. */
export interface QuerierApis {
  /** Pass rule groups through from the endpoints that have them (the querier on top merges replicas). */
  rules?: boolean;
  metricMetadata?: MetricMetadataFunc;
  exemplars?: ExemplarsFunc;
}

export function querierStoreApi(
  cfg: FanoutConfig,
  apis: QuerierApis = {},
): { store: StoreService; info: InfoService; rules?: RulesService; metadata?: MetadataService; exemplars?: ExemplarsService } {
  const { metricMetadata, exemplars } = apis;
  const info: InfoService = {
    async info() {
      const endpoints = cfg.endpoints();
      const sets = new Map<string, Labels>();
      let min = Infinity;
      let max = -Infinity;
      for (const e of endpoints) {
        for (const ls of e.metadata.labelSets) sets.set(ls.key(), ls);
        min = Math.min(min, e.metadata.minTime);
        max = Math.max(max, e.metadata.maxTime);
      }
      // No endpoints yet: an empty range (min > max), so nobody routes queries to us for nothing.
      const range = { min_time: millisToInt64(endpoints.length ? min : Infinity), max_time: millisToInt64(endpoints.length ? max : -Infinity) };
      return {
        label_sets: [...sets.values()].sort(Labels.compare).map((ls) => ({ labels: labelsToProto(ls) })),
        ComponentType: 'query',
        store: { ...range, supports_without_replica_labels: true },
        ...(apis.rules ? { rules: {} } : {}),
        ...(metricMetadata !== undefined ? { metric_metadata: {} } : {}),
        ...(exemplars !== undefined ? { exemplars: range } : {}),
      };
    },
  };

  const store: StoreService = {
    async series(req, send, ctx) {
      const matchers = matchersFromProto(req.matchers);
      const mint = int64ToMillis(req.min_time);
      const maxt = int64ToMillis(req.max_time);
      const partialResponse = req.partial_response_strategy !== PartialResponseStrategy.ABORT && !req.partial_response_disabled;
      const endpoints = matchingEndpoints(cfg.endpoints(), { mint, maxt, matchers, storeMatchers: [] });
      const warnings: string[] = [];
      const merged = mergeStoreStreams(endpoints, req, {
        hasher: cfg.hasher,
        partialResponse,
        responseTimeoutMs: cfg.responseTimeoutMs,
        dropLabels: req.without_replica_labels,
        warnings,
        signal: ctx.signal,
      });
      const batchSize = Math.max(1, int64ToMillis(req.response_batch_size));
      let batch: ProtoSeries[] = [];
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        await (batchSize > 1 ? send({ batch: { series: batch } }) : send({ series: batch[0] }));
        batch = [];
      };
      let sentWarnings = 0;
      for (;;) {
        throwIfAborted(ctx.signal, 'series');
        const r = merged.next();
        if (!(typeof r === 'boolean' ? r : await r)) break;
        batch.push(toProto(merged.at()));
        if (batch.length >= batchSize) await flush();
        while (sentWarnings < warnings.length) await send({ warning: warnings[sentWarnings++] });
      }
      await flush();
      while (sentWarnings < warnings.length) await send({ warning: warnings[sentWarnings++] });
    },

    async labelNames(req, ctx) {
      const storage = storageFor(cfg, req.partial_response_strategy);
      const r = await storage.labelNames(matchersFromProto(req.matchers), range(req.start, req.end), ctx.signal);
      return { names: r.values, warnings: r.warnings };
    },

    async labelValues(req, ctx) {
      const storage = storageFor(cfg, req.partial_response_strategy);
      const r = await storage.labelValues(req.label, matchersFromProto(req.matchers), range(req.start, req.end), ctx.signal);
      return { values: r.values, warnings: r.warnings };
    },
  };
  const metadata: MetadataService | undefined = metricMetadata && {
    // The merged answer of our endpoints as one frame, their warnings before it.
    async metricMetadata(req, send, ctx) {
      const res = await metricMetadata(
        { metric: req.metric, limit: req.limit, limitPerMetric: -1, partialResponse: req.partial_response_strategy !== PartialResponseStrategy.ABORT },
        ctx.signal,
      );
      for (const warning of res.warnings) await send({ warning });
      const entries = Object.entries(res.metadata).map(([name, metas]) => [name, { metas }] as const);
      await send({ metadata: { metadata: Object.fromEntries(entries) } });
    },
  };
  const exemplarsService: ExemplarsService | undefined = exemplars && {
    // Each series' exemplars as a frame, replica labels kept: the querier on top deduplicates.
    async exemplars(req, send, ctx) {
      const res = await exemplars(
        {
          query: req.query,
          start: int64ToMillis(req.start),
          end: int64ToMillis(req.end),
          partialResponse: req.partial_response_strategy !== PartialResponseStrategy.ABORT,
          replicaLabels: [],
        },
        ctx.signal,
      );
      for (const warning of res.warnings) await send({ warning });
      for (const s of res.data) {
        await send({
          data: {
            seriesLabels: { labels: labelsToProto(s.seriesLabels) },
            exemplars: s.exemplars.map((e) => ({ labels: { labels: labelsToProto(e.labels) }, value: e.value, ts: e.ts })),
          },
        });
      }
    },
  };
  const rules: RulesService | undefined = apis.rules
    ? {
        // Every endpoint's frames as they came, replica labels kept: the querier on top merges replicas.
        async rules(req, send, ctx) {
          const frames: RulesResponse[] = [];
          const failures = await fanoutStreams(
            cfg.endpoints().filter((e) => e.metadata.hasRulesApi),
            {
              what: 'rules',
              partialResponse: req.partial_response_strategy !== PartialResponseStrategy.ABORT,
              open: (e, signal) => e.rules.rules(req, { signal }),
              onFrame: (frame: RulesResponse) => frames.push(frame),
            },
            ctx.signal,
          );
          for (const warning of failures) await send({ warning });
          for (const frame of frames) await send(frame);
        },
      }
    : undefined;
  return { store, info, rules, metadata, exemplars: exemplarsService };
}

function storageFor(cfg: FanoutConfig, strategy: PartialResponseStrategy): FanoutStorage {
  return new FanoutStorage(cfg, {
    deduplicate: false,
    replicaLabels: [],
    partialResponse: strategy !== PartialResponseStrategy.ABORT,
    storeMatchers: [],
  });
}

function range(start: string, end: string): { mint: number; maxt: number } {
  const mint = int64ToMillis(start);
  const maxt = int64ToMillis(end);
  // Thanos treats an unset (0, 0) range as "everything".
  return mint === 0 && maxt === 0 ? { mint: -Infinity, maxt: Infinity } : { mint, maxt };
}

function toProto(s: StoreSeries): ProtoSeries {
  return {
    labels: labelsToProto(s.labels),
    // Times and hashes as they came (numbers, bigints): the Series encoder takes them without a decimal round trip.
    chunks: s.chunks.map((c) => ({
      min_time: c.minTime,
      max_time: c.maxTime,
      raw: { type: ThanosChunkEncoding.XOR, data: c.data, hash: c.hash ?? 0n },
    })),
  };
}
