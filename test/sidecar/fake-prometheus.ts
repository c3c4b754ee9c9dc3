/**
 * A fake of the external peer (Prometheus's HTTP API) for sidecar tests that need answers a real
 * Prometheus will not give on demand: corrupt frames, truncated streams, SAMPLES-only answers, histogram
 * chunks, a missing /metrics gauge. Each endpoint's answer is a settable function; requests are recorded
 * (remote-read bodies decoded) so tests can check what the sidecar asked.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import snappy from 'snappyjs';
import { decodeReadRequest, type ReadRequest } from '../../src/storeapi/index.js';

export interface ReadAnswer {
  status?: number;
  contentType: string;
  /** Written in this order, each as its own write (so chunk boundaries can be tested). */
  parts: Uint8Array[];
  /** Destroy the socket after the parts instead of ending the response (a cut connection). */
  cut?: boolean;
}

export interface FakePrometheus {
  url: string;
  config: string;
  metrics: string;
  read: (req: ReadRequest) => ReadAnswer;
  json: Map<string, (params: URLSearchParams) => unknown>;
  readRequests: ReadRequest[];
  readHeaders: http.IncomingHttpHeaders[];
  getRequests: string[];
  /** Status for /api/v1/status/config and /metrics (e.g. 503 while "starting"). */
  down: boolean;
  close(): Promise<void>;
}

export const CONFIG_C1_R0 = 'global:\n  scrape_interval: 1m\n  scrape_timeout: 10s\n  evaluation_interval: 1m\n  external_labels:\n    cluster: c1\n    replica: r0\n';

export async function fakePrometheus(): Promise<FakePrometheus> {
  const fake: Omit<FakePrometheus, 'url' | 'close'> = {
    config: CONFIG_C1_R0,
    metrics: '# TYPE prometheus_tsdb_lowest_timestamp_seconds gauge\nprometheus_tsdb_lowest_timestamp_seconds 9.223372036854776e+15\n',
    read: () => ({ contentType: 'application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse', parts: [] }),
    json: new Map(),
    readRequests: [],
    readHeaders: [],
    getRequests: [],
    down: false,
  };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const body: Buffer[] = [];
    req.on('data', (d: Buffer) => body.push(d));
    req.on('end', () => {
      if (req.method === 'POST' && u.pathname === '/api/v1/read') {
        const decoded = decodeReadRequest(snappy.uncompress(Buffer.concat(body)));
        fake.readRequests.push(decoded);
        fake.readHeaders.push(req.headers);
        const a = fake.read(decoded);
        res.writeHead(a.status ?? 200, { 'content-type': a.contentType });
        let i = 0;
        const next = (): void => {
          if (i < a.parts.length) {
            res.write(a.parts[i++], () => setImmediate(next));
          } else if (a.cut) res.socket?.destroy();
          else res.end();
        };
        next();
        return;
      }
      fake.getRequests.push(`${u.pathname}${u.search}`);
      if (fake.down && (u.pathname === '/api/v1/status/config' || u.pathname === '/metrics')) {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
        return;
      }
      if (u.pathname === '/api/v1/status/config') return sendJson(res, { yaml: fake.config });
      if (u.pathname === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(fake.metrics);
        return;
      }
      const h = fake.json.get(u.pathname);
      if (h !== undefined) return sendJson(res, h(u.searchParams));
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

function sendJson(res: http.ServerResponse, data: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data }));
}
