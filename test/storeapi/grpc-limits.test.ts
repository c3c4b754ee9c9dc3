// Deadlines, cancellation, messages past grpc-js's 4 MiB default, and undecodable frames, over real gRPC on loopback.
import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { BadDataError, QueryCanceledError } from '../../src/model/index.js';
import {
  GrpcCode,
  GrpcStatusError,
  InfoClient,
  StoreApiCallError,
  statusFromError,
  StoreClient,
  encodeSeriesRequest,
  startGrpcServer,
  type CallContext,
  type SeriesResponse,
  type StoreService,
} from '../../src/storeapi/index.js';
import { sleep } from '../helpers/wait.js';

const SIX_MIB = 6 * 1024 * 1024;


let lastSeriesSignal: AbortSignal | undefined;
let receivedMatcherBytes = 0;
const big = Buffer.alloc(SIX_MIB);
for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;

const store: StoreService = {
  async series(req, send, ctx: CallContext) {
    lastSeriesSignal = ctx.signal;
    if (req.matchers[0]?.value === 'big') {
      await send({ series: { labels: [{ name: 'a', value: 'b' }], chunks: [{ min_time: '0', max_time: '1', raw: { type: 0, data: big, hash: '0' } }] } });
      return;
    }
    // Slow: one frame, then stall until the client gives up.
    await send({ warning: 'first' });
    await sleep(5_000, ctx.signal);
  },
  async labelNames() {
    throw new BadDataError('no names today');
  },
  async labelValues(req) {
    receivedMatcherBytes = req.matchers[0]?.value.length ?? 0;
    return { values: ['ok'], warnings: [] };
  },
};
const srv = await startGrpcServer('127.0.0.1:0', {
  store,
  info: {
    info: async (ctx) => {
      await sleep(5_000, ctx.signal);
      return { label_sets: [], ComponentType: 'never' };
    },
  },
});
t.teardown(() => srv.stop(100));
const client = new StoreClient(srv.address);
t.teardown(() => client.close());

t.test('a client deadline gives DEADLINE_EXCEEDED, on a stream and on a unary call', async (t) => {
  const got: SeriesResponse[] = [];
  const started = Date.now();
  const err = await (async () => {
    for await (const f of client.series({}, { timeoutMs: 200 })) got.push(f);
  })().catch((e: unknown) => e);
  t.type(err, StoreApiCallError);
  t.equal((err as StoreApiCallError).code, grpc.status.DEADLINE_EXCEEDED);
  t.ok((err as StoreApiCallError).isDeadlineExceeded);
  t.match((err as Error).message, /^thanos\.Store\/Series on 127\.0\.0\.1:\d+: DEADLINE_EXCEEDED/);
  t.same(got, [{ warning: 'first', result: 'warning' }], 'frames before the deadline were delivered');
  t.ok(Date.now() - started < 2_000, 'gave up at the deadline, not when the server finished');

  const info = new InfoClient(srv.address, { timeoutMs: 150 });
  const ierr = await info.info().catch((e: unknown) => e);
  info.close();
  t.match((ierr as Error).message, /thanos\.info\.Info\/Info on .*: DEADLINE_EXCEEDED/);
  // The server handler saw the call end through its signal.
  await new Promise((r) => setTimeout(r, 50));
  t.equal(lastSeriesSignal?.aborted, true, 'server-side signal fired');
});

t.test('an aborted signal cancels the call with QueryCanceledError', async (t) => {
  const ac = new AbortController();
  const err = await (async () => {
    for await (const f of client.series({}, { signal: ac.signal })) {
      t.equal(f.result, 'warning');
      ac.abort();
    }
  })().catch((e: unknown) => e);
  t.type(err, QueryCanceledError);
});

t.test('typed handler errors map to gRPC codes', async (t) => {
  const err = (await client.labelNames({}).catch((e: unknown) => e)) as StoreApiCallError;
  t.equal(err.code, grpc.status.INVALID_ARGUMENT);
  t.match(err.message, /no names today/);
});

t.test('a gRPC status thrown by a handler keeps its code and details (an upstream failure passed through)', async (t) => {
  t.same(statusFromError(new GrpcStatusError(GrpcCode.UNAVAILABLE, 'store went away')), { code: grpc.status.UNAVAILABLE, details: 'store went away' });
  t.same(statusFromError(new StoreApiCallError('thanos.Store/Series', 'a:1', GrpcCode.RESOURCE_EXHAUSTED, 'limit')).code, grpc.status.RESOURCE_EXHAUSTED);
  t.same(statusFromError(new Error('boom')), { code: grpc.status.INTERNAL, details: 'boom' });
});

t.test('messages larger than 4 MiB go through in both directions', async (t) => {
  const fs: SeriesResponse[] = [];
  for await (const f of client.series({ matchers: [{ type: 0, name: 'x', value: 'big' }] })) fs.push(f);
  t.equal(fs.length, 1);
  const data = fs[0].result === 'series' ? fs[0].series.chunks[0].raw?.data : undefined;
  t.equal(data?.length, SIX_MIB, 'a 6 MiB chunk arrived whole');
  t.ok(data !== undefined && Buffer.compare(Buffer.from(data), big) === 0, 'byte for byte');

  const res = await client.labelValues({ label: 'a', matchers: [{ type: 0, name: 'x', value: 'v'.repeat(SIX_MIB) }] });
  t.same(res.values, ['ok']);
  t.equal(receivedMatcherBytes, SIX_MIB, 'a 6 MiB request arrived whole');
});

t.test('an undecodable frame from a peer is a clear INTERNAL error, not a crash', async (t) => {
  // A raw server that answers Series with bytes that are no SeriesResponse (a length running past the end).
  const raw = new grpc.Server();
  const identity = (b: Buffer): Buffer => b;
  raw.addService(
    {
      Series: {
        path: '/thanos.Store/Series',
        requestStream: false,
        responseStream: true,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    {
      Series: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
        call.write(Buffer.from([0x0a, 0x05, 0x01]));
        call.end();
      },
    },
  );
  const port = await new Promise<number>((res, rej) => raw.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  t.teardown(() => raw.forceShutdown());
  const c = new StoreClient(`127.0.0.1:${port}`, { timeoutMs: 5_000 });
  t.teardown(() => c.close());
  const err = await (async () => {
    for await (const _ of c.series({})) t.fail('no frame expected');
  })().catch((e: unknown) => e);
  t.type(err, StoreApiCallError);
  t.equal((err as StoreApiCallError).code, grpc.status.INTERNAL);
  t.match((err as Error).message, /thanos\.Store\/Series/);
});

t.test('a call that ends normally does not fire the handler signal; a pre-encoded request arrives as the plain one', async (t) => {
  // grpc-js emits 'cancelled' on every server call after its status went out; only a running call is cancelled.
  const fs: SeriesResponse[] = [];
  for await (const f of client.series(encodeSeriesRequest({ matchers: [{ type: 0, name: 'x', value: 'big' }] }))) fs.push(f);
  t.equal(fs.length, 1, 'the handler read matchers[0] = "big" from the pre-encoded bytes');
  await new Promise((r) => setTimeout(r, 50));
  t.equal(lastSeriesSignal?.aborted, false, 'no abort after a completed call');
});
