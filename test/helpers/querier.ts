/**
 * Builders for end-to-end tests: in-process StoreAPI replicas over MemoryStorage and a real querier
 * (HTTP + gRPC on loopback port 0), as a user would run them, minus the process boundary.
 */
import { Labels } from '../../src/model/index.js';
import { MemoryStorage } from '../../src/storage/index.js';
import { memoryStoreApi, startGrpcServer, type RunningGrpcServer } from '../../src/storeapi/index.js';
import { QUERY_DEFAULTS, startQuery, type QueryConfig, type RunningQuery } from '../../src/cli/query.js';

export async function memoryStore(db: MemoryStorage, externalLabels: Record<string, string>, componentType = 'sidecar'): Promise<RunningGrpcServer> {
  return startGrpcServer('127.0.0.1:0', memoryStoreApi(db, { componentType, externalLabels: Labels.from(externalLabels) }));
}

/** A querier over the given endpoints, ready (first endpoint update done). */
export async function querier(overrides: Partial<QueryConfig>): Promise<RunningQuery> {
  const q = await startQuery({
    ...QUERY_DEFAULTS,
    httpAddress: '127.0.0.1:0',
    grpcAddress: '127.0.0.1:0',
    log: false,
    ...overrides,
  });
  await q.endpoints.update();
  return q;
}

export interface PromResponse {
  status: 'success' | 'error';
  data?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  errorType?: string;
  error?: string;
  warnings?: string[];
}

/** GET (or POST form) against the querier's HTTP API; returns status code and parsed body. */
export async function api(base: string, path: string, params: Record<string, string | string[]>, method: 'GET' | 'POST' = 'GET'): Promise<{ status: number; body: PromResponse }> {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) form.append(k, x);
  const url = `http://${base}${path}`;
  const res =
    method === 'GET'
      ? await fetch(`${url}?${form}`)
      : await fetch(url, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  return { status: res.status, body: (await res.json()) as PromResponse };
}
