/**
 * /api/v1/series, /labels, /label/:name/values: label lookups over the same per-request storage as queries.
 * Times default to the whole range, `limit` truncates with Prometheus's warning.
 */
import type { FastifyInstance } from 'fastify';
import { Labels, throwIfAborted, type Matcher } from '../../model/index.js';
import type { ApiDeps } from '../deps.js';
import { HttpApiError, invalidParam } from '../errors.js';
import { Form } from '../form.js';
import { optionalTimeRange, unescapeLabelName } from '../params.js';
import { renderLabels } from '../render.js';
import { requestAbort } from '../request-context.js';
import { parseSelectors } from './selectors.js';
import { storageOptions } from './storage-options.js';

export interface MetadataResult {
  data: string;
  warnings: string[];
}

const TRUNCATED = 'results truncated due to limit';

export function registerMetadataRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const limitOf = (form: Form): number => {
    const text = form.get('limit');
    if (text === undefined) return 0;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw invalidParam('limit', `cannot parse ${JSON.stringify(text)} to a valid limit`);
    return n;
  };

  // Label lookups ignore replica labels' dedup, as Thanos does (the replica label stays visible).
  const labelStorage = (form: Form) => deps.storage({ ...storageOptions(form, deps.defaults), deduplicate: false });

  app.route({
    method: ['GET', 'POST'],
    url: '/api/v1/series',
    handler: async (request, reply): Promise<MetadataResult> => {
      const form = new Form(request);
      const selectors = form.all('match[]');
      if (selectors.length === 0) throw new HttpApiError('bad_data', 'no match[] parameter provided');
      const sets = parseSelectors(selectors, 'match[]');
      const range = optionalTimeRange(form.get('start'), form.get('end'));
      const limit = limitOf(form);
      const storage = deps.storage(storageOptions(form, deps.defaults));
      const abort = requestAbort(reply, deps.defaults.queryTimeoutMs);
      try {
        const seen = new Map<string, Labels>();
        const warnings: string[] = [];
        for (const matchers of sets) {
          const set = storage.select(matchers, { ...range, func: 'series' }, abort.signal);
          while (await set.next()) {
            throwIfAborted(abort.signal, 'series');
            const ls = set.at().labels;
            seen.set(ls.key(), ls);
          }
          warnings.push(...set.warnings());
        }
        let all = [...seen.values()].sort(Labels.compare);
        if (limit > 0 && all.length > limit) {
          all = all.slice(0, limit);
          warnings.push(TRUNCATED);
        }
        return { data: '[' + all.map(renderLabels).join(',') + ']', warnings };
      } finally {
        abort.done();
      }
    },
  });

  const listValues = async (
    form: Form,
    reply: import('fastify').FastifyReply,
    lookup: (storage: ReturnType<ApiDeps['storage']>, matchers: Matcher[], range: { mint: number; maxt: number }, signal: AbortSignal) => Promise<{ values: string[]; warnings: string[] }>,
  ): Promise<MetadataResult> => {
    const sets = parseSelectors(form.all('match[]'), 'match[]');
    const range = optionalTimeRange(form.get('start'), form.get('end'));
    const limit = limitOf(form);
    const storage = labelStorage(form);
    const abort = requestAbort(reply, deps.defaults.queryTimeoutMs);
    try {
      const values = new Set<string>();
      const warnings: string[] = [];
      for (const matchers of sets.length > 0 ? sets : [[]]) {
        const r = await lookup(storage, matchers, range, abort.signal);
        r.values.forEach((v) => values.add(v));
        warnings.push(...r.warnings);
      }
      let sorted = [...values].sort();
      if (limit > 0 && sorted.length > limit) {
        sorted = sorted.slice(0, limit);
        warnings.push(TRUNCATED);
      }
      return { data: JSON.stringify(sorted), warnings };
    } finally {
      abort.done();
    }
  };

  app.route({
    method: ['GET', 'POST'],
    url: '/api/v1/labels',
    handler: (request, reply) => listValues(new Form(request), reply, (s, m, r, signal) => s.labelNames(m, r, signal)),
  });

  app.route<{ Params: { name: string } }>({
    method: ['GET'],
    url: '/api/v1/label/:name/values',
    handler: (request, reply) => {
      const name = unescapeLabelName(request.params.name);
      if (name === '' || !isValidUtf8Name(name)) throw new HttpApiError('bad_data', `invalid label name: ${JSON.stringify(name)}`);
      return listValues(new Form(request), reply, (s, m, r, signal) => s.labelValues(name, m, r, signal));
    },
  });
}

/** Prometheus 3 accepts any valid UTF-8 label name; a lone surrogate is not valid UTF-8. */
function isValidUtf8Name(name: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(name);
}
