/**
 * A gRPC server for unary and server-streaming methods — all the StoreAPI has — on our HTTP/2 (h2/).
 *
 * Why not @grpc/grpc-js on node:http2: together they cost ~200 µs of CPU per call (both sides), most of a
 * 100-store fan-out (bench/README.md). Here a call is one HTTP/2 stream: headers in, one request message,
 * messages out with the stream's own backpressure, a status in the trailers; the constant response headers are
 * encoded once. Message bytes come and go through the method's own codec; the server never sees objects.
 *
 * Handlers get an AbortSignal fired when the client cancels (RST_STREAM), its `grpc-timeout` passes (the client
 * then gets DEADLINE_EXCEEDED) or the server is stopped. A handler error becomes the status given by `statusOf`.
 */
import net, { type AddressInfo } from 'node:net';
import { QueryCanceledError, QueryTimeoutError } from '../../model/index.js';
import { Code, GrpcStatusError } from './codes.js';
import { H2Connection, type H2Options, type H2Stream } from './h2/connection.js';
import { ErrorCode } from './h2/frames.js';
import { encodeHeaderBlock, type HeaderList } from './h2/hpack.js';
import { ACCEPT_ENCODING, MessageReader, encodeStatusMessage, isSupportedEncoding, parseTimeout, writeMessage } from './wire.js';

/** Request headers by name (the last value of a repeated header). */
export type RequestHeaders = Readonly<Record<string, string>>;

export interface ServerCall {
  /** `/package.Service/Method`. */
  readonly path: string;
  /** Request headers (custom metadata such as `thanos-tenant` among them). */
  readonly headers: RequestHeaders;
  /** Fires on client cancel, deadline or server stop; its reason is a QueryCanceledError or QueryTimeoutError. */
  readonly signal: AbortSignal;
  /** `address:port` of the client. */
  readonly peer: string;
}

interface MethodCodec<Req, Res> {
  decodeRequest(bytes: Buffer): Req;
  /** Message bytes of one response; may return a caller's pre-encoded bytes unchanged. */
  encodeResponse(res: Res): Uint8Array;
}

export interface UnaryMethod<Req, Res> extends MethodCodec<Req, Res> {
  kind: 'unary';
  handle(req: Req, call: ServerCall): Promise<Res>;
}

export interface ServerStreamMethod<Req, Res> extends MethodCodec<Req, Res> {
  kind: 'serverStream';
  /** `send` resolves when the stream can take more, and rejects (QueryCanceledError) once the call is over. */
  handle(req: Req, send: (res: Res) => Promise<void>, call: ServerCall): Promise<void>;
}

export type Method = UnaryMethod<never, unknown> | ServerStreamMethod<never, unknown>;

export interface GrpcServerOptions {
  /** Largest request message accepted. */
  maxMessageBytes: number;
  /** The status a handler's error ends the call with. */
  statusOf(err: unknown): { code: Code; details: string };
}

const H2_SERVER: H2Options = {
  streamWindow: 1 << 20,
  connectionWindow: 4 << 20,
  maxFrameSize: 1 << 20,
  maxHeaderListBytes: 1 << 20,
  maxConcurrentStreams: 10_000,
};

const RESPONSE_HEADERS = encodeHeaderBlock([':status', '200', 'content-type', 'application/grpc', 'grpc-accept-encoding', ACCEPT_ENCODING]);
const OK_TRAILERS = encodeHeaderBlock(['grpc-status', '0']);

function statusBlock(code: Code, details: string): Buffer {
  return encodeHeaderBlock(['grpc-status', String(code), 'grpc-message', encodeStatusMessage(details)]);
}

export class GrpcServer {
  readonly #methods = new Map<string, Method>();
  readonly #opts: GrpcServerOptions;
  readonly #server: net.Server;
  readonly #conns = new Set<H2Connection>();
  readonly #calls = new Set<Call>();

  constructor(opts: GrpcServerOptions) {
    this.#opts = opts;
    this.#server = net.createServer((socket) => {
      const conn = new H2Connection(socket, 'server', H2_SERVER);
      this.#conns.add(conn);
      conn.onClose = () => this.#conns.delete(conn);
      conn.onStream = (stream, headers, endStream) => this.#onStream(stream, headers, endStream);
    });
  }

  /** Serves `method` at `path` (`/package.Service/Method`). */
  add<Req, Res>(path: string, method: UnaryMethod<Req, Res> | ServerStreamMethod<Req, Res>): void {
    this.#methods.set(path, method as unknown as Method);
  }

  /** Binds `host:port` (port 0 picks a free one); resolves with the bound port. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  /** Stops taking connections and calls (GOAWAY), lets running calls finish for `graceMs`, then cancels them. */
  async close(graceMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const c of this.#conns) c.goaway();
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        for (const c of this.#calls) c.abort(new QueryCanceledError('server shutdown'));
        for (const c of this.#conns) c.destroy();
        resolve();
      }, graceMs);
    });
    await Promise.race([closed, forced]);
    clearTimeout(timer);
    await closed;
  }

  #onStream(stream: H2Stream, fields: HeaderList, endStream: boolean): void {
    const headers: Record<string, string> = {};
    for (let i = 0; i < fields.length; i += 2) headers[fields[i]] = fields[i + 1];
    if (headers[':method'] !== 'POST') return httpError(stream, 405);
    const contentType = headers['content-type'];
    if (contentType === undefined || !contentType.startsWith('application/grpc')) return httpError(stream, 415);
    const path = headers[':path'] ?? '';
    const method = this.#methods.get(path);
    if (method === undefined) return trailersOnly(stream, Code.UNIMPLEMENTED, `unknown method ${path}`);
    const encoding = headers['grpc-encoding'];
    if (!isSupportedEncoding(encoding)) {
      return trailersOnly(stream, Code.UNIMPLEMENTED, `grpc-encoding ${encoding} is not supported (have ${ACCEPT_ENCODING})`);
    }
    const timeoutMs = parseTimeout(headers['grpc-timeout']);
    if (Number.isNaN(timeoutMs)) return trailersOnly(stream, Code.INTERNAL, `malformed grpc-timeout ${headers['grpc-timeout']}`);

    const call = new Call(stream, headers, path, this.#calls);
    if (timeoutMs !== undefined) call.setDeadline(timeoutMs);
    const reader = new MessageReader(this.#opts.maxMessageBytes, encoding);
    const messages: Buffer[] = [];
    stream.onData = (chunk) => {
      stream.consume(chunk.length);
      if (call.done) return;
      try {
        reader.push(chunk, messages);
      } catch (err) {
        call.finish(err instanceof GrpcStatusError ? err.code : Code.INTERNAL, (err as Error).message);
      }
    };
    const onEnd = (): void => {
      if (call.done) return;
      if (messages.length !== 1 || reader.partial) {
        call.finish(Code.INTERNAL, `expected one request message, got ${messages.length}${reader.partial ? ' and a truncated one' : ''}`);
        return;
      }
      let req: never;
      try {
        req = method.decodeRequest(messages[0]) as never;
      } catch (err) {
        call.finish(Code.INTERNAL, `error parsing request: ${(err as Error).message}`);
        return;
      }
      this.#run(method, req, call);
    };
    if (endStream) onEnd();
    else stream.onEnd = onEnd;
  }

  #run(method: Method, req: never, call: Call): void {
    const fail = (err: unknown): void => {
      if (call.done) return;
      const { code, details } = this.#opts.statusOf(err);
      call.finish(code, details);
    };
    if (method.kind === 'unary') {
      method.handle(req, call).then((res) => {
        if (call.done) return;
        let bytes: Uint8Array;
        try {
          bytes = method.encodeResponse(res);
        } catch (err) {
          return fail(err);
        }
        call.send(bytes).then(() => call.finish(Code.OK, ''), fail);
      }, fail);
      return;
    }
    const send = (res: unknown): Promise<void> => {
      if (call.done) return call.rejectClosed(); // not worth encoding
      return call.send(method.encodeResponse(res));
    };
    method.handle(req, send, call).then(() => call.finish(Code.OK, ''), fail);
  }
}

function httpError(stream: H2Stream, status: number): void {
  stream.sendHeaders(encodeHeaderBlock([':status', String(status)]), true);
  stream.reset(ErrorCode.NO_ERROR);
}

function trailersOnly(stream: H2Stream, code: Code, details: string): void {
  if (stream.closed) return;
  const fields = [':status', '200', 'content-type', 'application/grpc', 'grpc-status', String(code), 'grpc-message', encodeStatusMessage(details)];
  stream.sendHeaders(encodeHeaderBlock(fields), true);
  // The request may still be arriving: we have answered, so stop it.
  if (!stream.closed) stream.reset(ErrorCode.NO_ERROR);
}

/** One running call: its stream, signal and deadline; ends exactly once (`finish`, or the client going away). */
class Call implements ServerCall {
  readonly path: string;
  readonly headers: RequestHeaders;
  readonly #stream: H2Stream;
  /** Made when a handler first asks for the signal: ~8 µs a controller, and not every handler needs one. */
  #ac: AbortController | undefined;
  #abortReason: Error | undefined;
  readonly #live: Set<Call>;
  #done = false;
  #headersSent = false;
  #deadline: NodeJS.Timeout | undefined;
  #drained: (() => void) | undefined;

  constructor(stream: H2Stream, headers: RequestHeaders, path: string, live: Set<Call>) {
    this.#stream = stream;
    this.headers = headers;
    this.path = path;
    this.#live = live;
    live.add(this);
    // The client reset the stream or the connection broke before we finished.
    stream.onReset = () => {
      if (!this.#done) this.abort(new QueryCanceledError(path));
    };
    stream.onDrain = () => {
      const d = this.#drained;
      this.#drained = undefined;
      d?.();
    };
  }

  get signal(): AbortSignal {
    if (this.#ac === undefined) {
      this.#ac = new AbortController();
      if (this.#abortReason !== undefined) this.#ac.abort(this.#abortReason);
    }
    return this.#ac.signal;
  }

  #abortWith(reason: Error): void {
    this.#abortReason ??= reason;
    this.#ac?.abort(reason);
  }

  get done(): boolean {
    return this.#done;
  }

  get peer(): string {
    return this.#stream.peer;
  }

  setDeadline(ms: number): void {
    this.#deadline = setTimeout(() => {
      if (this.#done) return;
      this.#abortWith(new QueryTimeoutError(this.path));
      this.finish(Code.DEADLINE_EXCEEDED, 'Deadline exceeded');
    }, ms);
  }

  /** Ends the call without a status (the client is gone, or the server is stopping). */
  abort(reason: Error): void {
    if (this.#done) return;
    this.#end();
    this.#abortWith(reason);
    this.#stream.reset(ErrorCode.CANCEL);
  }

  /** What a send after the end rejects with: why the call was aborted, else QueryCanceledError. */
  rejectClosed(): Promise<never> {
    return Promise.reject(this.#abortReason ?? new QueryCanceledError(this.path));
  }

  send(message: Uint8Array): Promise<void> {
    if (this.#done) return this.rejectClosed();
    if (!this.#headersSent) {
      this.#headersSent = true;
      this.#stream.sendHeaders(RESPONSE_HEADERS, false);
    }
    if (writeMessage(this.#stream, message)) return Promise.resolve();
    const signal = this.signal;
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#drained = undefined;
        reject(signal.reason);
      };
      this.#drained = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  finish(code: Code, details: string): void {
    if (this.#done) return;
    this.#end();
    const stream = this.#stream;
    if (stream.closed) return;
    if (!this.#headersSent) return trailersOnly(stream, code, details);
    stream.end(code === Code.OK ? OK_TRAILERS : statusBlock(code, details));
  }

  #end(): void {
    this.#done = true;
    this.#live.delete(this);
    clearTimeout(this.#deadline);
  }
}
