/**
 * The querier's /api/v1/query_exemplars data: `thanos.Exemplars/Exemplars` on every queryable endpoint that
 * advertised the Exemplars API, the query narrowed per endpoint by its external labels (as Thanos's exemplars
 * proxy does, since a sidecar hands the query to Prometheus, whose TSDB has no external labels): in each
 * selector a matcher on an external label is decided against the endpoint's value and left out; a selector
 * that cannot match there is dropped; the rest are joined with `or`, and an endpoint left with none is not
 * asked. Answers are merged as Thanos's querier merges them: replica labels removed from the series labels,
 * series with equal labels merged, their exemplars sorted by time and exact repeats dropped. Failures follow
 * stream-fanout.ts.
 */
import { Labels, type Matcher } from '../../model/index.js';
import { extractSelectors, parse } from '../../promql/index.js';
import { int64ToMillis, labelsFromProto, PartialResponseStrategy, type ExemplarData, type ExemplarsResponse } from '../../storeapi/index.js';
import type { ExemplarsQuery, ExemplarsResult, SeriesExemplars } from '../../api/index.js';
import type { Endpoint } from '../endpoints/endpoint.js';
import { fanoutStreams } from '../stream-fanout.js';

export type ExemplarsFunc = (query: ExemplarsQuery, signal: AbortSignal) => Promise<ExemplarsResult>;

export function exemplarsFanout(endpoints: () => readonly Endpoint[]): ExemplarsFunc {
  return async (query, signal) => {
    const selectors = extractSelectors(parse(query.query));
    const queries = new Map<Endpoint, string>();
    for (const e of endpoints()) {
      if (!e.metadata.hasExemplarsApi) continue;
      const q = queryForLabelSets(selectors, e.metadata.labelSets);
      if (q !== null) queries.set(e, q);
    }
    const data: ExemplarData[] = [];
    const warnings: string[] = [];
    const failures = await fanoutStreams(
      [...queries.keys()],
      {
        what: 'exemplars',
        partialResponse: query.partialResponse,
        open: (e, s) =>
          e.exemplars.exemplars(
            {
              query: queries.get(e)!,
              start: query.start,
              end: query.end,
              partial_response_strategy: query.partialResponse ? PartialResponseStrategy.WARN : PartialResponseStrategy.ABORT,
            },
            { signal: s },
          ),
        onFrame: (frame: ExemplarsResponse) => {
          if (frame.result === 'warning') warnings.push(frame.warning);
          else if (frame.result === 'data') data.push(frame.data);
        },
      },
      signal,
    );
    return { data: dedupExemplars(data, query.replicaLabels), warnings: [...warnings, ...failures] };
  };
}

/**
 * The query one endpoint is asked: each selector without the matchers its external labels settle, selectors
 * that cannot match there dropped, joined with `or`; null when none is left. A selector whose every matcher
 * is settled selects all series there: `{__name__=~".+"}` (PromQL has no empty selector).
 */
export function queryForLabelSets(selectors: readonly Matcher[][], labelSets: readonly Labels[]): string | null {
  const parts: string[] = [];
  selectors: for (const matchers of selectors) {
    const keep: string[] = [];
    for (const m of matchers) {
      let external = false;
      for (const ls of labelSets) {
        if (!ls.has(m.name)) continue;
        if (!m.matches(ls.get(m.name))) continue selectors;
        external = true;
      }
      if (!external) keep.push(m.toString());
    }
    const unique = [...new Set(keep)];
    parts.push(unique.length > 0 ? `{${unique.join(', ')}}` : '{__name__=~".+"}');
  }
  return parts.length > 0 ? [...new Set(parts)].join(' or ') : null;
}

/** Thanos's dedupExemplarsResponse: replica labels dropped, equal series merged, exemplars sorted and unique. */
export function dedupExemplars(data: readonly ExemplarData[], replicaLabels: readonly string[]): SeriesExemplars[] {
  const bySeries = new Map<string, SeriesExemplars>();
  for (const d of data) {
    const series = labelsFromProto(d.seriesLabels?.labels ?? []).drop(replicaLabels);
    const key = series.key();
    let s = bySeries.get(key);
    if (s === undefined) bySeries.set(key, (s = { seriesLabels: series, exemplars: [] }));
    for (const e of d.exemplars ?? []) s.exemplars.push({ labels: labelsFromProto(e.labels?.labels ?? []), value: e.value, ts: int64ToMillis(e.ts) });
  }
  const out = [...bySeries.values()].sort((a, b) => Labels.compare(a.seriesLabels, b.seriesLabels));
  for (const s of out) {
    s.exemplars.sort((a, b) => a.ts - b.ts || Labels.compare(a.labels, b.labels) || a.value - b.value);
    s.exemplars = s.exemplars.filter((e, i, all) => i === 0 || !sameExemplar(all[i - 1], e));
  }
  return out;
}

function sameExemplar(a: SeriesExemplars['exemplars'][number], b: SeriesExemplars['exemplars'][number]): boolean {
  return a.ts === b.ts && (a.value === b.value || (Number.isNaN(a.value) && Number.isNaN(b.value))) && a.labels.equals(b.labels);
}
