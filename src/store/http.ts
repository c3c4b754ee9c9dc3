/**
 * The store gateway's HTTP face: /-/healthy (the process runs), /-/ready (the first block sync is done) and
 * /metrics (prom-client), mounted in one place. It serves no query API.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Registry } from 'prom-client';

export interface StoreHttpDeps {
  ready: () => boolean;
  registry: Registry;
  logger: FastifyServerOptions['logger'];
}

export function createStoreHttp(deps: StoreHttpDeps): FastifyInstance {
  const app = Fastify({ logger: deps.logger });
  app.get('/-/healthy', async (_r, reply) => reply.type('text/plain').send('OK'));
  app.get('/-/ready', async (_r, reply) => (deps.ready() ? reply.type('text/plain').send('OK') : reply.code(503).type('text/plain').send('NOT OK')));
  app.get('/metrics', async (_r, reply) => reply.type(deps.registry.contentType).send(await deps.registry.metrics()));
  return app;
}
