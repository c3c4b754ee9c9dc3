/**
 * HTTP to one Prometheus: JSON API GETs (status/config, labels, label values, series), the /metrics text,
 * the remote-read POST whose body the caller streams, and POST /-/reload. The GETs go through node:http with a keep-alive
 * agent; the POSTs through our own HTTP/1.1 client (http1/client.ts), whose body pieces are views of what
 * the socket read — node:http copies each chunk, and remote read sends ~1,000 of them per read.
 *
 * Every call has a deadline (`timeoutMs`): for the response headers of the streamed remote read, whose body
 * may rightly take longer, and for the whole exchange of the small JSON/text answers. The caller's
 * AbortSignal is honoured throughout. Failures are StorageErrors that say which URL and why.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { StorageError, throwIfAborted } from '../model/index.js';
import type { PrometheusClientConfig } from './http-client-config.js';
import { Http1Client, type StreamedResponse } from './http1/client.js';

export interface PrometheusHttpOptions {
  /** Deadline for the status line and headers of each request (default 30 s, Thanos's get_config_timeout). */
  timeoutMs?: number;
  /** Credentials and TLS settings (--prometheus.http-client). */
  client?: PrometheusClientConfig;
}

/** The bytes of an error body we quote in a message. */
const ERROR_BODY_QUOTE_BYTES = 512;
/** JSON API and /metrics answers are read whole; this bounds them. */
const MAX_TEXT_BODY_BYTES = 256 * 1024 * 1024;

export class PrometheusHttp {
  readonly base: URL;
  private readonly timeoutMs: number;
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;
  private readonly streaming: Http1Client;
  /** Headers every request carries (Authorization from the client config). */
  private readonly extraHeaders: Record<string, string>;
  /** post()'s URL and request target by path (the few it is called with). */
  private readonly postTargets = new Map<string, { url: URL; path: string }>();

  constructor(url: string, opts: PrometheusHttpOptions = {}) {
    this.base = new URL(url.endsWith('/') ? url : `${url}/`);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw new TypeError(`Prometheus URL must be http or https: ${url}`);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.transport = this.base.protocol === 'https:' ? https : http;
    const tls = opts.client?.tls;
    this.agent = new this.transport.Agent({ keepAlive: true, maxSockets: 64, ...tls });
    this.streaming = new Http1Client(this.base, { timeoutMs: this.timeoutMs, maxSockets: 64, tls });
    this.extraHeaders = opts.client?.authorization !== undefined ? { authorization: opts.client.authorization } : {};
  }

  /** `path` relative to the base URL (which may carry a path prefix), e.g. `api/v1/labels`. */
  url(path: string, params?: URLSearchParams): URL {
    const u = new URL(path, this.base);
    if (params !== undefined) u.search = params.toString();
    return u;
  }

  /** GET a Prometheus JSON API path; returns `data` of a success envelope. */
  async getJson<T>(path: string, params: URLSearchParams | undefined, callerSignal?: AbortSignal): Promise<T> {
    const u = this.url(path, params);
    const signal = this.whole(callerSignal);
    const res = await this.get(u, signal);
    const text = await readText(res, u, signal);
    let body: { status?: string; data?: T; error?: string; errorType?: string };
    try {
      body = JSON.parse(text) as typeof body;
    } catch (err) {
      throw new StorageError(`GET ${u.pathname}: ${res.statusCode} with a body that is not JSON: ${quote(text)}`, { cause: err });
    }
    if (res.statusCode !== 200 || body.status !== 'success') {
      throw new StorageError(`GET ${u.pathname}: ${res.statusCode} ${body.errorType ?? ''}: ${body.error ?? quote(text)}`);
    }
    return body.data as T;
  }

  /** GET a text path (e.g. /metrics). */
  async getText(path: string, callerSignal?: AbortSignal): Promise<string> {
    const u = this.url(path);
    const signal = this.whole(callerSignal);
    const res = await this.get(u, signal);
    const text = await readText(res, u, signal);
    if (res.statusCode !== 200) throw new StorageError(`GET ${u.pathname}: ${res.statusCode}: ${quote(text)}`);
    return text;
  }

  /**
   * POST and return the response once its headers are in, status 200 checked. The caller reads its body()
   * to the end or destroys it.
   */
  async post(path: string, body: Uint8Array, headers: Record<string, string>, signal?: AbortSignal): Promise<StreamedResponse> {
    // Once per path: a remote read's URL parse was ~20 µs of cold code before every read.
    let target = this.postTargets.get(path);
    if (target === undefined) {
      const url = this.url(path);
      target = { url, path: `${url.pathname}${url.search}` };
      this.postTargets.set(path, target);
    }
    const u = target.url;
    const merged = Object.keys(this.extraHeaders).length === 0 ? headers : { ...headers, ...this.extraHeaders };
    const res = await this.streaming.request('POST', target.path, merged, body, signal);
    if (res.status !== 200) throw await postFailed(u, res);
    return res;
  }

  /**
   * POST /-/reload: Prometheus re-reads its config and rule files. Resolves once it answered 200 (the reload
   * is done then); a 403 means Prometheus runs without --web.enable-lifecycle, a 500 carries the reason a
   * new config was refused.
   */
  async reload(signal?: AbortSignal): Promise<void> {
    const u = this.url('-/reload');
    const res = await this.streaming.request('POST', `${u.pathname}${u.search}`, { ...this.extraHeaders }, new Uint8Array(0), this.whole(signal));
    if (res.status !== 200) throw await postFailed(u, res, res.status === 403 ? ' (is Prometheus started with --web.enable-lifecycle?)' : '');
    await readStreamedText(res).catch(() => ''); // read to the end: the connection goes back to the pool
  }

  /** JSON and text answers are small: the deadline covers the whole exchange, body included. */
  private whole(signal: AbortSignal | undefined): AbortSignal {
    const t = AbortSignal.timeout(this.timeoutMs);
    return signal === undefined ? t : AbortSignal.any([signal, t]);
  }

  close(): void {
    this.agent.destroy();
    this.streaming.close();
  }

  /** A GET through the keep-alive agent; resolves once the response head is in. */
  private get(u: URL, signal?: AbortSignal): Promise<IncomingMessage> {
    const what = `GET ${u.pathname}`;
    throwIfAborted(signal, what);
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = this.transport.request(u, { method: 'GET', agent: this.agent, headers: this.extraHeaders });
      const timer = setTimeout(() => req.destroy(new StorageError(`GET ${u.href}: no response within ${this.timeoutMs} ms`)), this.timeoutMs);
      // Abort during the exchange destroys the socket; the body stream then errors for whoever reads it.
      const onAbort = (): void => {
        try {
          throwIfAborted(signal, what);
        } catch (err) {
          req.destroy(err as Error);
        }
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('response', (res) => {
        clearTimeout(timer);
        res.once('close', () => signal?.removeEventListener('abort', onAbort));
        resolve(res);
      });
      req.on('error', (err) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(err instanceof StorageError || err.name.startsWith('Query') ? err : new StorageError(`GET ${u.href}: ${err.message}`, { cause: err }));
      });
      req.end();
    });
  }
}

async function readText(res: IncomingMessage, u: URL, signal?: AbortSignal): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      n += chunk.length;
      if (n > MAX_TEXT_BODY_BYTES) {
        res.destroy();
        throw new StorageError(`GET ${u.pathname}: response larger than ${MAX_TEXT_BODY_BYTES} bytes`);
      }
      parts.push(chunk);
    }
  } catch (err) {
    throwIfAborted(signal, `GET ${u.pathname}`);
    if (err instanceof StorageError) throw err;
    throw new StorageError(`read ${u.pathname} response: ${(err as Error).message}`, { cause: err });
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The start of an error answer's body, enough to quote (the rest is dropped with the connection). */
async function readStreamedText(res: StreamedResponse): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const group of res.body()) {
      for (const b of group) {
        parts.push(b);
        n += b.length;
      }
      if (n > 4 * ERROR_BODY_QUOTE_BYTES) break;
    }
  } finally {
    res.destroy();
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The error for a POST answered with a status other than 200: the status, reason and (quoted) body. */
async function postFailed(u: URL, res: StreamedResponse, hint = ''): Promise<StorageError> {
  const text = await readStreamedText(res).catch(() => '');
  return new StorageError(`POST ${u.pathname}: ${res.status} ${res.reason}: ${quote(text)}${hint}`);
}

function quote(text: string): string {
  const t = text.trim();
  return t.length > ERROR_BODY_QUOTE_BYTES ? `${t.slice(0, ERROR_BODY_QUOTE_BYTES)}…` : t;
}
