// Our gRPC transport (grpc/server.ts, grpc/channel.ts on h2/) against independent gRPC implementations on
// loopback, with the real StoreAPI protos: @grpc/grpc-js (on node:http2/nghttp2) both ways, and gRPC C-core
// through Debian's python3-grpcio both ways (skipped with a reason when it is missing).
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { ServiceDefinition } from '@grpc/proto-loader';
import { BadDataError, QueryCanceledError, QueryTimeoutError } from '../../src/model/index.js';
import {
  GRPC_JS_CHANNEL_OPTIONS,
  InfoClient,
  StoreApiCallError,
  StoreClient,
  decodeSeriesResponse,
  encodeSeriesRequest,
  encodeSeriesResponse,
  grpcPackage,
  startGrpcServer,
  type CallContext,
  type InfoResponse,
  type LabelValuesResponse,
  type SeriesFrame,
  type SeriesResponse,
} from '../../src/storeapi/index.js';
import { needPythonGrpc } from '../helpers/peers.js';
import { liveBytes } from '../helpers/memory.js';
import { sleep, until } from '../helpers/wait.js';

const SIX_MIB = 6 * 1024 * 1024;
const big = Buffer.alloc(SIX_MIB);
for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >>> 13)) & 0xff;
// Details a status carries through grpc-message percent-encoding: non-ASCII, '%', a literal escape, a newline.
const WEIRD = 'bad matcher: ünïcödé 日本 100% %41 done\nsecond line';

const pkg = grpcPackage();
const storeDef = pkg['thanos.Store'] as ServiceDefinition;
const infoDef = pkg['thanos.info.Info'] as ServiceDefinition;
const GrpcJsStore = grpc.makeGenericClientConstructor(storeDef, 'Store');
const GrpcJsInfo = grpc.makeGenericClientConstructor(infoDef, 'Info');




function seriesFrame(i: number, dataBytes = 8): SeriesResponse {
  const data = Buffer.alloc(dataBytes, i & 0xff);
  return {
    result: 'series',
    series: {
      labels: [
        { name: '__name__', value: 'up' },
        { name: 'i', value: String(i) },
      ],
      chunks: [{ min_time: i, max_time: i + 1, raw: { type: 0, data, hash: BigInt(i) } }],
    },
  } as unknown as SeriesResponse;
}

function frameIndex(f: SeriesResponse): number {
  if (f.result !== 'series') return -1;
  return Number(f.series.labels.find((l) => l.name === 'i')?.value);
}

function chunkData(f: SeriesResponse): Buffer | undefined {
  const d = f.result === 'series' ? f.series.chunks[0]?.raw?.data : undefined;
  return d === undefined ? undefined : Buffer.from(d);
}

// --- a: @grpc/grpc-js client → our server -------------------------------------------------------------

t.test('grpc-js client → our server', async (t) => {
  let bigDetails: string | undefined;
  const seen: { metadata?: CallContext['metadata']; cancelSignal?: AbortSignal; cancelSendError?: unknown; deadlineSignal?: AbortSignal } = {};
  const srv = await startGrpcServer('127.0.0.1:0', {
    info: {
      async info(ctx) {
        seen.metadata = ctx.metadata;
        return { label_sets: [{ labels: [{ name: 'cluster', value: 'eu' }] }], ComponentType: 'store', store: { min_time: '1', max_time: '2' } } as unknown as InfoResponse;
      },
    },
    store: {
      async series(req, send, ctx) {
        const mode = req.matchers[0]?.value;
        if (mode === 'many' || mode === 'few') {
          for (let i = 0; i < (mode === 'many' ? 3_000 : 300); i++) await send(seriesFrame(i));
        } else if (mode === 'big') {
          await send({ result: 'series', series: { labels: [{ name: 'a', value: 'b' }], chunks: [{ min_time: 0, max_time: 1, raw: { type: 0, data: big, hash: 7n } }] } } as unknown as SeriesFrame);
        } else if (mode === 'error') {
          await send(seriesFrame(0));
          throw new BadDataError(WEIRD);
        } else if (mode === 'stall') {
          seen.deadlineSignal = ctx.signal;
          await send(seriesFrame(0));
          await sleep(10_000, ctx.signal);
        } else if (mode === 'cancel') {
          seen.cancelSignal = ctx.signal;
          try {
            for (let i = 0; ; i++) {
              await send(seriesFrame(i, 1024));
              await sleep(5);
            }
          } catch (err) {
            seen.cancelSendError = err;
            throw err;
          }
        }
      },
      async labelNames(req) {
        if (req.matchers[0]?.value === 'fail') throw new BadDataError(bigDetails ?? WEIRD);
        return { names: ['a', 'b'], warnings: [] } as never;
      },
      async labelValues(req, ctx) {
        if (req.label === 'tenant') return { values: [String(ctx.metadata['thanos-tenant'])], warnings: [] } as never;
        const m = req.matchers[0]?.value ?? '';
        return { values: [req.label, String(m.length), createHash('sha256').update(m).digest('hex')], warnings: [] } as never;
      },
    },
  });
  t.teardown(() => srv.stop(100));
  const client = new GrpcJsStore(srv.address, grpc.credentials.createInsecure(), GRPC_JS_CHANNEL_OPTIONS) as any;
  const infoClient = new GrpcJsInfo(srv.address, grpc.credentials.createInsecure(), GRPC_JS_CHANNEL_OPTIONS) as any;
  t.teardown(() => {
    client.close();
    infoClient.close();
  });
  const unary = <R>(c: any, method: string, req: object, md = new grpc.Metadata(), opts: grpc.CallOptions = {}): Promise<R> =>
    new Promise((resolve, reject) => c[method](req, md, opts, (err: Error | null, res: R) => (err ? reject(err) : resolve(res))));
  const stream = (req: object, opts: grpc.CallOptions = {}, onFrame?: (f: SeriesResponse, call: grpc.ClientReadableStream<SeriesResponse>) => void) =>
    new Promise<{ frames: SeriesResponse[]; err?: grpc.ServiceError }>((resolve) => {
      const frames: SeriesResponse[] = [];
      const call = client.Series(req, new grpc.Metadata(), opts) as grpc.ClientReadableStream<SeriesResponse>;
      call.on('data', (f: SeriesResponse) => {
        frames.push(f);
        onFrame?.(f, call);
      });
      call.on('error', (err: grpc.ServiceError) => resolve({ frames, err }));
      call.on('end', () => resolve({ frames }));
    });
  const matcher = (value: string) => ({ matchers: [{ type: 0, name: 'mode', value }] });

  t.test('unary Info and LabelNames; metadata reaches CallContext', async (t) => {
    const md = new grpc.Metadata();
    md.set('thanos-tenant', 'team-a');
    const res = await unary<InfoResponse>(infoClient, 'Info', {}, md);
    t.equal(res.ComponentType, 'store');
    t.same(res.label_sets[0].labels, [{ name: 'cluster', value: 'eu' }]);
    t.same(res.store && [res.store.min_time, res.store.max_time], ['1', '2']);
    t.equal(seen.metadata?.['thanos-tenant'], 'team-a', 'custom metadata in the handler');
    t.match(String(seen.metadata?.['user-agent']), /grpc-node-js/, 'the client really was grpc-js');
    t.same((await unary<{ names: string[] }>(client, 'LabelNames', {})).names, ['a', 'b']);
  });

  t.test('40 KiB of metadata (a header block in CONTINUATION frames) and 20 KiB of error details', async (t) => {
    const md = new grpc.Metadata();
    md.set('thanos-tenant', 't'.repeat(40_000));
    const res = await unary<LabelValuesResponse>(client, 'LabelValues', { label: 'tenant' }, md);
    t.equal(res.values[0], 't'.repeat(40_000), 'the whole value reached the handler');
    const long = WEIRD + '-'.repeat(20_000);
    bigDetails = long;
    const err = (await unary(client, 'LabelNames', matcher('fail')).catch((e: unknown) => e)) as grpc.ServiceError;
    bigDetails = undefined;
    t.equal(err.code, grpc.status.INVALID_ARGUMENT);
    t.equal(err.details, long);
  });

  t.test('server streaming: 3 000 frames in order, then one 6 MiB frame byte for byte', async (t) => {
    const many = await stream(matcher('many'));
    t.equal(many.err, undefined);
    t.equal(many.frames.length, 3_000);
    t.ok(many.frames.every((f, i) => frameIndex(f) === i && chunkData(f)?.every((b) => b === (i & 0xff))), 'every frame in order and intact');
    const one = await stream(matcher('big'));
    t.equal(one.err, undefined);
    t.equal(one.frames.length, 1);
    t.ok(chunkData(one.frames[0])?.equals(big), '6 MiB chunk arrived whole');
  });

  t.test('a 6 MiB request reaches our handler whole', async (t) => {
    const m = big.toString('latin1');
    const res = await unary<LabelValuesResponse>(client, 'LabelValues', { label: 'x', matchers: [{ type: 0, name: 'm', value: m }] });
    // latin1 string → UTF-8 on the wire → same string in the handler.
    t.same(res.values, ['x', String(m.length), createHash('sha256').update(m).digest('hex')]);
  });

  t.test('error statuses keep non-ASCII and percent details, unary and after stream frames', async (t) => {
    const err = (await unary(client, 'LabelNames', matcher('fail')).catch((e: unknown) => e)) as grpc.ServiceError;
    t.equal(err.code, grpc.status.INVALID_ARGUMENT);
    t.equal(err.details, WEIRD);
    const s = await stream(matcher('error'));
    t.equal(s.frames.length, 1, 'the frame before the error arrived');
    t.equal(s.err?.code, grpc.status.INVALID_ARGUMENT);
    t.equal(s.err?.details, WEIRD);
  });

  t.test('grpc-js deadline: DEADLINE_EXCEEDED, our handler signal fires', async (t) => {
    const started = Date.now();
    const s = await stream(matcher('stall'), { deadline: Date.now() + 300 });
    t.equal(s.err?.code, grpc.status.DEADLINE_EXCEEDED);
    t.equal(s.frames.length, 1);
    t.ok(Date.now() - started < 2_000, 'at the deadline, not after the handler');
    t.ok(await until(() => seen.deadlineSignal?.aborted === true, 1_000), 'handler signal aborted');
    t.ok(seen.deadlineSignal?.reason instanceof QueryTimeoutError || seen.deadlineSignal?.reason instanceof QueryCanceledError);
  });

  t.test('grpc-js cancel mid-stream: handler signal fires and send rejects', async (t) => {
    let n = 0;
    const s = await stream(matcher('cancel'), {}, (_f, call) => {
      if (++n === 3) call.cancel();
    });
    t.equal(s.err?.code, grpc.status.CANCELLED);
    t.ok(await until(() => seen.cancelSendError !== undefined, 2_000), 'send rejected');
    t.type(seen.cancelSendError, QueryCanceledError);
    t.equal(seen.cancelSignal?.aborted, true, 'handler signal aborted');
  });

  t.test('200 concurrent calls on one grpc-js channel', async (t) => {
    const calls = Array.from({ length: 200 }, (_, i) =>
      i % 2 === 0
        ? unary<LabelValuesResponse>(client, 'LabelValues', { label: `l${i}` }).then((r) => r.values[0] === `l${i}`)
        : stream(matcher('few')).then((s) => s.err === undefined && s.frames.length === 300 && frameIndex(s.frames[299]) === 299),
    );
    const ok = await Promise.all(calls);
    t.equal(ok.filter(Boolean).length, 200, 'every call answered correctly');
  });

  t.test('unknown method is UNIMPLEMENTED', async (t) => {
    const generic = new grpc.Client(srv.address, grpc.credentials.createInsecure());
    t.teardown(() => generic.close());
    const err = await new Promise<grpc.ServiceError>((resolve) =>
      generic.makeUnaryRequest('/thanos.Store/NoSuchMethod', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), (e) => resolve(e as grpc.ServiceError)),
    );
    t.equal(err.code, grpc.status.UNIMPLEMENTED);
    t.match(err.details, /NoSuchMethod/);
  });
});

// --- b: our clients → an @grpc/grpc-js server ----------------------------------------------------------

t.test('our clients → grpc-js server', async (t) => {
  const seen: { tenant?: string; longDetails?: boolean; cancelled: Set<string>; deadline?: grpc.Deadline; written: number; bigRequest?: number } = { cancelled: new Set(), written: 0 };
  let slowConsumed = 0;
  let maxAhead = 0;
  let onShutdownStream: (() => void) | undefined;
  const server = new grpc.Server(GRPC_JS_CHANNEL_OPTIONS);
  const writeAll = (call: grpc.ServerWritableStream<any, SeriesResponse>, n: number, make: (i: number) => SeriesResponse, track = false): Promise<void> =>
    new Promise((resolve) => {
      let i = 0;
      const pump = (): void => {
        while (i < n && !call.cancelled) {
          const ok = call.write(make(i++));
          if (track) {
            seen.written = i;
            maxAhead = Math.max(maxAhead, i - slowConsumed);
          }
          if (!ok) return void call.once('drain', pump);
        }
        resolve();
      };
      pump();
    });
  server.addService(storeDef, {
    Series: async (call: grpc.ServerWritableStream<any, SeriesResponse>) => {
      const mode = call.request.matchers[0]?.value as string;
      call.on('cancelled', () => seen.cancelled.add(mode));
      if (mode === 'many' || mode === 'few') {
        await writeAll(call, mode === 'many' ? 2_000 : 300, (i) => seriesFrame(i));
        call.end();
      } else if (mode === 'slow') {
        await writeAll(call, 2_000, (i) => seriesFrame(i, 32 * 1024), true);
        call.end();
      } else if (mode === 'big') {
        call.write({ result: 'series', series: { labels: [], chunks: [{ min_time: 0, max_time: 1, raw: { type: 0, data: big, hash: 1n } }] } } as unknown as SeriesResponse);
        call.end();
      } else if (mode === 'error') {
        call.write(seriesFrame(0));
        call.emit('error', { code: grpc.status.RESOURCE_EXHAUSTED, details: WEIRD });
      } else if (mode === 'deadline') {
        seen.deadline = call.getDeadline();
        call.write(seriesFrame(0));
        // Never ends: the call's deadline ends it.
      } else if (mode === 'endless') {
        await writeAll(call, 1_000_000, (i) => seriesFrame(i, 1024));
      } else if (mode === 'shutdown') {
        call.write(seriesFrame(0));
        onShutdownStream?.();
      }
    },
    LabelNames: (_call: grpc.ServerUnaryCall<any, any>, cb: grpc.sendUnaryData<any>) =>
      cb({ code: grpc.status.FAILED_PRECONDITION, details: seen.longDetails ? WEIRD + '-'.repeat(20_000) : WEIRD }),
    LabelValues: (call: grpc.ServerUnaryCall<any, any>, cb: grpc.sendUnaryData<any>) => {
      const m: string = call.request.matchers[0]?.value ?? '';
      seen.bigRequest = m.length;
      cb(null, { values: [call.request.label, String(m.length), createHash('sha256').update(m).digest('hex')], warnings: [] });
    },
  });
  server.addService(infoDef, {
    Info: (call: grpc.ServerUnaryCall<any, any>, cb: grpc.sendUnaryData<any>) => {
      seen.tenant = call.metadata.get('thanos-tenant')[0] as string;
      cb(null, { label_sets: [], ComponentType: 'grpc-js', store: { min_time: '5', max_time: '6' } });
    },
  });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  t.teardown(() => server.forceShutdown());
  const target = `127.0.0.1:${port}`;
  const store = new StoreClient(target, { timeoutMs: 20_000 });
  t.teardown(() => store.close());
  const matcher = (value: string) => ({ matchers: [{ type: 0, name: 'mode', value }] });
  const collect = async (c: StoreClient, req: object, opts?: { timeoutMs?: number; signal?: AbortSignal }) => {
    const frames: SeriesResponse[] = [];
    try {
      for await (const f of c.series(req, opts)) frames.push(f);
      return { frames, err: undefined };
    } catch (err) {
      return { frames, err: err as StoreApiCallError };
    }
  };

  t.test('unary Info with metadata; unary error with non-ASCII details', async (t) => {
    const info = new InfoClient(target, { channel: store.channel, metadata: { 'thanos-tenant': 'team-b' } });
    const res = await info.info();
    t.equal(res.ComponentType, 'grpc-js');
    t.same(res.store && [res.store.min_time, res.store.max_time], ['5', '6']);
    t.equal(seen.tenant, 'team-b', 'metadata reached the grpc-js handler');
    const err = (await store.labelNames({}).catch((e: unknown) => e)) as StoreApiCallError;
    t.type(err, StoreApiCallError);
    t.equal(err.code, grpc.status.FAILED_PRECONDITION);
    t.match(err.message, WEIRD);
    t.equal((err.cause as { details?: string }).details, WEIRD, 'details decoded exactly');
  });

  t.test('40 KiB of metadata from us (CONTINUATION frames at grpc-js\'s 16 KiB frame size), 20 KiB details back', async (t) => {
    const info = new InfoClient(target, { metadata: { 'thanos-tenant': 'u'.repeat(40_000) } });
    t.teardown(() => info.close());
    await info.info();
    t.equal(seen.tenant, 'u'.repeat(40_000));
    seen.longDetails = true;
    const err = (await store.labelNames({}).catch((e: unknown) => e)) as StoreApiCallError;
    seen.longDetails = false;
    t.equal((err.cause as { details?: string }).details, WEIRD + '-'.repeat(20_000));
  });

  t.test('big messages both ways: a 6 MiB request and a 6 MiB frame', async (t) => {
    const m = big.toString('latin1');
    const res = await store.labelValues({ label: 'x', matchers: [{ type: 0, name: 'm', value: m }] });
    t.same(res.values, ['x', String(m.length), createHash('sha256').update(m).digest('hex')]);
    const s = await collect(store, matcher('big'));
    t.equal(s.err, undefined);
    t.ok(s.frames.length === 1 && chunkData(s.frames[0])?.equals(big), '6 MiB chunk whole');
  });

  t.test('2 000 frames in order; a stream error after a frame keeps its status', async (t) => {
    const s = await collect(store, matcher('many'));
    t.equal(s.err, undefined);
    t.equal(s.frames.length, 2_000);
    t.ok(s.frames.every((f, i) => frameIndex(f) === i), 'in order');
    const e = await collect(store, matcher('error'));
    t.equal(e.frames.length, 1);
    t.equal(e.err?.code, grpc.status.RESOURCE_EXHAUSTED);
    t.equal((e.err?.cause as { details?: string }).details, WEIRD);
  });

  t.test('slow consumer: the grpc-js server is held back, memory stays bounded', async (t) => {
    slowConsumed = 0;
    maxAhead = 0;
    const before = await liveBytes();
    let peak = -Infinity;
    let n = 0;
    for await (const f of store.series(matcher('slow'))) {
      if (frameIndex(f) !== n) t.fail(`frame ${n} out of order`);
      n++;
      slowConsumed = n;
      if (n % 50 === 0) {
        await sleep(15);
        peak = Math.max(peak, (await liveBytes()) - before);
      }
    }
    t.equal(n, 2_000, 'all 2 000 frames of 32 KiB (64 MiB)');
    // Windows (1 MiB stream, 4 MiB connection), 64 decoded frames queued, node:http2's buffers: a few hundred
    // frames at most; without backpressure the server would be ~2 000 ahead.
    t.ok(maxAhead < 400, `server at most ${maxAhead} frames ahead of the consumer`);
    t.ok(peak < 24 * 1024 * 1024, `live memory growth ${(peak / 1048576).toFixed(1)} MiB < 24 MiB for 64 MiB streamed`);
  });

  t.test('our deadline: DEADLINE_EXCEEDED here, and grpc-js ends its call at the grpc-timeout it read', async (t) => {
    const started = Date.now();
    const s = await collect(store, matcher('deadline'), { timeoutMs: 300 });
    t.equal(s.err?.code, grpc.status.DEADLINE_EXCEEDED);
    t.equal(s.frames.length, 1);
    t.ok(Date.now() - started < 2_000);
    const d = seen.deadline instanceof Date ? seen.deadline.getTime() : Number(seen.deadline);
    t.ok(d > started && d < started + 1_500, 'grpc-js saw a deadline from our grpc-timeout');
    t.ok(await until(() => seen.cancelled.has('deadline'), 2_000), 'grpc-js server call cancelled');
  });

  t.test('stopping early cancels the grpc-js call', async (t) => {
    let n = 0;
    for await (const f of store.series(matcher('endless'))) {
      if (frameIndex(f) !== n) t.fail('order');
      if (++n === 100) break;
    }
    t.ok(await until(() => seen.cancelled.has('endless'), 2_000), 'grpc-js server saw the cancel');
  });

  t.test('200 concurrent calls on one channel', async (t) => {
    const calls = Array.from({ length: 200 }, (_, i) =>
      i % 2 === 0
        ? store.labelValues({ label: `l${i}` }).then((r) => r.values[0] === `l${i}`)
        : collect(store, matcher('few')).then((s) => s.err === undefined && s.frames.length === 300 && frameIndex(s.frames[299]) === 299),
    );
    t.equal((await Promise.all(calls)).filter(Boolean).length, 200);
  });

  t.test('unknown method: UNIMPLEMENTED from grpc-js', async (t) => {
    const err = (await store.channel.unary('/thanos.Store/NoSuchMethod', Buffer.alloc(0), (b) => b, { timeoutMs: 5_000 }).catch((e: unknown) => e)) as { code?: number };
    t.equal(err.code, grpc.status.UNIMPLEMENTED);
  });

  t.test('server shutdown mid-stream: a clear error, not a hang', async (t) => {
    const c = new StoreClient(target, { timeoutMs: 20_000 });
    t.teardown(() => c.close());
    onShutdownStream = () => setTimeout(() => server.forceShutdown(), 50);
    const started = Date.now();
    const s = await collect(c, matcher('shutdown'));
    t.equal(s.frames.length, 1);
    t.type(s.err, StoreApiCallError);
    t.equal(s.err?.code, grpc.status.UNAVAILABLE, `UNAVAILABLE: ${s.err?.message}`);
    t.ok(Date.now() - started < 3_000, 'failed promptly');
  });
});

// --- c: gRPC C-core (python3-grpcio) both ways ---------------------------------------------------------

const PEER = new URL('./fixtures/grpc_peer.py', import.meta.url).pathname;

/** Length-prefixed records (uint32 BE) — how the fixture passes messages through files. */
function writeRecords(path: string, records: Uint8Array[]): void {
  const parts: Buffer[] = [];
  for (const r of records) {
    const h = Buffer.alloc(4);
    h.writeUInt32BE(r.byteLength);
    parts.push(h, Buffer.from(r));
  }
  writeFileSync(path, Buffer.concat(parts));
}
function readRecords(path: string): Buffer[] {
  const b = readFileSync(path);
  const out: Buffer[] = [];
  for (let off = 0; off < b.length; ) {
    const n = b.readUInt32BE(off);
    out.push(b.subarray(off + 4, off + 4 + n));
    off += 4 + n;
  }
  return out;
}

t.test('gRPC C-core (python3-grpcio)', async (t) => {
  const python = needPythonGrpc(t);
  if (!python) return;
  const dir = mkdtempSync(join(tmpdir(), 'grpc-interop-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  t.test('C-core client → our server', async (t) => {
    const seen: { tenant?: unknown; stallSignal?: AbortSignal; bigRequest?: number } = {};
    const srv = await startGrpcServer('127.0.0.1:0', {
      info: { info: async () => ({ label_sets: [], ComponentType: 'ours' }) as unknown as InfoResponse },
      store: {
        async series(req, send, ctx) {
          const mode = req.matchers[0]?.value;
          seen.tenant ??= ctx.metadata['thanos-tenant'];
          if (mode === 'many') for (let i = 0; i < 2_000; i++) await send(seriesFrame(i, 100));
          else if (mode === 'big') await send({ result: 'series', series: { labels: [], chunks: [{ min_time: 0, max_time: 1, raw: { type: 0, data: big, hash: 3n } }] } } as unknown as SeriesFrame);
          else if (mode === 'error') {
            await send(seriesFrame(0));
            throw new BadDataError(WEIRD);
          } else if (mode === 'stall') {
            seen.stallSignal = ctx.signal;
            await send(seriesFrame(0));
            await sleep(10_000, ctx.signal);
          }
        },
        labelNames: async () => ({ names: [], warnings: [] }) as never,
        async labelValues(req) {
          const m = req.matchers[0]?.value ?? '';
          seen.bigRequest = m.length;
          return { values: [req.label, createHash('sha256').update(m).digest('hex')], warnings: [] } as never;
        },
      },
    });
    t.teardown(() => srv.stop(100));
    const bigValue = big.toString('latin1');
    writeRecords(join(dir, 'req-many.bin'), [encodeSeriesRequest({ matchers: [{ type: 0, name: 'mode', value: 'many' }] } as never).bytes]);
    writeRecords(join(dir, 'req-big.bin'), [encodeSeriesRequest({ matchers: [{ type: 0, name: 'mode', value: 'big' }] } as never).bytes]);
    writeRecords(join(dir, 'req-error.bin'), [encodeSeriesRequest({ matchers: [{ type: 0, name: 'mode', value: 'error' }] } as never).bytes]);
    writeRecords(join(dir, 'req-stall.bin'), [encodeSeriesRequest({ matchers: [{ type: 0, name: 'mode', value: 'stall' }] } as never).bytes]);
    const lvDef = storeDef.LabelValues;
    writeRecords(join(dir, 'req-labelvalues.bin'), [lvDef.requestSerialize({ label: 'x', matchers: [{ type: 0, name: 'm', value: bigValue }] } as never)]);

    const out = await runPython(python, ['client', srv.address, dir]);
    t.equal(out.code, 0, `python client exited 0: ${out.stderr}`);
    const results = Object.fromEntries(out.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => { const o = JSON.parse(l); return [o.case, o]; }));

    const info = infoDef.Info.responseDeserialize(readRecords(join(dir, 'res-info.bin'))[0]) as InfoResponse;
    t.equal(info.ComponentType, 'ours', 'unary Info decoded');
    t.equal(results.info?.code, 'OK');

    const many = readRecords(join(dir, 'res-many.bin')).map((b) => decodeSeriesResponse(b));
    t.equal(many.length, 2_000);
    t.ok(many.every((f, i) => frameIndex(f) === i && chunkData(f)?.length === 100), '2 000 frames in order');
    t.equal(seen.tenant, 'py-tenant', 'C-core metadata reached CallContext');

    const bigRes = readRecords(join(dir, 'res-big.bin')).map((b) => decodeSeriesResponse(b));
    t.ok(bigRes.length === 1 && chunkData(bigRes[0])?.equals(big), '6 MiB frame to C-core, byte for byte');

    const lv = lvDef.responseDeserialize(readRecords(join(dir, 'res-labelvalues.bin'))[0]) as LabelValuesResponse;
    t.same(lv.values, ['x', createHash('sha256').update(bigValue).digest('hex')], '6 MiB request from C-core arrived whole');

    t.equal(results.error?.code, 'INVALID_ARGUMENT');
    t.equal(results.error?.details, WEIRD, 'C-core decoded our percent-encoded details');
    t.equal(results.error?.frames, 1);

    t.equal(results.stall?.code, 'DEADLINE_EXCEEDED');
    t.ok(results.stall?.seconds < 2, `C-core gave up at its deadline (${results.stall?.seconds} s)`);
    t.ok(await until(() => seen.stallSignal?.aborted === true, 1_000), 'our handler signal fired');

    t.equal(results.concurrent?.ok, 50, '50 concurrent C-core calls answered');
  });

  t.test('our client → C-core server', async (t) => {
    const manyFrames = Array.from({ length: 2_000 }, (_, i) => encodeSeriesResponse(seriesFrame(i, 100)));
    writeRecords(join(dir, 'frames-many.bin'), manyFrames);
    writeRecords(join(dir, 'frames-big.bin'), [encodeSeriesResponse({ result: 'series', series: { labels: [], chunks: [{ min_time: 0, max_time: 1, raw: { type: 0, data: big, hash: 9n } }] } } as unknown as SeriesResponse)]);
    writeRecords(join(dir, 'frames-error.bin'), [encodeSeriesResponse(seriesFrame(0))]);
    const proc = spawn(python, [PEER, 'server', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    t.teardown(() => {
      proc.kill();
    });
    t.ok(await until(() => /PORT \d+/.test(stdout) || proc.exitCode !== null, 10_000), `python server started: ${stderr}`);
    const port = Number(/PORT (\d+)/.exec(stdout)?.[1]);
    const target = `127.0.0.1:${port}`;
    const store = new StoreClient(target, { timeoutMs: 20_000, metadata: { 'thanos-tenant': 'ours' } });
    t.teardown(() => store.close());
    const collect = async (mode: string, timeoutMs?: number) => {
      const frames: SeriesResponse[] = [];
      try {
        for await (const f of store.series({ matchers: [{ type: 0, name: 'mode', value: mode }] }, { timeoutMs })) frames.push(f);
        return { frames, err: undefined };
      } catch (err) {
        return { frames, err: err as StoreApiCallError };
      }
    };

    const many = await collect('many');
    t.equal(many.err, undefined);
    t.equal(many.frames.length, 2_000);
    t.ok(many.frames.every((f, i) => frameIndex(f) === i), 'in order');

    const bigS = await collect('big');
    t.equal(bigS.err, undefined);
    t.ok(bigS.frames.length === 1 && chunkData(bigS.frames[0])?.equals(big), '6 MiB frame from C-core');

    const bigValue = big.toString('latin1');
    const lv = await store.labelValues({ label: 'x', matchers: [{ type: 0, name: 'm', value: bigValue }] });
    // The python server answers LabelValues with the SHA-256 of the raw request bytes it got, and the tenant.
    const reqBytes = storeDef.LabelValues.requestSerialize({ label: 'x', matchers: [{ type: 0, name: 'm', value: bigValue }] } as never);
    t.same(lv.values, [createHash('sha256').update(reqBytes).digest('hex'), 'ours'], '6 MiB request and metadata reached C-core');

    const e = await collect('error');
    t.equal(e.frames.length, 1);
    t.equal(e.err?.code, grpc.status.RESOURCE_EXHAUSTED);
    t.equal((e.err?.cause as { details?: string }).details, WEIRD, 'C-core details decoded');

    const started = Date.now();
    const d = await collect('deadline', 400);
    t.equal(d.err?.code, grpc.status.DEADLINE_EXCEEDED);
    t.ok(Date.now() - started < 2_000);
    t.ok(await until(() => /DEADLINE_SEEN remaining=[\d.]+ active=False/.test(stdout), 3_000), `C-core server ended its call at our deadline: ${stdout.slice(-200)}`);
    const remaining = Number(/DEADLINE_SEEN remaining=([\d.]+)/.exec(stdout)?.[1]);
    t.ok(remaining > 0 && remaining <= 0.4, `C-core read our grpc-timeout (${remaining} s left at start)`);

    const concurrent = await Promise.all(Array.from({ length: 100 }, (_, i) => store.labelValues({ label: `l${i}` }).then((r) => r.values.length === 2)));
    t.equal(concurrent.filter(Boolean).length, 100, '100 concurrent calls to C-core');
  });
});

function runPython(python: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(python, [PEER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill(), 40_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

