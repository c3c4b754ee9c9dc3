/**
 * One HTTP/2 connection (h2c with prior knowledge, as gRPC speaks it), client or server side: frames, HPACK
 * header blocks, flow control both ways, SETTINGS, PING, RST_STREAM and GOAWAY (RFC 9113).
 *
 * Why our own: node:http2 costs ~150 µs of CPU per stream for both sides together (a Duplex, an
 * AsyncResource and several event emitters per stream, headers mapped through objects), which is most of a
 * fan-out over 100 stores (bench/README.md). Here a stream is one small object with callbacks; header blocks
 * are byte strings the caller can pre-build; all frames written in one tick leave in one socket write.
 *
 * What it does not do: TLS, server push, priorities (read and ignored), HTTP/1 upgrade, and trailers from
 * clients. Backpressure: a stream's `write` returns false while its data waits for flow-control window or the
 * socket is full, and `onDrain` fires when it can take more; received data is credited back to the peer only
 * as the owner calls `consume`, so a slow reader holds the sender back instead of growing our buffers.
 */
import type { Socket } from 'node:net';
import { joinParts } from '../../../net/slab-reads.js';
import { HpackDecoder, HpackError, type HeaderList } from './hpack.js';
import {
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_WINDOW,
  ErrorCode,
  Flag,
  FrameType,
  H2ConnectionError,
  H2StreamError,
  MAX_FRAME_SIZE_LIMIT,
  MAX_WINDOW,
  PREFACE,
  Setting,
  goawayFrame,
  pingFrame,
  rstStreamFrame,
  settingsFrame,
  windowUpdateFrame,
  writeFrameHeader,
} from './frames.js';

export interface H2Options {
  /** Our receive window for each stream (SETTINGS_INITIAL_WINDOW_SIZE). */
  streamWindow: number;
  /** Our receive window for the whole connection. */
  connectionWindow: number;
  /** Largest frame payload we accept (SETTINGS_MAX_FRAME_SIZE). */
  maxFrameSize: number;
  /** Largest decoded header list we accept (SETTINGS_MAX_HEADER_LIST_SIZE). */
  maxHeaderListBytes: number;
  /** Server: streams a client may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS). */
  maxConcurrentStreams?: number;
}

// Socket bytes queued before writers are told to wait.
const SOCKET_HIGH_WATER = 256 * 1024;
// Bytes a stream may queue behind its flow-control window before `write` returns false.
const STREAM_HIGH_WATER = 64 * 1024;
// CONTINUATION frames one header block may span: a peer fragments by its frame size (≥ 16 KiB), so a real
// block needs a handful; empty or tiny ones in their thousands are a CPU/memory flood (CVE-2024-27316 class).
const MAX_CONTINUATIONS = 1024;
// PING and SETTINGS we may answer while the peer is not reading our answers (the socket is backed up): past
// this the peer is flooding us and the answers would pile up without bound (CVE-2019-9512/9515 class).
const MAX_REPLIES_WHILE_BUSY = 10_000;
// Server: streams a client may reset (RST_STREAM on a stream it opened) in a burst, and refilled per second.
// Open-then-reset costs us a handler each without counting against MAX_CONCURRENT_STREAMS (CVE-2023-44487,
// "rapid reset"); nghttp2 and the Go server cap it likewise. A querier cancels a few streams per query.
const RESET_BURST = 1_000;
const RESETS_PER_SECOND = 100;
const noop = (): void => {};

export class H2Stream {
  id: number;
  /** Response headers (client) or trailers; `endStream` when the peer also ended its side. */
  onHeaders: (headers: HeaderList, endStream: boolean) => void = noop;
  /** A DATA payload (padding removed); the owner calls `consume(chunk.length)` once it has taken it. */
  onData: (chunk: Buffer) => void = noop;
  /** The peer ended its side (END_STREAM), after its last onData/onHeaders. */
  onEnd: () => void = noop;
  /**
   * The stream was reset by the peer (its RST_STREAM code), by us for the peer's protocol error on it (`err` an
   * H2StreamError with the code we sent), or the connection is gone (`err` anything else). Final.
   */
  onReset: (code: number, err?: Error) => void = noop;
  /** `write` can take more again. */
  onDrain: () => void = noop;

  readonly #conn: H2Connection;
  sendWindow: number;
  recvWindow: number;
  #unacked = 0;
  localEnded = false;
  remoteEnded = false;
  closed = false;
  pending: Buffer[] = [];
  pendingBytes = 0;
  /** A trailers block (or `true`: a bare END_STREAM) to send once the pending data is out. */
  pendingEnd: Buffer | true | undefined;

  /** `address:port` of the peer. */
  get peer(): string {
    return this.#conn.peer;
  }

  constructor(conn: H2Connection, id: number, sendWindow: number, recvWindow: number) {
    this.#conn = conn;
    this.id = id;
    this.sendWindow = sendWindow;
    this.recvWindow = recvWindow;
  }

  /** Sends DATA; false when the caller should wait for `onDrain`. */
  write(data: Buffer): boolean {
    if (this.closed || this.localEnded || this.pendingEnd !== undefined) return false;
    return this.#conn.writeData(this, data);
  }

  /** Sends `data` as the last DATA of our side (one frame with END_STREAM when the windows allow). */
  writeEnd(data: Buffer): void {
    if (this.closed || this.localEnded || this.pendingEnd !== undefined) return;
    if (this.id !== 0 && this.pendingBytes === 0 && this.#conn.trySendLast(this, data)) return;
    this.#conn.writeData(this, data);
    this.#conn.endStream(this, true);
  }

  /** Ends our side: with a trailers block (HEADERS + END_STREAM), or an empty DATA + END_STREAM. */
  end(trailers?: Buffer): void {
    if (this.closed || this.localEnded || this.pendingEnd !== undefined) return;
    this.#conn.endStream(this, trailers ?? true);
  }

  /** Sends HEADERS (a block from encodeHeaderBlock), optionally ending our side. */
  sendHeaders(block: Buffer, endStream: boolean): void {
    if (this.closed || this.localEnded) return;
    this.#conn.sendHeaders(this, block, endStream);
  }

  /** Abandons the stream (RST_STREAM); no callbacks follow. */
  reset(code: number = ErrorCode.CANCEL): void {
    if (!this.closed) this.#conn.resetStream(this, code, true);
  }

  /** Credits `n` received bytes back to the peer (flow control) once the owner has taken them. */
  consume(n: number): void {
    this.#conn.consumeConnection(n);
    if (this.closed || this.remoteEnded) return;
    this.#unacked += n;
    if (this.#unacked >= this.#conn.streamWindowUpdateThreshold) {
      this.recvWindow += this.#unacked;
      this.#conn.sendFrame(windowUpdateFrame(this.id, this.#unacked));
      this.#unacked = 0;
    }
  }
}

interface PeerSettings {
  maxConcurrentStreams: number;
  initialWindow: number;
  maxFrameSize: number;
}

export class H2Connection {
  readonly role: 'client' | 'server';
  /** Server: a new stream with its request headers. */
  onStream: (stream: H2Stream, headers: HeaderList, endStream: boolean) => void = noop;
  /** The connection is gone (error, or closed by either side). Fires once, after every stream's onReset. */
  onClose: (err?: Error) => void = noop;
  /** The peer sent GOAWAY: no new streams on this connection. */
  onGoaway: () => void = noop;

  readonly #socket: Socket;
  readonly #opts: H2Options;
  readonly #streams = new Map<number, H2Stream>();
  readonly #decoder: HpackDecoder;
  readonly #peer: PeerSettings = { maxConcurrentStreams: Infinity, initialWindow: DEFAULT_WINDOW, maxFrameSize: DEFAULT_MAX_FRAME_SIZE };
  #nextStreamId: number;
  #lastPeerStreamId = 0;
  #sendWindow = DEFAULT_WINDOW;
  #connUnacked = 0;
  #recvWindow: number;
  readonly #blocked = new Set<H2Stream>(); // data waiting for window
  readonly #waitingDrain = new Set<H2Stream>(); // told `write` → false
  readonly #queued: { stream: H2Stream; block: Buffer; endStream: boolean }[] = []; // over the peer's concurrency limit
  #sentFirstBlock = false;
  /** Client: the server's first SETTINGS arrived (its MAX_CONCURRENT_STREAMS is known); streams wait until then. */
  #peerSettingsSeen: boolean;
  #repliesWhileBusy = 0;
  #resetTokens = RESET_BURST;
  #resetTokensAt = Date.now();
  #corked = false;
  #goawayReceived = false;
  #goawaySent = false;
  #closed = false;
  #prefaceLeft: number; // server: preface bytes still expected
  #parts: Buffer[] = [];
  #buffered = 0;
  #need = 0; // bytes #parts must reach before the next frame can be parsed
  #headerBlock: { streamId: number; endStream: boolean; parts: Buffer[]; bytes: number; frames: number } | undefined;
  readonly #pings = new Map<string, (err?: Error) => void>();
  #pingSeq = 0;
  readonly streamWindowUpdateThreshold: number;

  constructor(socket: Socket, role: 'client' | 'server', opts: H2Options) {
    this.#socket = socket;
    this.role = role;
    this.#opts = opts;
    this.#nextStreamId = role === 'client' ? 1 : 2;
    this.#peerSettingsSeen = role === 'server';
    this.#prefaceLeft = role === 'server' ? PREFACE.length : 0;
    this.#recvWindow = opts.connectionWindow;
    this.streamWindowUpdateThreshold = Math.max(1, opts.streamWindow >>> 1);
    this.#decoder = new HpackDecoder({ maxHeaderListBytes: opts.maxHeaderListBytes });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onSocketData(chunk));
    socket.on('drain', () => {
      this.#repliesWhileBusy = 0;
      this.#notifyDrain();
    });
    socket.on('error', (err) => this.#destroy(err));
    socket.on('close', () => this.#destroy(new Error('connection closed')));
    socket.on('end', () => socket.end());

    const settings: [Setting, number][] = [
      [Setting.INITIAL_WINDOW_SIZE, opts.streamWindow],
      [Setting.MAX_FRAME_SIZE, opts.maxFrameSize],
      [Setting.MAX_HEADER_LIST_SIZE, opts.maxHeaderListBytes],
    ];
    if (role === 'client') settings.unshift([Setting.ENABLE_PUSH, 0]);
    if (opts.maxConcurrentStreams !== undefined) settings.push([Setting.MAX_CONCURRENT_STREAMS, opts.maxConcurrentStreams]);
    if (role === 'client') this.sendFrame(PREFACE);
    this.sendFrame(settingsFrame(settings));
    if (opts.connectionWindow > DEFAULT_WINDOW) this.sendFrame(windowUpdateFrame(0, opts.connectionWindow - DEFAULT_WINDOW));
  }

  /** False once no new stream may start here (GOAWAY either way, closed, stream ids used up). */
  get usable(): boolean {
    return !this.#closed && !this.#goawayReceived && !this.#goawaySent && this.#nextStreamId < 2 ** 31 - 1;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get peer(): string {
    return `${this.#socket.remoteAddress}:${this.#socket.remotePort}`;
  }

  /** Streams open (or queued) now. */
  get streamCount(): number {
    return this.#streams.size + this.#queued.length;
  }

  /** Client: starts a stream with a request header block; queued while the peer's concurrency limit is reached. */
  request(block: Buffer, endStream: boolean): H2Stream {
    if (!this.usable) throw new Error('HTTP/2 connection is not usable for new streams');
    const stream = new H2Stream(this, 0, this.#peer.initialWindow, this.#opts.streamWindow);
    // Before the server's SETTINGS its stream limit is unknown: streams opened past it would be refused.
    if (!this.#peerSettingsSeen || this.#streams.size >= this.#peer.maxConcurrentStreams) this.#queued.push({ stream, block, endStream });
    else this.#open(stream, block, endStream);
    return stream;
  }

  #open(stream: H2Stream, block: Buffer, endStream: boolean): void {
    stream.id = this.#nextStreamId;
    this.#nextStreamId += 2;
    this.#streams.set(stream.id, stream);
    this.sendHeaders(stream, block, endStream);
    // Data written while the stream was queued.
    if (stream.pendingBytes > 0) this.#flushStream(stream);
    else if (stream.pendingEnd !== undefined) this.#sendEnd(stream);
  }

  /** Sends PING and calls back on its ACK, or with an error after `timeoutMs` or when the connection ends. */
  ping(timeoutMs: number, done: (err?: Error) => void): void {
    if (this.#closed) return done(new Error('connection closed'));
    const opaque = Buffer.alloc(8);
    opaque.writeUInt32BE(++this.#pingSeq, 4);
    const key = opaque.toString('hex');
    const timer = setTimeout(() => {
      this.#pings.delete(key);
      done(new Error(`PING not answered within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    this.#pings.set(key, (err) => {
      clearTimeout(timer);
      done(err);
    });
    this.sendFrame(pingFrame(opaque, false));
  }

  /** Graceful: GOAWAY, no new streams, the socket closes when the last stream does. */
  goaway(): void {
    if (this.#closed || this.#goawaySent) return;
    this.#goawaySent = true;
    this.sendFrame(goawayFrame(this.#lastPeerStreamId, ErrorCode.NO_ERROR, ''));
    this.#maybeFinish();
  }

  /** Ends the connection now; every open stream gets onReset. */
  destroy(err?: Error): void {
    this.#destroy(err ?? new Error('connection destroyed'));
  }

  // --- writing ---

  sendFrame(frame: Buffer): void {
    if (this.#closed) return;
    if (!this.#corked) {
      // Everything written in this tick goes out as one writev.
      this.#corked = true;
      this.#socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.#socket.uncork();
      });
    }
    this.#socket.write(frame);
  }

  get #socketBusy(): boolean {
    return this.#socket.writableLength > SOCKET_HIGH_WATER;
  }

  sendHeaders(stream: H2Stream, block: Buffer, endStream: boolean): void {
    if (stream.id === 0) return; // queued: its block goes with #open
    if (!this.#sentFirstBlock) {
      // Dynamic table size update to 0 at the start of our first block: our encoder never indexes, and 0 is
      // within any SETTINGS_HEADER_TABLE_SIZE the peer may have sent.
      this.#sentFirstBlock = true;
      block = Buffer.concat([Buffer.of(0x20), block]);
    }
    const max = this.#peer.maxFrameSize;
    const flagsEnd = endStream ? Flag.END_STREAM : 0;
    if (block.length <= max) {
      const f = Buffer.allocUnsafe(9 + block.length);
      writeFrameHeader(f, 0, block.length, FrameType.HEADERS, Flag.END_HEADERS | flagsEnd, stream.id);
      block.copy(f, 9);
      this.sendFrame(f);
    } else {
      for (let off = 0; off < block.length; off += max) {
        const part = block.subarray(off, Math.min(block.length, off + max));
        const last = off + max >= block.length;
        const type = off === 0 ? FrameType.HEADERS : FrameType.CONTINUATION;
        const flags = (last ? Flag.END_HEADERS : 0) | (off === 0 ? flagsEnd : 0);
        const h = Buffer.allocUnsafe(9);
        writeFrameHeader(h, 0, part.length, type, flags, stream.id);
        this.sendFrame(h);
        this.sendFrame(part);
      }
    }
    if (endStream) this.#localEnd(stream);
  }

  writeData(stream: H2Stream, data: Buffer): boolean {
    if (stream.id === 0 || stream.pendingBytes > 0) {
      stream.pending.push(data);
      stream.pendingBytes += data.length;
    } else {
      const sent = this.#sendData(stream, data);
      if (sent < data.length) {
        stream.pending.push(sent === 0 ? data : data.subarray(sent));
        stream.pendingBytes += data.length - sent;
        this.#blocked.add(stream);
      }
    }
    if (stream.pendingBytes > STREAM_HIGH_WATER || this.#socketBusy) {
      this.#waitingDrain.add(stream);
      return false;
    }
    return true;
  }

  /** Sends `data` with END_STREAM in one frame if it fits the windows and a frame; false if it did not send. */
  trySendLast(stream: H2Stream, data: Buffer): boolean {
    const n = data.length;
    if (n > stream.sendWindow || n > this.#sendWindow || n > this.#peer.maxFrameSize) return false;
    const f = Buffer.allocUnsafe(9 + n);
    writeFrameHeader(f, 0, n, FrameType.DATA, Flag.END_STREAM, stream.id);
    data.copy(f, 9);
    this.sendFrame(f);
    stream.sendWindow -= n;
    this.#sendWindow -= n;
    this.#localEnd(stream);
    return true;
  }

  endStream(stream: H2Stream, trailers: Buffer | true): void {
    if (stream.id === 0 || stream.pendingBytes > 0) stream.pendingEnd = trailers;
    else {
      stream.pendingEnd = trailers;
      this.#sendEnd(stream);
    }
  }

  #sendEnd(stream: H2Stream): void {
    const end = stream.pendingEnd;
    stream.pendingEnd = undefined;
    if (end === undefined || stream.closed) return;
    if (end === true) {
      const f = Buffer.allocUnsafe(9);
      writeFrameHeader(f, 0, 0, FrameType.DATA, Flag.END_STREAM, stream.id);
      this.sendFrame(f);
      this.#localEnd(stream);
    } else this.sendHeaders(stream, end, true);
  }

  /** Sends as much of `data` as the windows allow; returns the bytes sent. */
  #sendData(stream: H2Stream, data: Buffer): number {
    let off = 0;
    const max = this.#peer.maxFrameSize;
    while (off < data.length) {
      const n = Math.min(data.length - off, stream.sendWindow, this.#sendWindow, max);
      if (n <= 0) break;
      const h = Buffer.allocUnsafe(9);
      writeFrameHeader(h, 0, n, FrameType.DATA, 0, stream.id);
      this.sendFrame(h);
      this.sendFrame(off === 0 && n === data.length ? data : data.subarray(off, off + n));
      off += n;
      stream.sendWindow -= n;
      this.#sendWindow -= n;
    }
    return off;
  }

  #flushStream(stream: H2Stream): void {
    while (stream.pending.length > 0) {
      const head = stream.pending[0];
      const sent = this.#sendData(stream, head);
      stream.pendingBytes -= sent;
      if (sent < head.length) {
        stream.pending[0] = head.subarray(sent);
        this.#blocked.add(stream);
        return;
      }
      stream.pending.shift();
    }
    this.#blocked.delete(stream);
    if (stream.pendingEnd !== undefined) this.#sendEnd(stream);
  }

  #flushBlocked(): void {
    for (const s of this.#blocked) {
      if (this.#sendWindow <= 0) break;
      this.#flushStream(s);
    }
    this.#notifyDrain();
  }

  #notifyDrain(): void {
    if (this.#waitingDrain.size === 0 || this.#socketBusy) return;
    for (const s of [...this.#waitingDrain]) {
      if (s.pendingBytes > STREAM_HIGH_WATER) continue;
      this.#waitingDrain.delete(s);
      if (!s.closed) s.onDrain();
    }
  }

  consumeConnection(n: number): void {
    if (this.#closed) return;
    this.#connUnacked += n;
    if (this.#connUnacked >= this.#opts.connectionWindow >>> 1) {
      this.#recvWindow += this.#connUnacked;
      this.sendFrame(windowUpdateFrame(0, this.#connUnacked));
      this.#connUnacked = 0;
    }
  }

  resetStream(stream: H2Stream, code: number, local: boolean): void {
    if (stream.closed) return;
    if (local && stream.id !== 0) this.sendFrame(rstStreamFrame(stream.id, code));
    this.#closeStream(stream);
    if (!local) stream.onReset(code);
  }

  #localEnd(stream: H2Stream): void {
    stream.localEnded = true;
    if (stream.remoteEnded) this.#closeStream(stream);
  }

  #closeStream(stream: H2Stream): void {
    if (stream.closed) return;
    stream.closed = true;
    stream.pending = [];
    stream.pendingBytes = 0;
    stream.pendingEnd = undefined;
    this.#blocked.delete(stream);
    this.#waitingDrain.delete(stream);
    if (stream.id === 0) {
      const i = this.#queued.findIndex((q) => q.stream === stream);
      if (i >= 0) this.#queued.splice(i, 1);
      return;
    }
    this.#streams.delete(stream.id);
    this.#openQueued();
    this.#maybeFinish();
  }

  #openQueued(): void {
    while (this.#queued.length > 0 && this.#streams.size < this.#peer.maxConcurrentStreams && this.usable) {
      const q = this.#queued.shift()!;
      this.#open(q.stream, q.block, q.endStream);
    }
  }

  /** Counts an answer the peer made us send; throws once it floods us without reading them. */
  #reply(): void {
    if (this.#socketBusy && ++this.#repliesWhileBusy > MAX_REPLIES_WHILE_BUSY) {
      throw new H2ConnectionError(ErrorCode.ENHANCE_YOUR_CALM, 'too many PING/SETTINGS while not reading the answers');
    }
  }

  #maybeFinish(): void {
    if ((this.#goawaySent || this.#goawayReceived) && this.#streams.size === 0 && this.#queued.length === 0 && !this.#closed) {
      this.#socket.end();
    }
  }

  /** `flush`: let what is queued (a GOAWAY) reach the peer before the socket closes. */
  #destroy(err: Error, flush = false): void {
    if (this.#closed) return;
    this.#closed = true;
    const streams = [...this.#streams.values(), ...this.#queued.map((q) => q.stream)];
    this.#streams.clear();
    this.#queued.length = 0;
    for (const [, cb] of this.#pings) cb(err);
    this.#pings.clear();
    if (flush) {
      this.#socket.end();
      setTimeout(() => this.#socket.destroy(), 1_000).unref();
    } else this.#socket.destroy();
    for (const s of streams) {
      if (s.closed) continue;
      s.closed = true;
      s.onReset(ErrorCode.INTERNAL_ERROR, err);
    }
    this.onClose(err);
  }

  /** A protocol violation by the peer: GOAWAY with the code, then the connection ends. */
  #connectionError(e: H2ConnectionError): void {
    if (this.#closed) return;
    this.sendFrame(goawayFrame(this.#lastPeerStreamId, e.code, e.message));
    this.#destroy(e, true);
  }

  // --- reading ---

  /** When bytes last arrived from the peer (ms, performance.now()): a keepalive pings only a silent connection. */
  lastReadAt = 0;

  #onSocketData(chunk: Buffer): void {
    this.lastReadAt = performance.now();
    if (this.#closed) return;
    try {
      if (this.#prefaceLeft > 0) {
        const n = Math.min(this.#prefaceLeft, chunk.length);
        const at = PREFACE.length - this.#prefaceLeft;
        if (!chunk.subarray(0, n).equals(PREFACE.subarray(at, at + n))) throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, 'not an HTTP/2 connection preface');
        this.#prefaceLeft -= n;
        chunk = chunk.subarray(n);
        if (chunk.length === 0) return;
      }
      this.#parse(chunk);
    } catch (err) {
      if (err instanceof H2ConnectionError) this.#connectionError(err);
      else if (err instanceof HpackError) this.#connectionError(new H2ConnectionError(ErrorCode.COMPRESSION_ERROR, err.message));
      else this.#connectionError(new H2ConnectionError(ErrorCode.INTERNAL_ERROR, (err as Error).message));
    }
  }

  #parse(chunk: Buffer): void {
    let buf: Buffer;
    if (this.#buffered === 0) buf = chunk;
    else {
      this.#parts.push(chunk);
      this.#buffered += chunk.length;
      if (this.#buffered < this.#need) return; // the pending frame is still incomplete: join nothing yet
      buf = joinParts(this.#parts, this.#buffered);
      this.#parts = [];
      this.#buffered = 0;
    }
    let off = 0;
    while (buf.length - off >= 9 && !this.#closed) {
      const len = (buf[off] << 16) | (buf[off + 1] << 8) | buf[off + 2];
      if (len > this.#opts.maxFrameSize) throw new H2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, `frame of ${len} bytes over our limit ${this.#opts.maxFrameSize}`);
      if (buf.length - off - 9 < len) break;
      const type = buf[off + 3];
      const flags = buf[off + 4];
      const id = buf.readUInt32BE(off + 5) & 0x7fffffff;
      const payload = buf.subarray(off + 9, off + 9 + len);
      off += 9 + len;
      this.#onFrame(type, flags, id, payload);
    }
    if (off < buf.length && !this.#closed) {
      const rest = buf.length - off;
      this.#parts.push(off === 0 ? buf : buf.subarray(off));
      this.#buffered = rest;
      // Bytes the next frame needs in all: its header, then (once the header is here) its payload too.
      this.#need = rest < 9 ? 9 : 9 + ((buf[off] << 16) | (buf[off + 1] << 8) | buf[off + 2]);
    }
  }

  #onFrame(type: number, flags: number, id: number, payload: Buffer): void {
    if (this.#headerBlock !== undefined && (type !== FrameType.CONTINUATION || id !== this.#headerBlock.streamId)) {
      throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, 'expected CONTINUATION');
    }
    switch (type) {
      case FrameType.DATA:
        return this.#onDataFrame(flags, id, payload);
      case FrameType.HEADERS:
        return this.#onHeadersFrame(flags, id, payload);
      case FrameType.CONTINUATION:
        return this.#onContinuation(flags, id, payload);
      case FrameType.PRIORITY:
        if (id === 0) throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, 'PRIORITY on stream 0');
        if (payload.length !== 5) throw new H2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, 'PRIORITY frame size');
        return;
      case FrameType.RST_STREAM:
        return this.#onRstStream(id, payload);
      case FrameType.SETTINGS:
        return this.#onSettings(flags, id, payload);
      case FrameType.PUSH_PROMISE:
        throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, 'PUSH_PROMISE with push disabled');
      case FrameType.PING:
        return this.#onPing(flags, id, payload);
      case FrameType.GOAWAY:
        return this.#onGoawayFrame(id, payload);
      case FrameType.WINDOW_UPDATE:
        return this.#onWindowUpdate(id, payload);
      default:
        return; // unknown frame types are ignored (RFC 9113 §4.1)
    }
  }

  /** Strips padding; throws PROTOCOL_ERROR when the pad length does not fit. */
  #unpad(flags: number, payload: Buffer): Buffer {
    if ((flags & Flag.PADDED) === 0) return payload;
    if (payload.length < 1) throw new H2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, 'padded frame without pad length');
    const pad = payload[0];
    if (pad >= payload.length) throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, 'padding longer than the frame');
    return payload.subarray(1, payload.length - pad);
  }

  #onDataFrame(flags: number, id: number, payload: Buffer): void {
    if (id === 0) throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, 'DATA on stream 0');
    const data = this.#unpad(flags, payload);
    this.#recvWindow -= payload.length;
    if (this.#recvWindow < 0) throw new H2ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, 'DATA past the connection window');
    const stream = this.#streams.get(id);
    if (stream === undefined || stream.remoteEnded) {
      if (stream === undefined && this.#isIdle(id)) throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, `DATA on idle stream ${id}`);
      this.consumeConnection(payload.length); // a stream we reset or finished: drop, but keep the window open
      if (stream !== undefined) this.resetStream(stream, ErrorCode.STREAM_CLOSED, true);
      return;
    }
    stream.recvWindow -= payload.length;
    if (stream.recvWindow < 0) {
      this.consumeConnection(payload.length);
      this.resetStream(stream, ErrorCode.FLOW_CONTROL_ERROR, true);
      stream.onReset(ErrorCode.FLOW_CONTROL_ERROR, new H2StreamError(ErrorCode.FLOW_CONTROL_ERROR, 'peer sent DATA past the stream window'));
      return;
    }
    if (payload.length > data.length) stream.consume(payload.length - data.length);
    if (data.length > 0) stream.onData(data);
    if ((flags & Flag.END_STREAM) !== 0 && !stream.closed) this.#remoteEnd(stream);
  }

  #isIdle(id: number): boolean {
    const ours = (id & 1) === (this.role === 'client' ? 1 : 0);
    return ours ? id >= this.#nextStreamId : id > this.#lastPeerStreamId;
  }

  #onHeadersFrame(flags: number, id: number, payload: Buffer): void {
    if (id === 0) throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, 'HEADERS on stream 0');
    let fragment = this.#unpad(flags, payload);
    if ((flags & Flag.PRIORITY) !== 0) {
      if (fragment.length < 5) throw new H2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, 'HEADERS priority fields missing');
      fragment = fragment.subarray(5);
    }
    const endStream = (flags & Flag.END_STREAM) !== 0;
    if ((flags & Flag.END_HEADERS) !== 0) this.#onHeaderBlock(id, endStream, fragment);
    else this.#headerBlock = { streamId: id, endStream, parts: [Buffer.from(fragment)], bytes: fragment.length, frames: 1 };
  }

  #onContinuation(flags: number, id: number, payload: Buffer): void {
    const hb = this.#headerBlock;
    if (hb === undefined || hb.streamId !== id) throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, 'unexpected CONTINUATION');
    hb.parts.push(Buffer.from(payload));
    hb.bytes += payload.length;
    if (++hb.frames > MAX_CONTINUATIONS) throw new H2ConnectionError(ErrorCode.ENHANCE_YOUR_CALM, 'header block in too many CONTINUATION frames');
    if (hb.bytes > this.#opts.maxHeaderListBytes) throw new H2ConnectionError(ErrorCode.ENHANCE_YOUR_CALM, 'header block too large');
    if ((flags & Flag.END_HEADERS) === 0) return;
    this.#headerBlock = undefined;
    this.#onHeaderBlock(id, hb.endStream, Buffer.concat(hb.parts, hb.bytes));
  }

  #onHeaderBlock(id: number, endStream: boolean, block: Buffer): void {
    // Decoded even for streams we no longer track: the dynamic table must see every block.
    const headers = this.#decoder.decode(block);
    const stream = this.#streams.get(id);
    if (stream !== undefined) {
      if (stream.remoteEnded) return this.resetStream(stream, ErrorCode.STREAM_CLOSED, true);
      stream.onHeaders(headers, endStream);
      if (endStream && !stream.closed) this.#remoteEnd(stream);
      return;
    }
    if (this.role === 'client') {
      if (this.#isIdle(id)) throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, `HEADERS on idle stream ${id}`);
      return; // a stream we have reset
    }
    if ((id & 1) === 0 || id <= this.#lastPeerStreamId) {
      throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, `HEADERS opening stream ${id} out of order`);
    }
    this.#lastPeerStreamId = id;
    if (this.#goawaySent || this.#streams.size >= (this.#opts.maxConcurrentStreams ?? Infinity)) {
      this.sendFrame(rstStreamFrame(id, ErrorCode.REFUSED_STREAM));
      return;
    }
    const s = new H2Stream(this, id, this.#peer.initialWindow, this.#opts.streamWindow);
    this.#streams.set(id, s);
    // A request complete in its HEADERS: ended before the owner sees it, so an answer given right away closes it.
    s.remoteEnded = endStream;
    this.onStream(s, headers, endStream);
    if (endStream && s.localEnded) this.#closeStream(s);
  }

  #remoteEnd(stream: H2Stream): void {
    stream.remoteEnded = true;
    if (stream.localEnded) this.#closeStream(stream);
    stream.onEnd();
  }

  #onRstStream(id: number, payload: Buffer): void {
    if (id === 0) throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, 'RST_STREAM on stream 0');
    if (payload.length !== 4) throw new H2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, 'RST_STREAM frame size');
    const stream = this.#streams.get(id);
    if (stream === undefined) {
      if (this.#isIdle(id)) throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, `RST_STREAM on idle stream ${id}`);
      return;
    }
    if (this.role === 'server') this.#takeResetToken();
    this.resetStream(stream, payload.readUInt32BE(0), false);
  }

  #takeResetToken(): void {
    const now = Date.now();
    this.#resetTokens = Math.min(RESET_BURST, this.#resetTokens + ((now - this.#resetTokensAt) * RESETS_PER_SECOND) / 1000);
    this.#resetTokensAt = now;
    if (--this.#resetTokens < 0) throw new H2ConnectionError(ErrorCode.ENHANCE_YOUR_CALM, 'too many streams reset by the client');
  }

  #onSettings(flags: number, id: number, payload: Buffer): void {
    if (id !== 0) throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, 'SETTINGS on a stream');
    if ((flags & Flag.ACK) !== 0) {
      if (payload.length !== 0) throw new H2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, 'SETTINGS ACK with a payload');
      return;
    }
    if (payload.length % 6 !== 0) throw new H2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, 'SETTINGS frame size');
    for (let i = 0; i < payload.length; i += 6) {
      const key = payload.readUInt16BE(i);
      const value = payload.readUInt32BE(i + 2);
      switch (key) {
        case Setting.ENABLE_PUSH:
          if (value > 1) throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, 'SETTINGS_ENABLE_PUSH not 0 or 1');
          break;
        case Setting.MAX_CONCURRENT_STREAMS:
          this.#peer.maxConcurrentStreams = value;
          break;
        case Setting.INITIAL_WINDOW_SIZE: {
          if (value > MAX_WINDOW) throw new H2ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, 'SETTINGS_INITIAL_WINDOW_SIZE too large');
          const delta = value - this.#peer.initialWindow;
          this.#peer.initialWindow = value;
          for (const s of this.#streams.values()) {
            s.sendWindow += delta;
            if (s.sendWindow > MAX_WINDOW) throw new H2ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, 'stream window overflow');
          }
          break;
        }
        case Setting.MAX_FRAME_SIZE:
          if (value < DEFAULT_MAX_FRAME_SIZE || value > MAX_FRAME_SIZE_LIMIT) throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, 'SETTINGS_MAX_FRAME_SIZE out of range');
          this.#peer.maxFrameSize = value;
          break;
        default:
          break; // HEADER_TABLE_SIZE (our encoder never indexes), MAX_HEADER_LIST_SIZE (advisory), unknown ones
      }
    }
    const ack = Buffer.allocUnsafe(9);
    writeFrameHeader(ack, 0, 0, FrameType.SETTINGS, Flag.ACK, 0);
    this.#reply();
    this.sendFrame(ack);
    if (!this.#peerSettingsSeen) this.#peerSettingsSeen = true;
    this.#openQueued();
    this.#flushBlocked();
  }

  #onPing(flags: number, id: number, payload: Buffer): void {
    if (id !== 0) throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, 'PING on a stream');
    if (payload.length !== 8) throw new H2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, 'PING frame size');
    if ((flags & Flag.ACK) === 0) {
      this.#reply();
      this.sendFrame(pingFrame(payload, true));
      return;
    }
    const key = payload.toString('hex');
    const cb = this.#pings.get(key);
    if (cb !== undefined) {
      this.#pings.delete(key);
      cb();
    }
  }

  #onGoawayFrame(id: number, payload: Buffer): void {
    if (id !== 0) throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, 'GOAWAY on a stream');
    if (payload.length < 8) throw new H2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, 'GOAWAY frame size');
    const last = payload.readUInt32BE(0) & 0x7fffffff;
    const first = !this.#goawayReceived;
    this.#goawayReceived = true;
    // Streams the peer never saw are refused: safe to retry elsewhere.
    for (const s of [...this.#streams.values()]) {
      if (s.id > last && (s.id & 1) === (this.role === 'client' ? 1 : 0)) this.resetStream(s, ErrorCode.REFUSED_STREAM, false);
    }
    for (const q of this.#queued.splice(0)) {
      q.stream.closed = true;
      q.stream.onReset(ErrorCode.REFUSED_STREAM);
    }
    if (first) this.onGoaway();
    this.#maybeFinish();
  }

  #onWindowUpdate(id: number, payload: Buffer): void {
    if (payload.length !== 4) throw new H2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, 'WINDOW_UPDATE frame size');
    const inc = payload.readUInt32BE(0) & 0x7fffffff;
    if (id === 0) {
      if (inc === 0) throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0');
      this.#sendWindow += inc;
      if (this.#sendWindow > MAX_WINDOW) throw new H2ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, 'connection window overflow');
      this.#flushBlocked();
      return;
    }
    const stream = this.#streams.get(id);
    if (stream === undefined) return;
    if (inc === 0 || stream.sendWindow + inc > MAX_WINDOW) {
      const code = inc === 0 ? ErrorCode.PROTOCOL_ERROR : ErrorCode.FLOW_CONTROL_ERROR;
      this.resetStream(stream, code, true);
      stream.onReset(code, new H2StreamError(code, inc === 0 ? 'WINDOW_UPDATE of 0 from peer' : 'WINDOW_UPDATE overflows the stream window'));
      return;
    }
    stream.sendWindow += inc;
    if (stream.pendingBytes > 0 || stream.pendingEnd !== undefined) this.#flushStream(stream);
    this.#notifyDrain();
  }
}
