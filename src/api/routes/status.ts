/**
 * Endpoints Grafana probes or that report the querier's own state: buildinfo, stores, rules/alerts,
 * metadata and exemplars (empty but successful until their gRPC APIs are federated).
 */
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../cli/version.js';
import type { ApiDeps, StoreStatus } from '../deps.js';
import { HttpApiError } from '../errors.js';
import { Form } from '../form.js';
import { parseBool } from '../params.js';
import { requestAbort } from '../request-context.js';
import { parseSelectors } from './selectors.js';
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
      const partial = form.get('partial_response');
      const abort = requestAbort(reply, deps.defaults.queryTimeoutMs);
      try {
        const res = await deps.rules(
          {
            type: kind === 'alerts' ? 'alert' : (type as 'alert' | 'record' | undefined),
            partialResponse: partial === undefined ? deps.defaults.partialResponse : parseBool(partial, 'partial_response'),
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

  // Federated metadata and exemplars are not implemented yet: an empty success, which Grafana accepts.
  app.get('/api/v1/metadata', async (): Promise<MetadataResult> => ({ data: '{}', warnings: [] }));
  app.route({
    method: ['GET', 'POST'],
    url: '/api/v1/query_exemplars',
    handler: async (): Promise<MetadataResult> => ({ data: '[]', warnings: [] }),
  });
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
