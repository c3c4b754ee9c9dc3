// Our HTTP/2 (grpc/h2/) at the protocol level: node:http2 (nghttp2: Huffman, dynamic table, padding) against
// our server and client; flow control holding a fast sender back; hostile and malformed peers on raw sockets
// (RFC 9113 error handling); the peer's concurrency limit; keepalive against a peer that stops answering PINGs.
import t, { type Test } from 'tap';
import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { GrpcServer, type ServerCall } from '../../src/storeapi/grpc/server.js';
import { GrpcChannel } from '../../src/storeapi/grpc/channel.js';
import { Code, GrpcStatusError } from '../../src/storeapi/grpc/codes.js';
import { statusFromError } from '../../src/storeapi/index.js';
import { liveBytes } from '../helpers/memory.js';
import { nodeHttp2Call } from '../helpers/node-http2-call.js';
import { sleep, until } from '../helpers/wait.js';
import { frame, PREFACE } from '../helpers/h2-frames.js';

// --- helpers --------------------------------------------------------------------------------------------




const T = { DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 };
const F = { END_STREAM: 1, ACK: 1, END_HEADERS: 4, PADDED: 8 };
const E = { NO_ERROR: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2, FLOW_CONTROL_ERROR: 3, STREAM_CLOSED: 5, FRAME_SIZE_ERROR: 6, REFUSED_STREAM: 7, CANCEL: 8, COMPRESSION_ERROR: 9, ENHANCE_YOUR_CALM: 11 };

const u32 = (...v: number[]): Buffer => {
  const b = Buffer.alloc(4 * v.length);
  v.forEach((x, i) => b.writeUInt32BE(x >>> 0, 4 * i));
  return b;
};
function settings(...pairs: [number, number][]): Buffer {
  const b = Buffer.alloc(6 * pairs.length);
  pairs.forEach(([k, v], i) => {
    b.writeUInt16BE(k, 6 * i);
    b.writeUInt32BE(v >>> 0, 6 * i + 2);
  });
  return frame(T.SETTINGS, 0, 0, b);
}

/** HPACK written by hand (literal without indexing, literal name, no Huffman): independent of our encoder. */
function hpack(fields: [string, string][]): Buffer {
  const out: number[] = [];
  const str = (s: string): void => {
    const b = Buffer.from(s, 'latin1');
    if (b.length < 127) out.push(b.length);
    else {
      out.push(127);
      let n = b.length - 127;
      while (n >= 128) {
        out.push((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      out.push(n);
    }
    out.push(...b);
  };
  for (const [k, v] of fields) {
    out.push(0);
    str(k);
    str(v);
  }
  return Buffer.from(out);
}
const REQUEST = (path = '/test.Svc/Unary', extra: [string, string][] = []): Buffer =>
  hpack([
    [':method', 'POST'],
    [':scheme', 'http'],
    [':path', path],
    [':authority', 'x'],
    ['content-type', 'application/grpc'],
    ['te', 'trailers'],
    ...extra,
  ]);

interface Frame {
  type: number;
  flags: number;
  id: number;
  payload: Buffer;
}

/** A raw socket that speaks frames: what the peer sent, parsed, and whether it closed. */
class RawPeer {
  readonly frames: Frame[] = [];
  closed = false;
  #buf = Buffer.alloc(0);
  #skipPreface: boolean;
  onFrame: (f: Frame) => void = () => {};

  constructor(
    readonly socket: net.Socket,
    expectPreface: boolean,
  ) {
    this.#skipPreface = expectPreface;
    socket.on('data', (d: Buffer) => this.#onData(d));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawPeer(s, false)));
      s.once('error', reject);
    });
  }

  #onData(d: Buffer): void {
    this.#buf = Buffer.concat([this.#buf, d]);
    if (this.#skipPreface) {
      if (this.#buf.length < PREFACE.length) return;
      this.#buf = this.#buf.subarray(PREFACE.length);
      this.#skipPreface = false;
    }
    while (this.#buf.length >= 9) {
      const len = this.#buf.readUIntBE(0, 3);
      if (this.#buf.length < 9 + len) break;
      const f = { type: this.#buf[3], flags: this.#buf[4], id: this.#buf.readUInt32BE(5) & 0x7fffffff, payload: this.#buf.subarray(9, 9 + len) };
      this.#buf = this.#buf.subarray(9 + len);
      this.frames.push(f);
      this.onFrame(f);
    }
  }

  write(...bufs: Buffer[]): void {
    if (!this.socket.destroyed) this.socket.write(Buffer.concat(bufs));
  }

  goaway(): { last: number; code: number; debug: string } | undefined {
    const g = this.frames.find((f) => f.type === T.GOAWAY);
    return g && { last: g.payload.readUInt32BE(0), code: g.payload.readUInt32BE(4), debug: g.payload.subarray(8).toString() };
  }

  rst(id: number): number | undefined {
    const r = this.frames.find((f) => f.type === T.RST_STREAM && f.id === id);
    return r?.payload.readUInt32BE(0);
  }
}

// A GrpcServer with raw-bytes methods.
const identity = (b: Buffer): Buffer => b;
let streamSignal: AbortSignal | undefined;
let handlerCalls = 0;
function makeServer(): GrpcServer {
  const s = new GrpcServer({
    maxMessageBytes: 64 << 20,
    statusOf: (err) => (err instanceof GrpcStatusError ? { code: err.code, details: err.details } : statusFromError(err)),
  });
  s.add<Buffer, Buffer>('/test.Svc/Unary', {
    kind: 'unary',
    decodeRequest: identity,
    encodeResponse: identity,
    handle: async (req: Buffer, call: ServerCall) => {
      handlerCalls++;
      if (call.headers['x-fail'] !== undefined) throw new GrpcStatusError(Code.FAILED_PRECONDITION, call.headers['x-fail']);
      return Buffer.concat([Buffer.from(`${call.headers['x-echo'] ?? ''}|`), req]);
    },
  });
  // Request: uint32 count, uint32 size; answers `count` messages of `size` bytes, message i filled from i.
  s.add<Buffer, Buffer>('/test.Svc/Stream', {
    kind: 'serverStream',
    decodeRequest: identity,
    encodeResponse: identity,
    handle: async (req: Buffer, send: (b: Buffer) => Promise<void>, call: ServerCall) => {
      handlerCalls++;
      streamSignal = call.signal;
      const count = req.readUInt32BE(0);
      const size = req.readUInt32BE(4);
      for (let i = 0; i < count; i++) {
        const m = Buffer.allocUnsafe(size);
        m.writeUInt32BE(i, 0);
        m.fill(i & 0xff, 4);
        await send(m);
        streamProgress.sent = i + 1;
      }
    },
  });
  return s;
}
const streamProgress = { sent: 0 };
const streamReq = (count: number, size: number): Buffer => u32(count, size);

const server = makeServer();
const port = await server.listen('127.0.0.1', 0);
t.teardown(() => server.close(100));
const target = `127.0.0.1:${port}`;
const OPTS = { maxMessageBytes: 64 << 20, keepaliveMs: 10_000, keepaliveTimeoutMs: 5_000 };

/** The server still answers a fresh client. */
async function serverStillServes(t: Test): Promise<void> {
  const ch = new GrpcChannel(target, OPTS);
  try {
    const res = await ch.unary('/test.Svc/Unary', Buffer.from('ping'), identity, { timeoutMs: 5_000 });
    t.equal(res.toString(), '|ping', 'server still serves other connections');
  } finally {
    ch.close();
  }
}

// --- a: node:http2 (nghttp2) against ours ----------------------------------------------------------------

function frameMessage(body: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h.writeUInt32BE(body.length, 1);
  return Buffer.concat([h, body]);
}
function unframe(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < b.length; ) {
    const n = b.readUInt32BE(off + 1);
    out.push(b.subarray(off + 5, off + 5 + n));
    off += 5 + n;
  }
  return out;
}

t.test('node:http2 client → our server', async (t) => {
  for (const padding of [false, true]) {
    const session = http2.connect(`http://${target}`, padding ? { paddingStrategy: http2.constants.PADDING_STRATEGY_MAX } : {});
    t.teardown(() => session.close());
    const call = (path: string, body: Buffer, extra: Record<string, string> = {}) => nodeHttp2Call(session, path, frameMessage(body), extra);
    // 30 calls on one session: nghttp2 indexes the repeated long values in its dynamic table and Huffman-codes them.
    const long = 'team-' + 'abcdefghij'.repeat(30);
    for (let i = 0; i < 30; i++) {
      const r = await call('/test.Svc/Unary', Buffer.from(`m${i}`), { 'x-echo': `${long}-${i % 3}`, 'x-other': long });
      if (Number(r.headers[':status']) !== 200 || r.status !== '0' || unframe(r.data)[0]?.toString() !== `${long}-${i % 3}|m${i}`) {
        t.fail(`call ${i}: ${JSON.stringify(r.headers)} ${r.status} ${r.data.toString()}`);
      }
    }
    t.pass(`30 unary calls with Huffman/indexed headers${padding ? ', padded frames' : ''}`);
    const s = await call('/test.Svc/Stream', streamReq(500, 3_000));
    const msgs = unframe(s.data);
    t.equal(msgs.length, 500);
    t.ok(msgs.every((m, i) => m.length === 3_000 && m.readUInt32BE(0) === i && m[4] === (i & 0xff)), 'stream intact');
    const err = await call('/test.Svc/Unary', Buffer.from('x'), { 'x-fail': 'nope 100%' });
    t.equal(err.status, String(Code.FAILED_PRECONDITION));
    t.equal(err.message, 'nope 100%25');
    const unknown = await call('/no.Such/Method', Buffer.alloc(0));
    t.equal(unknown.headers['grpc-status'], String(Code.UNIMPLEMENTED), 'trailers-only UNIMPLEMENTED');
    const bad = await new Promise<http2.IncomingHttpHeaders>((resolve) => {
      const req = session.request({ ':method': 'GET', ':path': '/test.Svc/Unary' });
      req.on('response', resolve);
      req.on('error', () => {});
      req.end();
    });
    t.equal(Number(bad[':status']), 405, 'GET is 405');
  }
});

t.test('our GrpcChannel → node:http2 server answering gRPC by hand', async (t) => {
  const seen: http2.IncomingHttpHeaders[] = [];
  for (const padding of [false, true]) {
    const h2srv = http2.createServer(padding ? { paddingStrategy: http2.constants.PADDING_STRATEGY_MAX } : {});
    h2srv.on('stream', (stream, headers) => {
      seen.push(headers);
      const parts: Buffer[] = [];
      stream.on('data', (d: Buffer) => parts.push(d));
      stream.on('end', () => {
        const req = unframe(Buffer.concat(parts))[0] ?? Buffer.alloc(0);
        const long = 'detail-' + 'xyz'.repeat(40);
        stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto', 'x-long': long }, { waitForTrailers: true });
        if (headers[':path'] === '/test.Svc/Stream') for (let i = 0; i < 200; i++) stream.write(frameMessage(Buffer.alloc(1_000, i)));
        else stream.write(frameMessage(Buffer.concat([Buffer.from('echo:'), req])));
        stream.on('wantTrailers', () => {
          if (req.toString() === 'fail') stream.sendTrailers({ 'grpc-status': '5', 'grpc-message': 'n%C3%A4t found ' + long });
          else stream.sendTrailers({ 'grpc-status': '0', 'x-trailer': long });
        });
        stream.end();
      });
    });
    await new Promise<void>((r) => h2srv.listen(0, '127.0.0.1', r));
    const ch = new GrpcChannel(`127.0.0.1:${(h2srv.address() as AddressInfo).port}`, OPTS);
    for (let i = 0; i < 30; i++) {
      const r = await ch.unary('/test.Svc/Unary', Buffer.from(`r${i}`), identity, { timeoutMs: 5_000, metadata: { 'x-tenant': `tenant-${i % 2}` } });
      if (r.toString() !== `echo:r${i}`) t.fail(`call ${i}: ${r.toString()}`);
    }
    t.pass(`30 calls, responses with nghttp2's Huffman and dynamic-table headers${padding ? ', padded' : ''}`);
    t.equal(seen.at(-1)?.['x-tenant'], 'tenant-1', 'our metadata as nghttp2 decoded it');
    t.equal(seen.at(-1)?.['te'], 'trailers');
    t.match(String(seen.at(-1)?.['grpc-timeout']), /^\d+m$/);
    const frames: Buffer[] = [];
    for await (const m of ch.serverStream('/test.Svc/Stream', Buffer.alloc(0), identity, { timeoutMs: 5_000 })) frames.push(m);
    t.equal(frames.length, 200);
    t.ok(frames.every((m, i) => m.length === 1_000 && m[0] === (i & 0xff)));
    const err = (await ch.unary('/test.Svc/Unary', Buffer.from('fail'), identity, { timeoutMs: 5_000 }).catch((e: unknown) => e)) as GrpcStatusError;
    t.equal(err.code, Code.NOT_FOUND);
    t.equal(err.details, 'nät found detail-' + 'xyz'.repeat(40));
    ch.close();
    await new Promise((r) => h2srv.close(r));
  }
});

// --- b: flow control ---------------------------------------------------------------------------------------

t.test('50 MB to a slow reader: the sender is held back, memory bounded on both sides, bytes intact and in order', async (t) => {
  const SIZE = 64 * 1024;
  const COUNT = 800; // 50 MiB
  const ch = new GrpcChannel(target, OPTS);
  t.teardown(() => ch.close());
  streamProgress.sent = 0;
  const before = await liveBytes();
  let peakLive = -Infinity;
  let maxAhead = 0;
  let n = 0;
  const hash = createHash('sha256');
  const expected = createHash('sha256');
  for await (const m of ch.serverStream('/test.Svc/Stream', streamReq(COUNT, SIZE), identity, { timeoutMs: 55_000 })) {
    if (m.length !== SIZE || m.readUInt32BE(0) !== n) t.fail(`message ${n} wrong`);
    hash.update(m);
    const e = Buffer.alloc(SIZE, n & 0xff);
    e.writeUInt32BE(n, 0);
    expected.update(e);
    n++;
    maxAhead = Math.max(maxAhead, streamProgress.sent - n);
    if (n % 40 === 0) {
      await sleep(20); // slow reader
      peakLive = Math.max(peakLive, (await liveBytes()) - before);
    }
  }
  t.equal(n, COUNT, '800 × 64 KiB arrived');
  t.equal(hash.digest('hex'), expected.digest('hex'), 'byte for byte, in order');
  // In flight at most: 1 MiB stream window, 64 decoded messages queued, socket buffers (ours 256 KiB, the kernel's).
  t.ok(maxAhead * SIZE < 16 * 1024 * 1024, `the server's send was at most ${((maxAhead * SIZE) / 1048576).toFixed(1)} MiB ahead of the reader`);
  t.ok(peakLive < 24 * 1024 * 1024, `live memory grew at most ${(peakLive / 1048576).toFixed(1)} MiB while 50 MiB passed`);
});

// --- c: hostile clients against our server ----------------------------------------------------------------

/** Connects, sends the preface and SETTINGS, then `bad`; resolves once the server closed or 3 s passed. */
async function hostile(bad: (p: RawPeer) => void | Promise<void>, preface = true): Promise<RawPeer> {
  const p = await RawPeer.connect(port);
  if (preface) p.write(PREFACE, settings());
  await bad(p);
  await until(() => p.closed, 3_000);
  return p;
}

t.test('hostile clients get GOAWAY/RST_STREAM with the RFC 9113 code, and the server keeps serving', async (t) => {
  const cases: [string, (p: RawPeer) => void | Promise<void>, { goaway?: number; rst?: [number, number]; open?: boolean }, boolean?][] = [
    ['bad preface', (p) => p.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), { goaway: E.PROTOCOL_ERROR }, false],
    ['frame over our max size', (p) => p.write(Buffer.from([0x10, 0x00, 0x01, T.DATA, 0, 0, 0, 0, 1])), { goaway: E.FRAME_SIZE_ERROR }],
    ['DATA on stream 0', (p) => p.write(frame(T.DATA, 0, 0, Buffer.from('x'))), { goaway: E.PROTOCOL_ERROR }],
    ['HEADERS with index 0', (p) => p.write(frame(T.HEADERS, F.END_HEADERS, 1, Buffer.from([0x80]))), { goaway: E.COMPRESSION_ERROR }],
    ['HEADERS with an index past the tables', (p) => p.write(frame(T.HEADERS, F.END_HEADERS, 1, Buffer.from([0xff, 0x80, 0x01]))), { goaway: E.COMPRESSION_ERROR }],
    ['HEADERS with a truncated literal', (p) => p.write(frame(T.HEADERS, F.END_HEADERS, 1, Buffer.from([0x00, 0x05, 0x61]))), { goaway: E.COMPRESSION_ERROR }],
    ['HEADERS with a huge integer', (p) => p.write(frame(T.HEADERS, F.END_HEADERS, 1, Buffer.from([0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]))), { goaway: E.COMPRESSION_ERROR }],
    ['HEADERS with bad Huffman', (p) => p.write(frame(T.HEADERS, F.END_HEADERS, 1, Buffer.from([0x00, 0x81, 0x00, 0x01, 0x61]))), { goaway: E.COMPRESSION_ERROR }],
    ['CONTINUATION without HEADERS', (p) => p.write(frame(T.CONTINUATION, F.END_HEADERS, 1, REQUEST())), { goaway: E.PROTOCOL_ERROR }],
    ['DATA between HEADERS and CONTINUATION', (p) => p.write(frame(T.HEADERS, 0, 1, REQUEST()), frame(T.DATA, 0, 1, Buffer.from('x'))), { goaway: E.PROTOCOL_ERROR }],
    [
      'endless CONTINUATION (16 KiB each)',
      (p) => {
        const chunk = Buffer.alloc(16_384, 0x61);
        p.write(frame(T.HEADERS, 0, 1, Buffer.alloc(0)));
        for (let i = 0; i < 200 && !p.closed; i++) p.write(frame(T.CONTINUATION, 0, 1, chunk));
      },
      { goaway: E.ENHANCE_YOUR_CALM },
    ],
    [
      'endless empty CONTINUATION frames',
      async (p) => {
        p.write(frame(T.HEADERS, 0, 1, REQUEST().subarray(0, 3)));
        const empties = Buffer.concat(Array.from({ length: 10_000 }, () => frame(T.CONTINUATION, 0, 1)));
        for (let i = 0; i < 100 && !p.closed; i++) {
          p.write(empties);
          await sleep(1);
        }
      },
      { goaway: E.ENHANCE_YOUR_CALM },
    ],
    ['connection WINDOW_UPDATE overflow', (p) => p.write(frame(T.WINDOW_UPDATE, 0, 0, u32(0x7fffffff))), { goaway: E.FLOW_CONTROL_ERROR }],
    ['connection WINDOW_UPDATE of 0', (p) => p.write(frame(T.WINDOW_UPDATE, 0, 0, u32(0))), { goaway: E.PROTOCOL_ERROR }],
    ['WINDOW_UPDATE of wrong size', (p) => p.write(frame(T.WINDOW_UPDATE, 0, 0, Buffer.alloc(3))), { goaway: E.FRAME_SIZE_ERROR }],
    [
      'stream WINDOW_UPDATE overflow',
      (p) => p.write(frame(T.HEADERS, F.END_HEADERS, 1, REQUEST('/test.Svc/Stream')), frame(T.WINDOW_UPDATE, 0, 1, u32(0x7fffffff))),
      { rst: [1, E.FLOW_CONTROL_ERROR], open: true },
    ],
    [
      'stream WINDOW_UPDATE of 0',
      (p) => p.write(frame(T.HEADERS, F.END_HEADERS, 1, REQUEST('/test.Svc/Stream')), frame(T.WINDOW_UPDATE, 0, 1, u32(0))),
      { rst: [1, E.PROTOCOL_ERROR], open: true },
    ],
    [
      'stream ids going backwards',
      (p) => p.write(frame(T.HEADERS, F.END_HEADERS, 5, REQUEST()), frame(T.HEADERS, F.END_HEADERS, 3, REQUEST())),
      { goaway: E.PROTOCOL_ERROR },
    ],
    ['even stream id from a client', (p) => p.write(frame(T.HEADERS, F.END_HEADERS, 2, REQUEST())), { goaway: E.PROTOCOL_ERROR }],
    ['SETTINGS_INITIAL_WINDOW_SIZE over 2^31-1', (p) => p.write(settings([4, 0x80000000])), { goaway: E.FLOW_CONTROL_ERROR }],
    ['SETTINGS_MAX_FRAME_SIZE below 16384', (p) => p.write(settings([5, 100])), { goaway: E.PROTOCOL_ERROR }],
    ['SETTINGS_MAX_FRAME_SIZE over 2^24-1', (p) => p.write(settings([5, 1 << 24])), { goaway: E.PROTOCOL_ERROR }],
    ['SETTINGS_ENABLE_PUSH 2', (p) => p.write(settings([2, 2])), { goaway: E.PROTOCOL_ERROR }],
    ['SETTINGS of 5 bytes', (p) => p.write(frame(T.SETTINGS, 0, 0, Buffer.alloc(5))), { goaway: E.FRAME_SIZE_ERROR }],
    ['SETTINGS on a stream', (p) => p.write(frame(T.SETTINGS, 0, 1)), { goaway: E.PROTOCOL_ERROR }],
    ['SETTINGS ACK with a payload', (p) => p.write(frame(T.SETTINGS, F.ACK, 0, Buffer.alloc(6))), { goaway: E.FRAME_SIZE_ERROR }],
    ['PING of 7 bytes', (p) => p.write(frame(T.PING, 0, 0, Buffer.alloc(7))), { goaway: E.FRAME_SIZE_ERROR }],
    ['PING on a stream', (p) => p.write(frame(T.PING, 0, 1, Buffer.alloc(8))), { goaway: E.PROTOCOL_ERROR }],
    ['RST_STREAM on an idle stream', (p) => p.write(frame(T.RST_STREAM, 0, 9, u32(E.CANCEL))), { goaway: E.PROTOCOL_ERROR }],
    ['RST_STREAM on stream 0', (p) => p.write(frame(T.RST_STREAM, 0, 0, u32(E.CANCEL))), { goaway: E.PROTOCOL_ERROR }],
    ['PUSH_PROMISE from a client', (p) => p.write(frame(T.PUSH_PROMISE, F.END_HEADERS, 1, u32(2))), { goaway: E.PROTOCOL_ERROR }],
    ['padding longer than the frame', (p) => p.write(frame(T.HEADERS, F.END_HEADERS | F.PADDED, 1, Buffer.from([200, 0x88]))), { goaway: E.PROTOCOL_ERROR }],
    [
      'DATA after END_STREAM',
      (p) => p.write(frame(T.HEADERS, F.END_HEADERS, 1, REQUEST('/test.Svc/Stream')), frame(T.DATA, F.END_STREAM, 1, frameMessage(streamReq(1_000_000, 10))), frame(T.DATA, 0, 1, Buffer.from('late'))),
      { rst: [1, E.STREAM_CLOSED], open: true },
    ],
  ];
  for (const [name, bad, want, preface] of cases) {
    const p = await hostile(bad, preface ?? true);
    if (want.goaway !== undefined) {
      t.equal(p.goaway()?.code, want.goaway, `${name}: GOAWAY ${want.goaway}${p.goaway() ? ` (${p.goaway()?.debug})` : ''}`);
      t.ok(p.closed, `${name}: connection closed`);
    } else if (want.rst !== undefined) {
      t.ok(await until(() => p.rst(want.rst![0]) !== undefined, 2_000), `${name}: RST_STREAM`);
      t.equal(p.rst(want.rst[0]), want.rst[1], `${name}: RST_STREAM code ${want.rst[1]}`);
      t.equal(p.goaway(), undefined, `${name}: a stream error, the connection stays`);
      p.socket.destroy();
    }
  }
  await serverStillServes(t);
});

t.test('rapid reset: a flood of HEADERS + RST_STREAM does not wedge the server', async (t) => {
  const before = handlerCalls;
  const p = await RawPeer.connect(port);
  p.write(PREFACE, settings());
  const N = 20_000;
  const started = Date.now();
  for (let base = 0; base < N && !p.closed; base += 1_000) {
    const parts: Buffer[] = [];
    for (let i = base; i < base + 1_000; i++) {
      const id = 2 * i + 1;
      parts.push(frame(T.HEADERS, F.END_HEADERS, id, REQUEST('/test.Svc/Stream')), frame(T.DATA, F.END_STREAM, id, frameMessage(streamReq(1_000, 100))), frame(T.RST_STREAM, 0, id, u32(E.CANCEL)));
    }
    p.write(...parts);
    await sleep(1);
  }
  await until(() => p.closed, 3_000);
  const g = p.goaway();
  t.equal(g?.code, E.ENHANCE_YOUR_CALM, `GOAWAY ENHANCE_YOUR_CALM (${g?.debug})`);
  t.ok(p.closed, 'connection closed');
  const started2 = handlerCalls - before;
  t.ok(started2 >= 1_000 && started2 < 3_000, `${started2} handlers started of ${N} streams (burst 1 000)`);
  t.ok(Date.now() - started < 10_000, 'handled in bounded time');
  p.socket.destroy();
  await serverStillServes(t);
});

t.test('a client that floods PINGs and never reads is cut off, not buffered without bound', async (t) => {
  const p = await RawPeer.connect(port);
  p.socket.pause(); // never read: every PING ACK piles up on the server
  p.write(PREFACE, settings());
  const pings = Buffer.concat(Array.from({ length: 10_000 }, () => frame(T.PING, 0, 0, Buffer.alloc(8))));
  const before = await liveBytes();
  for (let i = 0; i < 200 && !p.socket.destroyed && p.socket.writable; i++) {
    await new Promise<void>((r) => (p.socket.write(pings) ? r() : p.socket.once('drain', r)));
    if (p.closed) break;
  }
  const grown = (await liveBytes()) - before;
  t.ok(grown < 32 * 1024 * 1024, `server memory grew ${(grown / 1048576).toFixed(1)} MiB for 2 M PINGs (34 MB of ACKs)`);
  p.socket.destroy();
  await serverStillServes(t);
});

// --- c: a hostile server against our client -----------------------------------------------------------------

/** A raw TCP server; `onConn` drives each connection. */
async function rawServer(t: Test, onConn: (p: RawPeer, n: number) => void): Promise<string> {
  let n = 0;
  const srv = net.createServer((s) => onConn(new RawPeer(s, true), n++));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => srv.close(() => r())));
  const sockets = new Set<net.Socket>();
  srv.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  t.teardown(() => {
    for (const s of sockets) s.destroy();
  });
  return `127.0.0.1:${(srv.address() as AddressInfo).port}`;
}
const RESPONSE_HEADERS = Buffer.concat([Buffer.from([0x88]), hpack([['content-type', 'application/grpc']])]);
/** Answers like a server: SETTINGS, ACKs, PING ACKs (while `answerPings()`), and `onRequest` for each stream. */
function actServer(p: RawPeer, onRequest: (id: number) => void, answerPings: () => boolean = () => true): void {
  p.write(settings());
  p.onFrame = (f) => {
    if (f.type === T.SETTINGS && !(f.flags & F.ACK)) p.write(frame(T.SETTINGS, F.ACK, 0));
    else if (f.type === T.PING && !(f.flags & F.ACK) && answerPings()) p.write(frame(T.PING, F.ACK, 0, f.payload));
    else if (f.type === T.HEADERS) onRequest(f.id);
  };
}

async function streamResult(ch: GrpcChannel, timeoutMs = 5_000): Promise<{ frames: Buffer[]; err?: GrpcStatusError; ms: number }> {
  const started = Date.now();
  const frames: Buffer[] = [];
  try {
    for await (const m of ch.serverStream('/test.Svc/Stream', Buffer.alloc(8), identity, { timeoutMs })) frames.push(m);
    return { frames, ms: Date.now() - started };
  } catch (err) {
    return { frames, err: err as GrpcStatusError, ms: Date.now() - started };
  }
}

t.test('our client against a hostile server: a clear status, never a hang', async (t) => {
  t.test('garbage instead of HTTP/2', async (t) => {
    const addr = await rawServer(t, (p) => p.write(Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')));
    const ch = new GrpcChannel(addr, OPTS);
    t.teardown(() => ch.close());
    const r = await streamResult(ch);
    t.equal(r.err?.code, Code.UNAVAILABLE, `UNAVAILABLE: ${r.err?.message}`);
    t.ok(r.ms < 2_000);
  });

  t.test('connection closed mid-stream', async (t) => {
    const addr = await rawServer(t, (p) =>
      actServer(p, (id) => {
        p.write(frame(T.HEADERS, F.END_HEADERS, id, RESPONSE_HEADERS), frame(T.DATA, 0, id, frameMessage(Buffer.from('one'))));
        setTimeout(() => p.socket.destroy(), 30);
      }),
    );
    const ch = new GrpcChannel(addr, OPTS);
    t.teardown(() => ch.close());
    const r = await streamResult(ch);
    t.same(r.frames.map(String), ['one'], 'the message before the break arrived');
    t.equal(r.err?.code, Code.UNAVAILABLE, `UNAVAILABLE, as grpc-go reports a broken transport: ${r.err?.message}`);
    t.ok(r.ms < 2_000);
  });

  t.test('a message cut short by END_STREAM, and DATA before headers', async (t) => {
    const addr = await rawServer(t, (p, n) =>
      actServer(p, (id) => {
        if (n === 0) p.write(frame(T.HEADERS, F.END_HEADERS, id, RESPONSE_HEADERS), frame(T.DATA, F.END_STREAM, id, frameMessage(Buffer.from('whole')).subarray(0, 7)));
        else p.write(frame(T.DATA, F.END_STREAM, id, frameMessage(Buffer.from('x'))));
      }),
    );
    for (let i = 0; i < 2; i++) {
      const ch = new GrpcChannel(addr, OPTS);
      const r = await streamResult(ch);
      ch.close();
      t.equal(r.err?.code, Code.INTERNAL, `INTERNAL: ${r.err?.message}`);
    }
  });

  t.test('a server sending past our stream window while we do not read: RST_STREAM FLOW_CONTROL_ERROR', async (t) => {
    let rst: number | undefined;
    let goaway = false;
    const addr = await rawServer(t, (p) => {
      actServer(p, (id) => {
        // 16 KiB messages, 7 MiB in all, ignoring our WINDOW_UPDATEs: we decode 64 messages (1 MiB) and credit
        // them, then hold the rest uncredited, so the 4 MiB stream window runs out at ~5 MiB.
        p.write(frame(T.HEADERS, F.END_HEADERS, id, RESPONSE_HEADERS));
        const msg = frameMessage(Buffer.alloc(16_384 - 5, 7));
        for (let i = 0; i < 448; i++) p.write(frame(T.DATA, 0, id, msg));
      });
      const prev = p.onFrame;
      p.onFrame = (f) => {
        prev(f);
        if (f.type === T.RST_STREAM) rst = f.payload.readUInt32BE(0);
        if (f.type === T.GOAWAY) goaway = true;
      };
    });
    const ch = new GrpcChannel(addr, OPTS);
    t.teardown(() => ch.close());
    const it = ch.serverStream('/test.Svc/Stream', Buffer.alloc(8), identity, { timeoutMs: 5_000 });
    t.equal((await it.next()).value?.length, 16_384 - 5, 'first message');
    t.ok(await until(() => rst !== undefined, 2_000), 'we reset the stream');
    t.equal(rst, E.FLOW_CONTROL_ERROR);
    t.notOk(goaway, 'a stream error only');
    const err = await (async () => {
      for (;;) if ((await it.next()).done) return undefined;
    })().catch((e: unknown) => e as GrpcStatusError);
    t.equal(err?.code, Code.INTERNAL, `the call fails: ${err?.message}`);
  });

  t.test('RST_STREAM codes', async (t) => {
    // A refused stream is sent once more (transparent retry): refuse both the call and its retry.
    const codes = [E.CANCEL, E.REFUSED_STREAM, E.REFUSED_STREAM, E.INTERNAL_ERROR, E.ENHANCE_YOUR_CALM];
    const addr = await rawServer(t, (p) => actServer(p, (id) => p.write(frame(T.RST_STREAM, 0, id, u32(codes[(id - 1) / 2])))));
    const ch = new GrpcChannel(addr, OPTS);
    t.teardown(() => ch.close());
    const got: number[] = [];
    for (let i = 0; i < codes.length - 1; i++) got.push((await streamResult(ch)).err?.code ?? -1);
    t.same(got, [Code.CANCELLED, Code.UNAVAILABLE, Code.INTERNAL, Code.RESOURCE_EXHAUSTED]);
  });

  const ANSWER = (id: number, text: string): Buffer[] => [
    frame(T.HEADERS, F.END_HEADERS, id, RESPONSE_HEADERS),
    frame(T.DATA, 0, id, frameMessage(Buffer.from(text))),
    frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, id, hpack([['grpc-status', '0']])),
  ];

  t.test('a stream refused by RST_STREAM is sent once more on the same connection', async (t) => {
    const seen: [number, number][] = [];
    const addr = await rawServer(t, (p, n) =>
      actServer(p, (id) => {
        seen.push([n, id]);
        if (id === 1) p.write(frame(T.RST_STREAM, 0, id, u32(E.REFUSED_STREAM)));
        else p.write(...ANSWER(id, `answer on ${id}`));
      }),
    );
    const ch = new GrpcChannel(addr, OPTS);
    t.teardown(() => ch.close());
    const r = await streamResult(ch);
    t.equal(r.err, undefined);
    t.same(r.frames.map(String), ['answer on 3']);
    t.same(seen, [[0, 1], [0, 3]], 'stream 1 refused, stream 3 answered, one connection');
  });

  t.test('GOAWAY below an open stream: the call goes to a new connection (transparent retry)', async (t) => {
    const seen: [number, number][] = [];
    const addr = await rawServer(t, (p, n) =>
      actServer(p, (id) => {
        seen.push([n, id]);
        if (n === 0) p.write(frame(T.GOAWAY, 0, 0, u32(0, E.NO_ERROR)));
        else p.write(...ANSWER(id, 'ok'));
      }),
    );
    const ch = new GrpcChannel(addr, OPTS);
    t.teardown(() => ch.close());
    const r = await streamResult(ch);
    t.equal(r.err, undefined, 'not UNAVAILABLE: the server never processed the stream');
    t.same(r.frames.map(String), ['ok']);
    t.same(seen, [[0, 1], [1, 1]], 'sent on the first connection, answered on the second');
    const again = await streamResult(ch);
    t.same(again.frames.map(String), ['ok'], 'later calls use the new connection');
  });

  t.test('refused again after the retry: UNAVAILABLE, no third attempt', async (t) => {
    let requests = 0;
    const addr = await rawServer(t, (p) =>
      actServer(p, () => {
        requests++;
        p.write(frame(T.GOAWAY, 0, 0, u32(0, E.NO_ERROR)));
      }),
    );
    const ch = new GrpcChannel(addr, OPTS);
    t.teardown(() => ch.close());
    const r = await streamResult(ch);
    t.equal(r.err?.code, Code.UNAVAILABLE, `refused twice: ${r.err?.message}`);
    t.equal(requests, 2);
  });

  t.test('a stream reset after the answer began is not retried', async (t) => {
    let requests = 0;
    const addr = await rawServer(t, (p) =>
      actServer(p, (id) => {
        requests++;
        p.write(frame(T.HEADERS, F.END_HEADERS, id, RESPONSE_HEADERS), frame(T.RST_STREAM, 0, id, u32(E.REFUSED_STREAM)));
      }),
    );
    const ch = new GrpcChannel(addr, OPTS);
    t.teardown(() => ch.close());
    const r = await streamResult(ch);
    t.equal(r.err?.code, Code.UNAVAILABLE, r.err?.message);
    t.equal(requests, 1, 'headers arrived: the server had it');
  });

  t.test('a server that never answers: the deadline ends the call', async (t) => {
    const addr = await rawServer(t, (p) => actServer(p, () => {}));
    const ch = new GrpcChannel(addr, OPTS);
    t.teardown(() => ch.close());
    const r = await streamResult(ch, 300);
    t.equal(r.err?.code, Code.DEADLINE_EXCEEDED);
    t.ok(r.ms < 1_500);
  });
});

// --- d: the peer's SETTINGS_MAX_CONCURRENT_STREAMS ------------------------------------------------------------

t.test('a node:http2 server allowing 2 streams: our client queues the rest and all complete', async (t) => {
  let open = 0;
  let maxOpen = 0;
  let refused = 0;
  const h2srv = http2.createServer({ settings: { maxConcurrentStreams: 2 } });
  h2srv.on('stream', (stream) => {
    open++;
    maxOpen = Math.max(maxOpen, open);
    stream.on('close', () => {
      open--;
      if (stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM) refused++;
    });
    stream.on('data', () => {});
    stream.on('end', () => {
      setTimeout(() => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(frameMessage(Buffer.from('done')));
      }, 30);
    });
  });
  await new Promise<void>((r) => h2srv.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise((r) => h2srv.close(r)));
  const ch = new GrpcChannel(`127.0.0.1:${(h2srv.address() as AddressInfo).port}`, OPTS);
  t.teardown(() => ch.close());
  // Twice: on a fresh connection (calls started before the server's SETTINGS arrived) and on a warm one.
  for (const round of ['fresh', 'warm']) {
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => ch.unary('/test.Svc/Unary', Buffer.from('x'), identity, { timeoutMs: 10_000 })));
    const ok = results.filter((r) => r.status === 'fulfilled' && r.value.toString() === 'done').length;
    t.equal(ok, 12, `${round} connection: all 12 calls completed (${results.find((r) => r.status === 'rejected') && String((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason)})`);
  }
  t.ok(maxOpen <= 2, `at most 2 streams open at the server (saw ${maxOpen})`);
  t.equal(refused, 0, 'no stream refused');
});

// --- e: keepalive -------------------------------------------------------------------------------------------

t.test('keepalive: a server that stops answering PINGs fails the running call within time + timeout', async (t) => {
  let answer = true;
  const addr = await rawServer(t, (p) =>
    actServer(
      p,
      (id) => {
        p.write(frame(T.HEADERS, F.END_HEADERS, id, RESPONSE_HEADERS), frame(T.DATA, 0, id, frameMessage(Buffer.from('first'))));
        // Then silence: the stream stays open, and after 400 ms the PINGs go unanswered.
        setTimeout(() => (answer = false), 400);
      },
      () => answer,
    ),
  );
  const ch = new GrpcChannel(addr, { maxMessageBytes: 1 << 20, keepaliveMs: 150, keepaliveTimeoutMs: 200 });
  t.teardown(() => ch.close());
  const r = await streamResult(ch, 20_000);
  t.same(r.frames.map(String), ['first']);
  t.ok(r.err instanceof GrpcStatusError && r.err.code === Code.UNAVAILABLE, `UNAVAILABLE: ${r.err?.message}`);
  t.match(r.err?.message ?? '', /PING/);
  // Silent from 400 ms: the next ping goes out within 150 ms and times out 200 ms later; slack for a busy machine.
  t.ok(r.ms >= 400 && r.ms < 400 + 150 + 200 + 600, `failed after ${r.ms} ms`);
});


// --- graceful close ----------------------------------------------------------------------------------------

t.test('server close: GOAWAY, running streams finish within the grace, new calls are refused', async (t) => {
  const s = makeServer();
  const p = await s.listen('127.0.0.1', 0);
  const ch = new GrpcChannel(`127.0.0.1:${p}`, OPTS);
  t.teardown(() => ch.close());
  const raw = await RawPeer.connect(p);
  raw.write(PREFACE, settings());
  t.teardown(() => raw.socket.destroy());
  const frames: Buffer[] = [];
  const it = ch.serverStream('/test.Svc/Stream', streamReq(200, 64 * 1024), identity, { timeoutMs: 10_000 });
  frames.push((await it.next()).value as Buffer); // running, and held back by our slow reading
  const started = Date.now();
  const closed = s.close(5_000);
  t.ok(await until(() => raw.goaway() !== undefined, 1_000), 'an idle connection gets GOAWAY');
  t.equal(raw.goaway()?.code, E.NO_ERROR);
  t.ok(await until(() => raw.closed, 1_000), 'and is closed');
  for await (const m of it) frames.push(m);
  t.equal(frames.length, 200, 'the running stream finished');
  t.ok(frames.every((m, i) => m.readUInt32BE(0) === i));
  await closed;
  t.ok(Date.now() - started < 4_000, 'close resolved when the last stream ended, before the grace');
  const err = (await ch.unary('/test.Svc/Unary', Buffer.from('x'), identity, { timeoutMs: 2_000 }).catch((e: unknown) => e)) as GrpcStatusError;
  t.equal(err.code, Code.UNAVAILABLE, `after close: ${err.message}`);
});

t.test('server close past its grace cancels running handlers and the client sees it', async (t) => {
  const s = makeServer();
  const p = await s.listen('127.0.0.1', 0);
  const ch = new GrpcChannel(`127.0.0.1:${p}`, OPTS);
  t.teardown(() => ch.close());
  const it = ch.serverStream('/test.Svc/Stream', streamReq(1_000_000, 64 * 1024), identity, { timeoutMs: 10_000 });
  await it.next();
  const sig = streamSignal;
  const started = Date.now();
  await s.close(200);
  t.ok(Date.now() - started < 1_500, 'close took about the grace');
  t.equal(sig?.aborted, true, 'handler signal fired');
  const err = await (async () => {
    for await (const _ of it);
  })().catch((e: unknown) => e as GrpcStatusError);
  t.ok(err instanceof GrpcStatusError && (err.code === Code.CANCELLED || err.code === Code.UNAVAILABLE), `client: ${err?.message}`);
});

// --- flow control at the frame level -----------------------------------------------------------------------

t.test("the server keeps to the client's windows, SETTINGS_INITIAL_WINDOW_SIZE changes and frame size", async (t) => {
  const p = await RawPeer.connect(port);
  t.teardown(() => p.socket.destroy());
  p.write(PREFACE, settings([4, 1_000]), frame(T.WINDOW_UPDATE, 0, 0, u32(10_000_000)));
  p.write(frame(T.HEADERS, F.END_HEADERS, 1, REQUEST('/test.Svc/Stream')), frame(T.DATA, F.END_STREAM, 1, frameMessage(streamReq(10, 40_000))));
  const dataBytes = (): number => p.frames.filter((f) => f.type === T.DATA && f.id === 1).reduce((n, f) => n + f.payload.length, 0);
  await until(() => dataBytes() >= 1_000, 2_000);
  await sleep(100);
  t.equal(dataBytes(), 1_000, 'stops at the initial stream window of 1 000');
  t.ok(p.frames.some((f) => f.type === T.SETTINGS && f.flags & F.ACK), 'our SETTINGS acknowledged');
  p.write(settings([4, 5_000]));
  await until(() => dataBytes() >= 5_000, 2_000);
  await sleep(100);
  t.equal(dataBytes(), 5_000, 'a larger SETTINGS_INITIAL_WINDOW_SIZE opens the running stream by the difference');
  p.write(settings([4, 0]));
  p.write(frame(T.WINDOW_UPDATE, 0, 1, u32(3_000)));
  await sleep(150);
  t.equal(dataBytes(), 5_000, 'window 0 − 5 000 used + 3 000 is still below zero: nothing more');
  p.write(frame(T.WINDOW_UPDATE, 0, 1, u32(1_000_000)));
  t.ok(await until(() => p.frames.some((f) => f.type === T.HEADERS && f.id === 1 && f.flags & F.END_STREAM), 2_000), 'trailers after the window opened');
  t.equal(dataBytes(), 10 * 40_005, 'every byte');
  t.ok(p.frames.filter((f) => f.type === T.DATA).every((f) => f.payload.length <= 16_384), 'no DATA frame over the default max frame size');
  const body = Buffer.concat(p.frames.filter((f) => f.type === T.DATA && f.id === 1).map((f) => f.payload));
  const msgs = unframe(body);
  t.ok(msgs.length === 10 && msgs.every((m, i) => m.readUInt32BE(0) === i && m.length === 40_000), 'messages intact');
});

// --- gRPC request shapes from node:http2 --------------------------------------------------------------------

t.test('malformed gRPC requests get the gRPC status the spec gives, the connection goes on', async (t) => {
  const session = http2.connect(`http://${target}`);
  t.teardown(() => session.close());
  const call = (body: Buffer, extra: Record<string, string> = {}) => nodeHttp2Call(session, '/test.Svc/Unary', body, extra);
  const one = frameMessage(Buffer.from('a'));
  const gz = zlib.gzipSync(Buffer.from('zipped'));
  const compressed = Buffer.concat([Buffer.from([1, 0, 0, 0, 0]), gz]);
  compressed.writeUInt32BE(gz.length, 1);

  t.equal((await call(Buffer.concat([one, one]))).status, String(Code.INTERNAL), 'two request messages on a unary method');
  t.equal((await call(Buffer.alloc(0))).status, String(Code.INTERNAL), 'no request message');
  t.equal((await call(one.subarray(0, 4))).status, String(Code.INTERNAL), 'a truncated message');
  const big = Buffer.alloc(5);
  big.writeUInt32BE((64 << 20) + 1, 1);
  t.equal((await call(big)).status, String(Code.RESOURCE_EXHAUSTED), 'a message over the limit, known from its prefix');
  t.equal((await call(compressed)).status, String(Code.INTERNAL), 'compressed flag without grpc-encoding');
  const zipped = await call(compressed, { 'grpc-encoding': 'gzip' });
  t.equal(zipped.status, '0', 'a gzip request is read');
  t.equal(unframe(zipped.data)[0]?.toString(), '|zipped');
  t.equal((await call(one, { 'grpc-encoding': 'zstd' })).status, String(Code.UNIMPLEMENTED), 'an encoding we lack is UNIMPLEMENTED');
  t.equal((await call(one, { 'grpc-timeout': '12 minutes' })).status, String(Code.INTERNAL), 'a malformed grpc-timeout');
  const ok = await call(one, { 'grpc-timeout': '99999999n' });
  t.equal(ok.status, '0', 'and after all that the same connection still serves');
});

t.test('big messages to a reader that stops: what we queue is bounded in bytes, not only in messages', async (t) => {
  const ch = new GrpcChannel(target, OPTS);
  t.teardown(() => ch.close());
  streamProgress.sent = 0;
  const it = ch.serverStream('/test.Svc/Stream', streamReq(200, 1 << 20), identity, { timeoutMs: 20_000 });
  t.equal(((await it.next()).value as Buffer).readUInt32BE(0), 0);
  await until(() => false, 1_500); // the reader stops; the server sends until held back
  const ahead = streamProgress.sent - 1;
  // Our 1 MiB stream window + what we queue decoded + socket buffers (ours, the kernel's): 12 MiB is plenty; 64 × 1 MiB queued was the bug.
  t.ok(ahead <= 12, `the server got ${ahead} MiB ahead of a reader that stopped`);
  let n = 1;
  for await (const m of it) if (m.readUInt32BE(0) === n) n++;
  t.equal(n, 200, 'then everything, in order');
});

t.test('a client whose connection drops mid-stream: the handler signal fires and send rejects', async (t) => {
  for (const how of ['destroy', 'end'] as const) {
    const p = await RawPeer.connect(port);
    streamSignal = undefined;
    p.write(PREFACE, settings(), frame(T.HEADERS, F.END_HEADERS, 1, REQUEST('/test.Svc/Stream')), frame(T.DATA, F.END_STREAM, 1, frameMessage(streamReq(1_000_000, 1_000))));
    t.ok(await until(() => streamSignal !== undefined && p.frames.some((f) => f.type === T.DATA), 2_000), `${how}: streaming`);
    const sig = streamSignal!;
    if (how === 'destroy') p.socket.destroy();
    else p.socket.end();
    t.ok(await until(() => sig.aborted, 2_000), `${how}: handler signal fired`);
    t.match(String(sig.reason), /cancel/i);
  }
  await serverStillServes(t);
});

t.test('past our SETTINGS_MAX_CONCURRENT_STREAMS (10 000) a new stream is refused, the connection stays', async (t) => {
  const p = await RawPeer.connect(port);
  t.teardown(() => p.socket.destroy());
  p.write(PREFACE, settings());
  // 10 000 requests left open (no END_STREAM: no handler runs), then one more.
  const block = REQUEST('/test.Svc/Unary');
  for (let base = 0; base < 10_001; base += 1_000) {
    const parts: Buffer[] = [];
    for (let i = base; i < Math.min(base + 1_000, 10_001); i++) parts.push(frame(T.HEADERS, F.END_HEADERS, 2 * i + 1, block));
    p.write(...parts);
    await sleep(1);
  }
  const last = 2 * 10_000 + 1;
  t.ok(await until(() => p.rst(last) !== undefined, 5_000), 'the 10 001st stream got RST_STREAM');
  t.equal(p.rst(last), E.REFUSED_STREAM);
  t.equal(p.frames.filter((f) => f.type === T.RST_STREAM).length, 1, 'only that one');
  t.equal(p.goaway(), undefined, 'no GOAWAY');
  // Finishing one of the open requests still works on this connection.
  p.write(frame(T.DATA, F.END_STREAM, 1, frameMessage(Buffer.from('late'))));
  t.ok(await until(() => p.frames.some((f) => f.type === T.HEADERS && f.id === 1 && f.flags & F.END_STREAM), 2_000), 'stream 1 answered');
});
