/**
 * The querier's /api/v1/metadata data: `thanos.Metadata/MetricMetadata` on every queryable endpoint that
 * advertised the Metadata API in its Info (sidecars, other queriers), answers merged as Thanos merges them
 * (pkg/metadata): a metric seen first takes its metas; a metric seen again gains the metas it did not have yet
 * (HA replicas scrape the same targets, so their metas are equal and collapse). `limit` bounds the number of
 * metrics (negative: no bound; 0: none), as Prometheus's; `limitPerMetric` (> 0) the metas of each.
 * Failures follow the partial-response rules of stream-fanout.ts.
 */
import { PartialResponseStrategy, type MetricMetadataResponse, type ProtoMeta } from '../../storeapi/index.js';
import type { MetricMetadataQuery, MetricMetadataResult } from '../../api/index.js';
import type { Endpoint } from '../endpoints/endpoint.js';
import { fanoutStreams } from '../stream-fanout.js';

export type MetricMetadataFunc = (query: MetricMetadataQuery, signal: AbortSignal) => Promise<MetricMetadataResult>;

export function metricMetadataFanout(endpoints: () => readonly Endpoint[]): MetricMetadataFunc {
  return async (query, signal) => {
    const byMetric = new Map<string, ProtoMeta[]>();
    const warnings: string[] = [];
    const request = {
      metric: query.metric,
      limit: query.limit,
      partial_response_strategy: query.partialResponse ? PartialResponseStrategy.WARN : PartialResponseStrategy.ABORT,
    };
    const failures = await fanoutStreams(
      endpoints().filter((e) => e.metadata.hasMetricMetadataApi),
      {
        what: 'metric metadata',
        partialResponse: query.partialResponse,
        open: (e, s) => e.metricMetadata.metricMetadata(request, { signal: s }),
        onFrame: (frame: MetricMetadataResponse) => {
          if (frame.result === 'warning') warnings.push(frame.warning);
          else if (frame.result === 'metadata') {
            const answer = frame.metadata.metadata;
            // A store that ignores `metric` must not widen the answer.
            mergeMetadata(byMetric, query.metric === '' ? answer : pick(answer, query.metric), query.limit);
          }
        },
      },
      signal,
    );
    const metadata: Record<string, ProtoMeta[]> = {};
    // Sorted by name: Prometheus's JSON of a Go map has its keys sorted.
    for (const name of [...byMetric.keys()].sort()) {
      const metas = byMetric.get(name)!;
      metadata[name] = query.limitPerMetric > 0 ? metas.slice(0, query.limitPerMetric) : metas;
    }
    return { metadata, warnings: [...warnings, ...failures] };
  };
}

/** Adds one store's answer to `into`: new metrics while under `limit`, new metas of known metrics always. */
export function mergeMetadata(into: Map<string, ProtoMeta[]>, answer: Record<string, { metas: ProtoMeta[] }>, limit: number): void {
  for (const [name, entry] of Object.entries(answer)) {
    const have = into.get(name);
    if (have === undefined) {
      if (limit < 0 || into.size < limit) into.set(name, uniqueMetas([], entry.metas ?? []));
      continue;
    }
    uniqueMetas(have, entry.metas ?? []);
  }
}

function pick<V>(answer: Record<string, V>, name: string): Record<string, V> {
  return Object.hasOwn(answer, name) ? { [name]: answer[name] } : {};
}

function uniqueMetas(into: ProtoMeta[], metas: readonly ProtoMeta[]): ProtoMeta[] {
  for (const m of metas) {
    const meta = { type: m.type, help: m.help, unit: m.unit };
    if (!into.some((x) => x.type === meta.type && x.help === meta.help && x.unit === meta.unit)) into.push(meta);
  }
  return into;
}
