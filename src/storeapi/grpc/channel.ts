/**
 * A gRPC client connection on our HTTP/2 (h2/), for unary and server-streaming calls (server.ts has why not
 * grpc-js on node:http2).
 *
 * One HTTP/2 connection per channel, opened on the first call and again after it breaks or the server sends
 * GOAWAY (running calls finish on the old one; a call the server refused unprocessed — RST_STREAM REFUSED_STREAM,
 * or above the GOAWAY's last stream, as a restarting store answers — is sent once more, as grpc-go and grpc-js
 * retry transparently). It holds the process open only while calls run. While calls
 * run on a connection silent for `keepaliveMs` it pings, and drops one that does not answer in `keepaliveTimeoutMs`, as
 * the Thanos querier's dial options do. A call fails with GrpcStatusError: the server's status, UNAVAILABLE
 * when the connection fails, DEADLINE_EXCEEDED at its deadline, CANCELLED when its signal fires.
 *
 * The request header block is mostly constant: built once per channel, with the path and timeout added per call.
 */
import { connectTcp } from '../../net/slab-reads.js';
import { Code, GrpcStatusError, codeFromHttpStatus, parseCode } from './codes.js';
import { H2Connection, type H2Options, type H2Stream } from './h2/connection.js';
import { ErrorCode, H2StreamError } from './h2/frames.js';
import { encodeHeaderBlock, type HeaderList } from './h2/hpack.js';
import { ACCEPT_ENCODING, MessageReader, decodeStatusMessage, formatTimeout, frameMessage, isSupportedEncoding } from './wire.js';

export interface ChannelOptions {
  maxMessageBytes: number;
  keepaliveMs: number;
  keepaliveTimeoutMs: number;
}

export interface CallOptions {
  /** Milliseconds from now; sent as `grpc-timeout` and enforced here too. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Extra request headers (gRPC metadata), e.g. `thanos-tenant`. */
  metadata?: Readonly<Record<string, string>>;
}

// Flow control: how much a server may send ahead of what we have read. The HTTP/2 default (64 KiB per stream
// and per connection) makes a loopback Series stream wait for a WINDOW_UPDATE every 64 KiB; these still bound
// what one slow consumer can make us buffer.
const H2_CLIENT: H2Options = {
  streamWindow: 4 << 20,
  connectionWindow: 8 << 20,
  maxFrameSize: 1 << 20,
  maxHeaderListBytes: 1 << 20,
};
// Decoded messages queued ahead of the consumer before we stop reading (and so stop crediting the window).
const MAX_QUEUED = 64;
// …and decoded message bytes: 64 messages of a few MiB each (big Series batches) would be hundreds of MiB per
// stream, times the stores of a fan-out. Counted from when the queue was last empty (a message bigger than this
// still passes, alone).
const MAX_QUEUED_BYTES = 4 << 20;

const USER_AGENT = 'promfed-grpc/1';

/**
 * The socket never holds the process open by itself: a running call's deadline timer does, so an idle
 * channel someone forgot to close does not keep a CLI alive.
 */
class Connection {
  readonly h2: H2Connection;
  active = 0;
  #keepalive: NodeJS.Timeout;

  constructor(host: string, port: number, opts: ChannelOptions, onGone: (c: Connection) => void) {
    const socket = connectTcp(host, port);
    socket.unref();
    this.h2 = new H2Connection(socket, 'client', H2_CLIENT);
    this.h2.onGoaway = () => onGone(this);
    this.h2.onClose = () => {
      clearInterval(this.#keepalive);
      onGone(this);
    };
    // As grpc-go: ping only when the peer has been silent for the keepalive time while calls run. Pinging a
    // busy connection tells us nothing, and servers count pings against a budget (C-core answers "too many
    // pings" with GOAWAY).
    this.#keepalive = setInterval(() => {
      const h2 = this.h2;
      if (this.active === 0 || socket.connecting || performance.now() - h2.lastReadAt < opts.keepaliveMs) return;
      h2.ping(opts.keepaliveTimeoutMs, (err) => err && h2.destroy(err));
    }, opts.keepaliveMs).unref();
  }
}

export class GrpcChannel {
  readonly target: string;
  readonly #host: string;
  readonly #port: number;
  readonly #opts: ChannelOptions;
  /** `:method`, `:scheme`, `:authority`: the pseudo-headers before `:path`. */
  readonly #pseudo: Buffer;
  /** content-type, te, grpc-accept-encoding, user-agent. */
  readonly #common: Buffer;
  readonly #paths = new Map<string, Buffer>();
  #conn: Connection | undefined;
  #closed = false;

  /** `target` is `host:port` or `[v6 address]:port`. */
  constructor(target: string, opts: ChannelOptions) {
    this.target = target;
    const colon = target.lastIndexOf(':');
    this.#host = target.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    this.#port = Number(target.slice(colon + 1));
    this.#opts = opts;
    this.#pseudo = encodeHeaderBlock([':method', 'POST', ':scheme', 'http', ':authority', target]);
    this.#common = encodeHeaderBlock(['content-type', 'application/grpc', 'te', 'trailers', 'grpc-accept-encoding', ACCEPT_ENCODING, 'user-agent', USER_AGENT]);
  }

  /** Closes the connection; running calls are cancelled, later calls fail with UNAVAILABLE. */
  close(): void {
    this.#closed = true;
    this.#conn?.h2.destroy(new Error('channel closed'));
    this.#conn = undefined;
  }

  /** One request, one response message. */
  async unary<Res>(path: string, request: Uint8Array, decode: (bytes: Buffer) => Res, opts: CallOptions): Promise<Res> {
    const call = this.#start(path, request, decode, opts);
    let res: Res | undefined;
    let n = 0;
    for (;;) {
      const next = call.next();
      if (next === WAIT) await call.wait();
      else if (next === END) break;
      else {
        res = next;
        n++;
      }
    }
    if (n !== 1) throw new GrpcStatusError(Code.INTERNAL, `unary call got ${n} response messages`);
    return res as Res;
  }

  /**
   * The response messages as they arrive. `return()` cancels the call at once, even while a `next()` waits
   * (an async generator would only see it after that wait), so a consumer can drop a stream without a signal.
   */
  serverStream<Res>(path: string, request: Uint8Array, decode: (bytes: Buffer) => Res, opts: CallOptions): AsyncIterableIterator<Res> {
    return new CallIterator(this.#start(path, request, decode, opts));
  }

  #start<Res>(path: string, request: Uint8Array, decode: (bytes: Buffer) => Res, opts: CallOptions): ClientCall<Res> {
    if (this.#closed) throw new GrpcStatusError(Code.UNAVAILABLE, `channel to ${this.target} is closed`);
    let pathField = this.#paths.get(path);
    if (pathField === undefined) {
      pathField = encodeHeaderBlock([':path', path]);
      if (this.#paths.size < 64) this.#paths.set(path, pathField);
    }
    const parts = [this.#pseudo, pathField, this.#common, encodeHeaderBlock(['grpc-timeout', formatTimeout(opts.timeoutMs)])];
    if (opts.metadata !== undefined) parts.push(metadataBlock(opts.metadata));
    const headers = Buffer.concat(parts);
    const open = (): Opened => {
      const conn = this.#connection();
      return { conn, stream: conn.h2.request(headers, false) };
    };
    // A stream the server refused before processing it (RST_STREAM REFUSED_STREAM, or above a GOAWAY's last
    // stream: a server restarting) is sent once more, on a new connection if that one is going away — the
    // transparent retry of grpc-go and grpc-js.
    const reopen = (): Opened | undefined => (this.#closed ? undefined : open());
    return new ClientCall(open(), reopen, frameMessage(request), decode, opts, this.#opts.maxMessageBytes);
  }

  #connection(): Connection {
    if (this.#conn === undefined || !this.#conn.h2.usable) {
      this.#conn = new Connection(this.#host, this.#port, this.#opts, (gone) => {
        if (this.#conn === gone) this.#conn = undefined;
      });
    }
    return this.#conn;
  }
}

// A client passes the same metadata object with every call: its header block is encoded once.
const metadataBlocks = new WeakMap<object, Buffer>();

function metadataBlock(metadata: Readonly<Record<string, string>>): Buffer {
  let block = metadataBlocks.get(metadata);
  if (block === undefined) {
    const fields: string[] = [];
    for (const [k, v] of Object.entries(metadata)) fields.push(k.toLowerCase(), v);
    block = encodeHeaderBlock(fields);
    metadataBlocks.set(metadata, block);
  }
  return block;
}

interface Opened {
  conn: Connection;
  stream: H2Stream;
}

const WAIT = Symbol('wait');
const END = Symbol('end');

class CallIterator<Res> implements AsyncIterableIterator<Res> {
  readonly #call: ClientCall<Res>;
  #done = false;
  /** The pending `next()` to settle when `return()` comes first. */
  #settlePending: ((r: IteratorResult<Res>) => void) | undefined;

  constructor(call: ClientCall<Res>) {
    this.#call = call;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Res>> {
    if (this.#done) return Promise.resolve({ done: true, value: undefined });
    try {
      const next = this.#call.next();
      if (next === END) return this.#finish();
      if (next !== WAIT) return Promise.resolve({ done: false, value: next });
    } catch (err) {
      this.#done = true;
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.#settlePending = resolve;
      void this.#call.wait().then(() => {
        if (this.#settlePending !== resolve) return; // return() answered it
        this.#settlePending = undefined;
        this.next().then(resolve, reject);
      });
    });
  }

  return(): Promise<IteratorResult<Res>> {
    this.#call.cancel();
    const pending = this.#settlePending;
    this.#settlePending = undefined;
    pending?.({ done: true, value: undefined });
    return this.#finish();
  }

  #finish(): Promise<IteratorResult<Res>> {
    this.#done = true;
    return Promise.resolve({ done: true, value: undefined });
  }
}

/**
 * One call's stream: messages decoded as DATA arrives, then a status. When the consumer falls behind, DATA is
 * held undecoded and not credited back, so the server's flow-control window closes.
 */
class ClientCall<Res> {
  #conn: Connection;
  #stream: H2Stream;
  /** Opens the call again on the channel; undefined once it must not be (retried already, channel closed). */
  #reopen: (() => Opened | undefined) | undefined;
  readonly #frame: Buffer;
  readonly #decode: (bytes: Buffer) => Res;
  readonly #signal: AbortSignal | undefined;
  readonly #maxBytes: number;
  readonly #queue: Res[] = [];
  #head = 0;
  /** Message bytes put in #queue since it was last empty. */
  #queuedBytes = 0;
  #held: Buffer[] = [];
  #reader: MessageReader | undefined;
  #bufs: Buffer[] = [];
  #gotHeaders = false;
  #ended = false; // the server ended its side; the status is in #trailerStatus
  /** Set once: undefined while running, null for OK. */
  #status: GrpcStatusError | null | undefined;
  #trailerStatus: GrpcStatusError | null | undefined;
  #wake: (() => void) | undefined;
  #deadline: NodeJS.Timeout;
  readonly #onAbort = (): void => this.#fail(new GrpcStatusError(Code.CANCELLED, 'cancelled on client'));

  constructor(opened: Opened, reopen: () => Opened | undefined, frame: Buffer, decode: (b: Buffer) => Res, opts: CallOptions, maxBytes: number) {
    this.#conn = opened.conn;
    this.#stream = opened.stream;
    this.#reopen = reopen;
    this.#frame = frame;
    this.#decode = decode;
    this.#signal = opts.signal;
    this.#maxBytes = maxBytes;
    this.#conn.active++;
    this.#deadline = setTimeout(
      () => this.#fail(new GrpcStatusError(Code.DEADLINE_EXCEEDED, `deadline exceeded after ${opts.timeoutMs / 1000}s`)),
      opts.timeoutMs,
    );
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#send(this.#stream);
  }

  #send(stream: H2Stream): void {
    stream.onHeaders = (headers, endStream) => this.#onHeaders(headers, endStream);
    stream.onData = (chunk) => {
      if (this.#status !== undefined) return stream.consume(chunk.length);
      if (this.#held.length > 0 || this.#queueFull) this.#held.push(chunk);
      else this.#onData(chunk);
    };
    stream.onEnd = () => {
      this.#ended = true;
      if (this.#held.length === 0) this.#finish();
    };
    stream.onReset = (code, err) => this.#onReset(code, err);
    stream.writeEnd(this.#frame);
  }

  /** Sends the call again on a new stream; false when it may not be. */
  #retry(): boolean {
    const reopen = this.#reopen;
    this.#reopen = undefined;
    let again: Opened | undefined;
    try {
      again = reopen?.();
    } catch {
      return false; // no stream to be had: the refusal stands
    }
    if (again === undefined) return false;
    this.#conn.active--;
    this.#conn = again.conn;
    this.#conn.active++;
    this.#stream = again.stream;
    this.#send(again.stream);
    return true;
  }

  /** The next message, END once the call is over (OK), or WAIT; throws the call's error status. */
  next(): Res | typeof WAIT | typeof END {
    if (this.#head < this.#queue.length) {
      const m = this.#queue[this.#head];
      this.#queue[this.#head++] = undefined as Res;
      if (this.#head === this.#queue.length) {
        this.#queue.length = 0;
        this.#head = 0;
        this.#queuedBytes = 0;
        this.#release();
      }
      return m;
    }
    if (this.#status === undefined) return WAIT;
    if (this.#status === null) return END;
    throw this.#status;
  }

  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  /** Ends the call if it still runs (the consumer stopped early); a no-op after the status. */
  cancel(): void {
    if (this.#status === undefined) this.#fail(new GrpcStatusError(Code.CANCELLED, 'cancelled on client'));
  }

  get #queueFull(): boolean {
    return this.#queue.length - this.#head >= MAX_QUEUED || this.#queuedBytes >= MAX_QUEUED_BYTES;
  }

  /** Decodes held DATA now that the consumer has caught up. */
  #release(): void {
    while (this.#held.length > 0 && this.#status === undefined && !this.#queueFull) {
      this.#onData(this.#held.shift()!);
    }
    if (this.#held.length === 0 && this.#ended && this.#status === undefined) this.#finish();
  }

  #onHeaders(headers: HeaderList, endStream: boolean): void {
    if (this.#status !== undefined) return;
    let status = '';
    let contentType: string | undefined;
    let encoding: string | undefined;
    let grpcStatus: string | undefined;
    let grpcMessage: string | undefined;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i];
      if (name === ':status') status = headers[i + 1];
      else if (name === 'content-type') contentType = headers[i + 1];
      else if (name === 'grpc-encoding') encoding = headers[i + 1];
      else if (name === 'grpc-status') grpcStatus = headers[i + 1];
      else if (name === 'grpc-message') grpcMessage = headers[i + 1];
    }
    if (this.#gotHeaders) {
      // Trailers.
      this.#trailerStatus = statusOf(grpcStatus, grpcMessage);
      return;
    }
    this.#gotHeaders = true;
    if (grpcStatus !== undefined) {
      this.#trailerStatus = statusOf(grpcStatus, grpcMessage); // trailers-only: the status and nothing else
      return;
    }
    if (status !== '200') {
      this.#trailerStatus = new GrpcStatusError(codeFromHttpStatus(Number(status)), `unexpected HTTP status ${status}`);
      if (!endStream) this.#fail(this.#trailerStatus);
      return;
    }
    if (contentType === undefined || !contentType.startsWith('application/grpc')) {
      this.#fail(new GrpcStatusError(Code.UNKNOWN, `unexpected content-type ${String(contentType)}`));
      return;
    }
    if (!isSupportedEncoding(encoding)) {
      this.#fail(new GrpcStatusError(Code.INTERNAL, `response grpc-encoding ${encoding} is not supported`));
      return;
    }
    this.#reader = new MessageReader(this.#maxBytes, encoding);
  }

  #onData(chunk: Buffer): void {
    this.#stream.consume(chunk.length);
    if (this.#status !== undefined) return;
    if (this.#reader === undefined) {
      this.#fail(new GrpcStatusError(Code.INTERNAL, 'DATA before response headers'));
      return;
    }
    const bufs = this.#bufs;
    try {
      this.#reader.push(chunk, bufs);
      for (let i = 0; i < bufs.length; i++) {
        this.#queue.push(this.#decode(bufs[i]));
        this.#queuedBytes += bufs[i].length;
      }
    } catch (err) {
      bufs.length = 0;
      this.#fail(err instanceof GrpcStatusError ? err : new GrpcStatusError(Code.INTERNAL, `error parsing response: ${(err as Error).message}`));
      return;
    }
    if (bufs.length === 0) return;
    bufs.length = 0;
    this.#wakeUp();
  }

  /** The server ended its side and every DATA is decoded: the call's status. */
  #finish(): void {
    if (this.#status !== undefined) return;
    if (this.#trailerStatus === undefined) this.#settle(new GrpcStatusError(Code.INTERNAL, 'server ended the stream without a status'));
    else if (this.#trailerStatus === null && this.#reader?.partial) this.#settle(new GrpcStatusError(Code.INTERNAL, 'stream ended inside a message'));
    else this.#settle(this.#trailerStatus);
  }

  #onReset(code: number, err: Error | undefined): void {
    if (this.#status !== undefined) return;
    // Refused before any answer: the server never processed it.
    if (code === ErrorCode.REFUSED_STREAM && err === undefined && !this.#gotHeaders && this.#retry()) return;
    this.#queue.length = 0;
    this.#head = 0;
    this.#queuedBytes = 0;
    this.#held = [];
    if (err instanceof H2StreamError) {
      this.#settle(new GrpcStatusError(Code.INTERNAL, `server broke HTTP/2 on this stream: ${err.message}`, { cause: err }));
    } else if (err !== undefined) {
      // The connection is gone (closed, broken, keepalive unanswered): UNAVAILABLE, as grpc-go and grpc-js
      // report a transport failure whether or not response headers had arrived.
      this.#settle(new GrpcStatusError(Code.UNAVAILABLE, err.message, { cause: err }));
    } else if (code === ErrorCode.REFUSED_STREAM) {
      this.#settle(new GrpcStatusError(Code.UNAVAILABLE, 'stream refused by the server'));
    } else if (code === ErrorCode.CANCEL) {
      this.#settle(new GrpcStatusError(Code.CANCELLED, 'stream cancelled by the server'));
    } else if (code === ErrorCode.ENHANCE_YOUR_CALM) {
      // PROTOCOL-HTTP2.md's RST_STREAM mapping: the server is shedding load (too many pings or streams).
      this.#settle(new GrpcStatusError(Code.RESOURCE_EXHAUSTED, 'stream reset by the server: ENHANCE_YOUR_CALM'));
    } else if (code === ErrorCode.INADEQUATE_SECURITY) {
      this.#settle(new GrpcStatusError(Code.PERMISSION_DENIED, 'stream reset by the server: INADEQUATE_SECURITY'));
    } else if (code === ErrorCode.NO_ERROR && this.#trailerStatus !== undefined) {
      this.#settle(this.#trailerStatus); // the server answered before reading all of the request
    } else {
      this.#settle(new GrpcStatusError(Code.INTERNAL, `stream reset by the server (HTTP/2 error ${code})`));
    }
  }

  /** Ends the call here, before the server did: the stream is reset. */
  #fail(status: GrpcStatusError): void {
    if (this.#status !== undefined) return;
    this.#queue.length = 0;
    this.#head = 0;
    this.#queuedBytes = 0;
    for (const b of this.#held) this.#stream.consume(b.length);
    this.#held = [];
    this.#settle(status);
    this.#stream.reset(ErrorCode.CANCEL);
  }

  #settle(status: GrpcStatusError | null): void {
    this.#status = status;
    clearTimeout(this.#deadline);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#conn.active--;
    this.#wakeUp();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    if (wake !== undefined) {
      this.#wake = undefined;
      wake();
    }
  }
}

function statusOf(grpcStatus: string | undefined, grpcMessage: string | undefined): GrpcStatusError | null {
  const code = parseCode(grpcStatus);
  if (code === Code.OK) return null;
  return new GrpcStatusError(code, decodeStatusMessage(grpcMessage));
}
