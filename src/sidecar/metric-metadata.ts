/**
 * thanos.Metadata for the sidecar: what Prometheus's /api/v1/metadata says of its scraped metrics (type, help,
 * unit per metric name), passed on as one frame, as Thanos's sidecar does. `limit` goes to Prometheus when it is
 * 0 or more (Prometheus: at most that many metrics; 0 answers none); a negative one means no limit.
 */
import { StorageError } from '../model/index.js';
import type { MetadataService, ProtoMeta } from '../storeapi/index.js';
import type { PrometheusHttp } from './prometheus-http.js';

export function sidecarMetadataApi(prometheus: PrometheusHttp): MetadataService {
  return {
    async metricMetadata(req, send, ctx) {
      const params = new URLSearchParams();
      if (req.metric !== '') params.set('metric', req.metric);
      if (req.limit >= 0) params.set('limit', String(req.limit));
      const data = await prometheus.getJson<Record<string, Partial<ProtoMeta>[]> | null>('api/v1/metadata', params, ctx.signal);
      const metadata: Record<string, { metas: ProtoMeta[] }> = {};
      for (const [name, metas] of Object.entries(data ?? {})) {
        if (!Array.isArray(metas)) throw new StorageError(`GET /api/v1/metadata: metric ${JSON.stringify(name)} has no list of metadata`);
        metadata[name] = { metas: metas.map((m) => ({ type: String(m.type ?? ''), help: String(m.help ?? ''), unit: String(m.unit ?? '') })) };
      }
      await send({ metadata: { metadata } });
    },
  };
}
