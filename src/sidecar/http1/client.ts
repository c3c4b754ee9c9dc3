/**
 * A small HTTP/1.1 client for one origin, for a request whose response body is consumed as it arrives
 * (the remote-read POST): keep-alive connections in a bounded pool, the body as groups of views of the
 * bytes received (response-parser.ts), the socket paused while the reader falls behind.
 *
 * Why not node:http here: its parser copies every body chunk into a buffer of its own, and Prometheus's
 * streamed remote read flushes a chunk per frame — ~1,000 mallocs, copies and frees per 2 h read of 1k
 * series, ~15 % of the sidecar's CPU on a Series call (perf, bench/README.md). The JSON API calls keep
 * using node:http (prometheus-http.ts): they are few and small.
 *
 * A reused connection that the server closed while it sat idle fails before any response byte: such a
 * request is sent once more on a new connection (as Go's http.Transport does for requests that are safe to
 * repeat; remote read only reads). Errors are StorageErrors that name the origin and what happened.
 */
import net from 'node:net';
import tls from 'node:tls';
import { StorageError, throwIfAborted } from '../../model/index.js';
import { connectTcp } from '../../net/slab-reads.js';
import { ResponseParser, type ResponseHead } from './response-parser.js';

export interface Http1ClientOptions {
  /** Deadline for connecting and receiving the response head (ms). The body has none (the caller's signal). */
  timeoutMs: number;
  /** Connections open at once; requests beyond wait for one (default 64, as the node:http agent it replaces). */
  maxSockets?: number;
  /** Idle connections kept for reuse (default 8), each for at most `idleMs` (default 30 s). */
  maxIdle?: number;
  idleMs?: number;
  /** While this many body bytes wait unread the socket is paused, so a slow reader holds the server back through TCP (default 1 MiB). */
  highWaterBytes?: number;
  /** For https: a private CA, a client certificate, the server name to verify, or no verification. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; servername?: string; rejectUnauthorized?: boolean };
}

export interface StreamedResponse {
  readonly status: number;
  readonly reason: string;
  readonly headers: ReadonlyMap<string, string>;
  /** True once the whole body has arrived. */
  readonly complete: boolean;
  /** The body as it arrives, in groups: the pieces received since the last group (views, not copies). Read it once. */
  body(): AsyncGenerator<Buffer[]>;
  /** Drops the connection unless the body is complete (an early exit). */
  destroy(): void;
}

/** Thrown inside the client for a reused connection that closed before answering: worth one more try. */
class StaleConnection extends Error {}

export class Http1Client {
  readonly #origin: URL;
  readonly #hostHeader: string;
  readonly #authorization: string | undefined;
  readonly #timeoutMs: number;
  readonly #maxSockets: number;
  readonly #maxIdle: number;
  readonly #idleMs: number;
  readonly #highWater: number;
  readonly #tls: Http1ClientOptions['tls'];
  #open = 0;
  readonly #waiting: (() => void)[] = [];
  readonly #idle: net.Socket[] = [];
  readonly #active = new Set<Exchange>();
  #closed = false;

  constructor(origin: URL, opts: Http1ClientOptions) {
    if (origin.protocol !== 'http:' && origin.protocol !== 'https:') throw new TypeError(`HTTP/1.1 client: not an http(s) URL: ${origin.href}`);
    this.#origin = origin;
    this.#hostHeader = origin.host;
    this.#authorization =
      origin.username !== '' ? `Basic ${Buffer.from(`${decodeURIComponent(origin.username)}:${decodeURIComponent(origin.password)}`).toString('base64')}` : undefined;
    this.#timeoutMs = opts.timeoutMs;
    this.#maxSockets = opts.maxSockets ?? 64;
    this.#maxIdle = opts.maxIdle ?? 8;
    this.#idleMs = opts.idleMs ?? 30_000;
    this.#highWater = opts.highWaterBytes ?? 1 << 20;
    this.#tls = opts.tls;
  }

  /**
   * Sends the request and resolves once the response head is in (any status: the caller decides). `path`
   * is the request target (path and query). The caller reads body() or calls destroy().
   */
  async request(method: string, path: string, headers: Record<string, string>, body: Uint8Array, signal?: AbortSignal): Promise<StreamedResponse> {
    const what = `${method} ${this.#origin.origin}${path}`;
    throwIfAborted(signal, what);
    if (this.#closed) throw new StorageError(`${what}: client closed`);
    const deadline = Date.now() + this.#timeoutMs;
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.#hostHeader}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    if (this.#authorization !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'authorization')) head += `authorization: ${this.#authorization}\r\n`;
    head += `content-length: ${body.length}\r\n\r\n`;
    const bytes = Buffer.allocUnsafe(head.length + body.length);
    bytes.write(head, 0, 'latin1');
    bytes.set(body, head.length);
    for (;;) {
      await this.#acquire(what, deadline, signal);
      const reused = this.#idle.pop();
      let socket: net.Socket;
      try {
        socket = reused ?? (await this.#connect(what, deadline, signal));
      } catch (err) {
        this.#releaseSlot();
        throw err;
      }
      // From here the exchange owns the slot: finished() gives it back, whatever happens.
      const ex = new Exchange(this, socket, what, this.#highWater);
      this.#active.add(ex);
      try {
        await ex.start(bytes, reused !== undefined, deadline, this.#timeoutMs, signal);
        return ex;
      } catch (err) {
        // A pooled connection the server had closed: again, with the next pooled one or a new one.
        if (err instanceof StaleConnection) continue;
        throw err;
      }
    }
  }

  /** Closes idle connections and fails the requests in flight. */
  close(): void {
    this.#closed = true;
    for (const s of this.#idle.splice(0)) s.destroy();
    for (const ex of this.#active) ex.fail(new StorageError(`${ex.what}: client closed`));
  }

  /** An exchange is over: its socket goes back to the pool (if it can carry another request) or is closed. */
  finished(ex: Exchange, socket: net.Socket, reusable: boolean): void {
    this.#active.delete(ex);
    if (reusable && !this.#closed && this.#idle.length < this.#maxIdle) this.#keepIdle(socket);
    else socket.destroy();
    this.#releaseSlot();
  }

  #keepIdle(socket: net.Socket): void {
    // Anything from the server while idle (data, its close, an error) makes the connection useless.
    const detach = (): void => {
      clearTimeout(timer);
      for (const ev of IDLE_EVENTS) socket.off(ev, drop);
    };
    const drop = (): void => {
      detach();
      const i = this.#idle.indexOf(socket);
      if (i >= 0) this.#idle.splice(i, 1);
      socket.destroy();
    };
    for (const ev of IDLE_EVENTS) socket.on(ev, drop);
    const timer = setTimeout(drop, this.#idleMs);
    timer.unref();
    socket.unref();
    (socket as IdleSocket)[TAKE] = () => {
      detach();
      socket.ref();
    };
    this.#idle.push(socket);
  }

  /** Waits for a connection slot (at most maxSockets exchanges at once). */
  async #acquire(what: string, deadline: number, signal?: AbortSignal): Promise<void> {
    if (this.#open < this.#maxSockets) {
      this.#open++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        cleanup();
        resolve();
      };
      const onAbort = (): void => {
        cleanup();
        try {
          throwIfAborted(signal, what);
        } catch (err) {
          reject(err);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new StorageError(`${what}: no connection free within ${this.#timeoutMs} ms (${this.#maxSockets} in use)`));
      }, deadline - Date.now());
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const i = this.#waiting.indexOf(grant);
        if (i >= 0) this.#waiting.splice(i, 1);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(grant);
    });
  }

  #releaseSlot(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next(); // the slot passes on
    else this.#open--;
  }

  #connect(what: string, deadline: number, signal?: AbortSignal): Promise<net.Socket> {
    const port = Number(this.#origin.port) || (this.#origin.protocol === 'https:' ? 443 : 80);
    // URL keeps IPv6 literals bracketed; sockets want them bare.
    const host = this.#origin.hostname.replace(/^\[(.*)\]$/, '$1');
    return new Promise<net.Socket>((resolve, reject) => {
      const secure = this.#origin.protocol === 'https:';
      const socket = secure
        ? tls.connect({ host, port, servername: net.isIP(host) === 0 ? host : undefined, ALPNProtocols: ['http/1.1'], ...this.#tls })
        : connectTcp(host, port);
      const done = (err?: Error): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.off(secure ? 'secureConnect' : 'connect', onConnect);
        socket.off('error', onError);
        if (err === undefined) {
          resolve(socket);
          return;
        }
        socket.destroy();
        reject(err);
      };
      const onConnect = (): void => {
        socket.setNoDelay(true);
        done();
      };
      const onError = (err: Error): void => done(new StorageError(`${what}: ${err.message}`, { cause: err }));
      const onAbort = (): void => {
        try {
          throwIfAborted(signal, what);
        } catch (err) {
          done(err as Error);
        }
      };
      const timer = setTimeout(() => done(new StorageError(`${what}: no response within ${this.#timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
      socket.once(secure ? 'secureConnect' : 'connect', onConnect);
      socket.on('error', onError);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort(); // aborted while we waited for a slot
    });
  }
}

const TAKE = Symbol('take from the idle pool');
const IDLE_EVENTS = ['data', 'end', 'close', 'error'] as const;
type IdleSocket = net.Socket & { [TAKE]?: () => void };

/** One request and its response on one connection. */
class Exchange implements StreamedResponse {
  readonly #client: Http1Client;
  readonly #socket: net.Socket;
  readonly what: string;
  readonly #highWater: number;
  readonly #parser = new ResponseParser();
  #head: ResponseHead | undefined;
  #queue: Buffer[] = [];
  #queued = 0;
  #paused = false;
  #received = 0;
  /** The connection failed or closed under us (not a timeout, an abort or a bad response). */
  #lost = false;
  #complete = false;
  #over = false;
  #failure: Error | undefined;
  #wake: (() => void) | undefined;
  #signal: AbortSignal | undefined;
  #onHead: ((err?: Error) => void) | undefined;

  constructor(client: Http1Client, socket: net.Socket, what: string, highWater: number) {
    this.#client = client;
    this.#socket = socket;
    this.what = what;
    this.#highWater = highWater;
  }

  get status(): number {
    return this.#head!.status;
  }
  get reason(): string {
    return this.#head!.reason;
  }
  get headers(): ReadonlyMap<string, string> {
    return this.#head!.headers;
  }
  get complete(): boolean {
    return this.#complete;
  }

  start(request: Buffer, reused: boolean, deadline: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    (this.#socket as IdleSocket)[TAKE]?.();
    (this.#socket as IdleSocket)[TAKE] = undefined;
    this.#signal = signal;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new StorageError(`${this.what}: no response within ${timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
      this.#onHead = (err?: Error): void => {
        clearTimeout(timer);
        this.#onHead = undefined;
        if (err === undefined) resolve();
        else if (reused && this.#received === 0 && this.#lost) reject(new StaleConnection(err.message));
        else reject(err instanceof AbortedError ? err.cause : err);
      };
      this.#socket.on('data', this.#onData);
      this.#socket.on('end', this.#onEnd);
      this.#socket.on('close', this.#onEnd);
      this.#socket.on('error', this.#onError);
      signal?.addEventListener('abort', this.#onAbort, { once: true });
      if (signal?.aborted) {
        this.#onAbort();
        return;
      }
      this.#socket.write(request);
    });
  }

  async *body(): AsyncGenerator<Buffer[]> {
    try {
      for (;;) {
        if (this.#queue.length > 0) {
          const group = this.#queue;
          this.#queue = [];
          this.#queued = 0;
          if (this.#paused && !this.#over) {
            this.#paused = false;
            this.#socket.resume();
          }
          yield group;
          continue;
        }
        if (this.#failure !== undefined) throw this.#failure instanceof AbortedError ? this.#failure.cause : this.#failure;
        if (this.#complete) return;
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    } finally {
      if (!this.#complete) this.destroy();
    }
  }

  destroy(): void {
    if (!this.#over) this.fail(new StorageError(`${this.what}: response abandoned`));
  }

  /** Ends the exchange with an error: the connection is closed; whoever waits (head or body) gets `err`. */
  fail(err: Error): void {
    if (this.#over) return;
    this.#failure = err;
    this.#finish(false);
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#received += chunk.length;
    const before = this.#queue.length;
    try {
      this.#parser.push(chunk, this.#queue);
    } catch (err) {
      this.fail(err instanceof StorageError ? new StorageError(`${this.what}: ${err.message}`, { cause: err }) : (err as Error));
      return;
    }
    for (let i = before; i < this.#queue.length; i++) this.#queued += this.#queue[i].length;
    if (this.#head === undefined && this.#parser.head !== undefined) {
      this.#head = this.#parser.head;
      this.#onHead?.();
    }
    if (this.#parser.done) {
      this.#complete = true;
      this.#finish(this.#parser.keepAlive);
      return;
    }
    if (this.#queued >= this.#highWater && !this.#paused) {
      this.#paused = true;
      this.#socket.pause();
    }
    this.#notify();
  };

  readonly #onEnd = (): void => {
    if (this.#over) return;
    this.#lost = true;
    try {
      this.#parser.end();
    } catch (err) {
      this.fail(new StorageError(`${this.what}: connection closed: ${(err as Error).message}`, { cause: err }));
      return;
    }
    // A close-delimited body ends here.
    if (this.#head === undefined) {
      this.fail(new StorageError(`${this.what}: connection closed before a response`));
      return;
    }
    this.#complete = true;
    this.#finish(false);
  };

  readonly #onError = (err: Error): void => {
    this.#lost = true;
    this.fail(new StorageError(`${this.what}: ${err.message}`, { cause: err }));
  };

  readonly #onAbort = (): void => {
    try {
      throwIfAborted(this.#signal, this.what);
    } catch (err) {
      this.fail(new AbortedError(err as Error));
    }
  };

  #finish(reusable: boolean): void {
    this.#over = true;
    const s = this.#socket;
    s.off('data', this.#onData);
    s.off('end', this.#onEnd);
    s.off('close', this.#onEnd);
    s.off('error', this.#onError);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    if (this.#paused) s.resume();
    this.#client.finished(this, s, reusable);
    this.#onHead?.(this.#head === undefined ? (this.#failure ?? new StorageError(`${this.what}: no response`)) : undefined);
    this.#notify();
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }
}

/** The caller's abort, kept apart from connection failures (which a stale reused connection may retry). */
class AbortedError extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}
