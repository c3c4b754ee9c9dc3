/**
 * The Fastify app: Prometheus's query API plus Thanos's additions, health probes and /metrics, mounted in
 * one place. Handlers return `{data, warnings, infos}` (data already rendered JSON); one serializer wraps it
 * in the envelope and one error handler maps typed errors to `errorType` and status.
 */
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';
import { toApiError } from './errors.js';
import { Gate } from './gate.js';
import { queryMetrics } from './metrics.js';
import { renderError, renderSuccess } from './render.js';
import { registerMetadataRoutes } from './routes/metadata.js';
import { registerQueryRoutes } from './routes/query.js';
import { registerStatusRoutes } from './routes/status.js';

interface HandlerResult {
  data: string;
  warnings?: readonly string[];
  infos?: readonly string[];
}

function isHandlerResult(x: unknown): x is HandlerResult {
  return typeof x === 'object' && x !== null && typeof (x as HandlerResult).data === 'string';
}

export async function createApiServer(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: deps.logger ?? false, bodyLimit: 16 * 1024 * 1024 });
  // Parameters come in the URL or an x-www-form-urlencoded body, as Prometheus reads them (Go's r.Form).
  // Fastify's default JSON and text parsers would make a JSON body work here and nowhere else, and turn an
  // empty JSON-typed body into a 400; Go ignores bodies it cannot read. So: forms are parsed, an empty body of
  // any type is ignored, and a non-empty body of another type is refused with a 415 that says why (Go would
  // drop it silently and answer "no expression found").
  app.removeAllContentTypeParsers();
  await app.register(formbody);
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    if ((body as Buffer).length === 0) return done(null, undefined);
    done(unsupportedMediaType(request.headers['content-type']), undefined);
  });

  if (deps.cors) {
    app.addHook('onRequest', async (request, reply) => {
      reply.header('Access-Control-Allow-Origin', '*');
      reply.header('Access-Control-Allow-Headers', 'Accept, Authorization, Content-Type, Origin');
      reply.header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      reply.header('Access-Control-Expose-Headers', 'Date');
      if (request.method === 'OPTIONS') return reply.code(204).send();
    });
  }

  // API handlers return HandlerResult; wrap it in the success envelope.
  app.addHook('preSerialization', async (_request, reply, payload) => {
    if (!isHandlerResult(payload)) return payload;
    reply.type('application/json');
    if (payload.warnings && payload.warnings.length > 0) reply.header('Cache-Control', 'no-store');
    return renderSuccess(payload.data, payload.warnings, payload.infos) as unknown;
  });
  // A pre-rendered string body must go out as-is, not JSON-quoted.
  app.setReplySerializer((payload) => (typeof payload === 'string' ? payload : JSON.stringify(payload)));

  app.setErrorHandler((err, request, reply) => {
    // Fastify's own errors (bad body, unsupported content type) carry a 4xx statusCode.
    // Their status is kept (415, 413 say more than a bare 400); the envelope is Prometheus's bad_data.
    const fastifyStatus = (err as { statusCode?: number }).statusCode;
    if (fastifyStatus && fastifyStatus >= 400 && fastifyStatus < 500 && !(err as { errorType?: string }).errorType) {
      const e = (err as { code?: string }).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? unsupportedMediaType(request.headers['content-type']) : (err as Error);
      return reply.code(fastifyStatus).type('application/json').send(renderError('bad_data', e.message));
    }
    const api = toApiError(err);
    if (api.errorType === 'internal') request.log.error({ err }, 'internal error');
    return reply.code(api.status).type('application/json').send(renderError(api.errorType, api.message));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).type('application/json').send(renderError('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`)),
  );

  const gate = new Gate(deps.defaults.maxConcurrent);
  registerQueryRoutes(app, deps, gate, queryMetrics(deps.registry));
  registerMetadataRoutes(app, deps);
  registerStatusRoutes(app, deps);

  // Probes and metrics, mounted in one place.
  app.get('/-/healthy', async (_r, reply) => reply.type('text/plain').send('OK'));
  app.get('/-/ready', async (_r, reply) => (deps.ready() ? reply.type('text/plain').send('OK') : reply.code(503).type('text/plain').send('NOT OK')));
  app.get('/metrics', async (_r, reply) => reply.type(deps.registry.contentType).send(await deps.registry.metrics()));

  return app;
}

function unsupportedMediaType(contentType: string | undefined): Error {
  const err = new Error(
    `unsupported Content-Type ${JSON.stringify(contentType ?? '')}: send parameters in the URL or as an application/x-www-form-urlencoded body`,
  );
  return Object.assign(err, { statusCode: 415 });
}
