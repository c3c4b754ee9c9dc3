/**
 * Endpoints Grafana probes or that report the querier's own state: buildinfo, stores, rules/alerts, metric
 * metadata and exemplars (the last three federated from the stores' gRPC APIs).
 */
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../cli/version.js';
import { parse } from '../../promql/index.js';
import type { ApiDeps, SeriesExemplars, StoreStatus } from '../deps.js';
import { HttpApiError, invalidParam } from '../errors.js';
import { Form } from '../form.js';
import { formatFloat, formatTimestamp } from '../json.js';
import { optionalTimeRange } from '../params.js';
import { renderLabels } from '../render.js';
import { requestAbort } from '../request-context.js';
import { parseSelectors } from './selectors.js';
import { partialResponseParam } from './storage-options.js';
import type { MetadataResult } from './metadata.js';

export function registerStatusRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/api/v1/status/buildinfo', async (): Promise<MetadataResult> => ({
    data: JSON.stringify({
      version: VERSION,
      revision: 'unknown',
      branch: 'main',
      buildUser: 'promfed',
      buildDate: 'unknown',
      goVersion: `node ${process.version}`,
    }),
    warnings: [],
  }));

  app.get('/api/v1/stores', async (): Promise<MetadataResult> => {
    const byType: Record<string, unknown[]> = {};
    for (const s of deps.stores?.() ?? []) {
      if (!s.componentType) continue; // Thanos skips endpoints whose type is unknown
      (byType[s.componentType] ??= []).push(storeJson(s));
    }
    return { data: JSON.stringify(byType), warnings: [] };
  });

  for (const kind of ['rules', 'alerts'] as const) {
    app.get(`/api/v1/${kind}`, async (request, reply): Promise<MetadataResult> => {
      const form = new Form(request);
      const type = form.get('type');
      if (kind === 'rules' && type !== undefined && type !== 'alert' && type !== 'record') {
        throw new HttpApiError('bad_data', `unsupported rule type ${JSON.stringify(type)}`);
      }
      if (!deps.rules) return { data: kind === 'rules' ? '{"groups":[]}' : '{"alerts":[]}', warnings: [] };
      const abort = requestAbort(reply, deps.defaults.queryTimeoutMs);
      try {
        const res = await deps.rules(
          {
            type: kind === 'alerts' ? 'alert' : (type as 'alert' | 'record' | undefined),
            partialResponse: partialResponseParam(form, deps.defaults),
            replicaLabels: deps.defaults.replicaLabels,
            ruleNames: form.all('rule_name[]'),
            ruleGroups: form.all('rule_group[]'),
            files: form.all('file[]'),
            matchers: parseSelectors(form.all('match[]'), 'match[]'),
          },
          abort.signal,
        );
        if (kind === 'rules') return { data: JSON.stringify({ groups: res.groups }), warnings: res.warnings };
        const alerts = (res.groups as { rules?: { alerts?: unknown[] }[] }[]).flatMap((g) => (g.rules ?? []).flatMap((r) => r.alerts ?? []));
        return { data: JSON.stringify({ alerts }), warnings: res.warnings };
      } finally {
        abort.done();
      }
    });
  }

  // Metric metadata from the stores' Metadata APIs (Prometheus answers GET only).
  app.get('/api/v1/metadata', async (request, reply): Promise<MetadataResult> => {
    const form = new Form(request);
    const limit = integerParam(form, 'limit');
    const limitPerMetric = integerParam(form, 'limit_per_metric');
    if (!deps.metricMetadata) return { data: '{}', warnings: [] };
    const abort = requestAbort(reply, deps.defaults.queryTimeoutMs);
    try {
      const res = await deps.metricMetadata(
        {
          metric: form.get('metric') ?? '',
          limit,
          limitPerMetric,
          partialResponse: partialResponseParam(form, deps.defaults),
        },
        abort.signal,
      );
      return { data: JSON.stringify(res.metadata), warnings: res.warnings };
    } finally {
      abort.done();
    }
  });
  // Exemplars from the stores' Exemplars APIs, in Prometheus's JSON.
  app.route({
    method: ['GET', 'POST'],
    url: '/api/v1/query_exemplars',
    handler: async (request, reply): Promise<MetadataResult> => {
      const form = new Form(request);
      const query = form.get('query') ?? '';
      try {
        parse(query);
      } catch (err) {
        throw invalidParam('query', err as Error);
      }
      const { mint: start, maxt: end } = optionalTimeRange(form.get('start'), form.get('end'));
      if (!deps.exemplars) return { data: '[]', warnings: [] };
      const abort = requestAbort(reply, deps.defaults.queryTimeoutMs);
      try {
        const res = await deps.exemplars(
          {
            query,
            start,
            end,
            partialResponse: partialResponseParam(form, deps.defaults),
            replicaLabels: deps.defaults.replicaLabels,
          },
          abort.signal,
        );
        return { data: renderExemplars(res.data), warnings: res.warnings };
      } finally {
        abort.done();
      }
    },
  });
}

/** Prometheus's exemplar JSON: `[{"seriesLabels":{…},"exemplars":[{"labels":{…},"value":"1","timestamp":1.5}]}]`. */
function renderExemplars(data: readonly SeriesExemplars[]): string {
  const series = data.map((s) => {
    const exemplars = s.exemplars.map((e) => `{"labels":${renderLabels(e.labels)},"value":"${formatFloat(e.value)}","timestamp":${formatTimestamp(e.ts)}}`);
    return `{"seriesLabels":${renderLabels(s.seriesLabels)},"exemplars":[${exemplars.join(',')}]}`;
  });
  return `[${series.join(',')}]`;
}

/** `limit` and `limit_per_metric` of /api/v1/metadata: an integer, −1 when absent (Prometheus's "no limit"). */
function integerParam(form: Form, name: string): number {
  const text = form.get(name);
  if (text === undefined || text === '') return -1;
  const n = Number(text);
  // Prometheus parses with strconv.Atoi and words the error so.
  if (!/^[+-]?\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new HttpApiError('bad_data', `${name} must be a number`);
  // The gRPC field is an int32: past it, no limit is the same answer.
  return n < 0 || n > 2 ** 31 - 1 ? -1 : n;
}

function storeJson(s: StoreStatus): Record<string, unknown> {
  return {
    name: s.name,
    lastCheck: s.lastCheck ?? '0001-01-01T00:00:00Z',
    lastError: s.lastError,
    labelSets: s.labelSets,
    minTime: s.minTime,
    maxTime: s.maxTime,
  };
}
