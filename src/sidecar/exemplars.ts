/**
 * thanos.Exemplars for the sidecar: the query goes to Prometheus's /api/v1/query_exemplars as it came, and each
 * series' exemplars come back as one frame, its labels extended by our external labels (external wins), as
 * Thanos's sidecar does. Prometheus keeps exemplars only with `--enable-feature=exemplar-storage`; without it
 * the answer is empty, not an error.
 */
import { Labels, StorageError } from '../model/index.js';
import { extendLabels, int64ToMillis, labelsToProto, type ExemplarsService, type ProtoLabel } from '../storeapi/index.js';
import type { PrometheusMetadata } from './metadata.js';
import type { PrometheusHttp } from './prometheus-http.js';

interface PromExemplars {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

export function sidecarExemplarsApi(prometheus: PrometheusHttp, metadata: PrometheusMetadata): ExemplarsService {
  return {
    async exemplars(req, send, ctx) {
      const params = new URLSearchParams({ query: req.query, start: seconds(int64ToMillis(req.start)), end: seconds(int64ToMillis(req.end)) });
      const data = await prometheus.getJson<PromExemplars[] | null>('api/v1/query_exemplars', params, ctx.signal);
      const ext = metadata.externalLabels();
      for (const d of data ?? []) {
        if (typeof d?.seriesLabels !== 'object' || !Array.isArray(d.exemplars)) {
          throw new StorageError('GET /api/v1/query_exemplars: an entry without seriesLabels and exemplars');
        }
        await send({
          data: {
            seriesLabels: { labels: labelsToProto(extendLabels(Labels.from(d.seriesLabels), ext)) },
            exemplars: d.exemplars.map((e) => ({ labels: { labels: sortedProto(e.labels) }, value: promFloat(e.value), ts: Math.round(e.timestamp * 1000) })),
          },
        });
      }
    },
  };
}

function sortedProto(labels: Record<string, string> | undefined): ProtoLabel[] {
  return labelsToProto(Labels.from(labels ?? {}));
}

/** ms → Prometheus's time parameter (seconds, a float). */
function seconds(ms: number): string {
  return String(ms / 1000);
}

/** A sample value as Prometheus's JSON writes it (strconv.FormatFloat 'f', -1: "+Inf", "-Inf", "NaN" or decimal). */
function promFloat(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  const v = Number(s);
  if (Number.isNaN(v) && s !== 'NaN') throw new StorageError(`GET /api/v1/query_exemplars: exemplar value ${JSON.stringify(s)} is not a number`);
  return v;
}
