// A real gRPC server of ours on 127.0.0.1:0 serving the in-memory StoreAPI, called by our clients.
import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import xxhash from 'xxhash-wasm';
import { decodeXORAlloc } from '../../src/chunkenc/index.js';
import { Labels, QueryCanceledError } from '../../src/model/index.js';
import { MemoryStorage } from '../../src/storage/index.js';
import {
  InfoClient,
  MAX_INT64,
  StoreApiCallError,
  StoreClient,
  labelsFromProto,
  memoryStoreApi,
  startGrpcServer,
  type ProtoSeries,
  type SeriesRequest,
  type SeriesResponse,
} from '../../src/storeapi/index.js';

const db = new MemoryStorage();
// 3 series; `up{instance="a"}` has 250 samples (3 chunks of ≤120), 15 s apart from t = 0.
const A = Labels.from({ __name__: 'up', job: 'api', instance: 'a' });
const B = Labels.from({ __name__: 'up', job: 'api', instance: 'b' });
const W = Labels.from({ __name__: 'up', job: 'web' });
for (let i = 0; i < 250; i++) db.append(A, i * 15_000, i % 7);
for (let i = 0; i < 10; i++) db.append(B, 1_000_000 + i * 15_000, 1);
db.append(W, 5_000, 0.5);
const EXT = Labels.from({ cluster: 'eu', replica: 'r1' });

const srv = await startGrpcServer('127.0.0.1:0', memoryStoreApi(db, { componentType: 'store', externalLabels: EXT }));
t.teardown(() => srv.stop(100));
const store = new StoreClient(srv.address, { timeoutMs: 10_000 });
const info = new InfoClient(srv.address, { channel: store.channel });
t.teardown(() => store.close());
const { h64Raw } = await xxhash();

async function frames(req: Partial<SeriesRequest>): Promise<SeriesResponse[]> {
  const out: SeriesResponse[] = [];
  for await (const f of store.series(req)) out.push(f);
  return out;
}
function seriesOf(fs: SeriesResponse[]): ProtoSeries[] {
  return fs.flatMap((f) => (f.result === 'series' ? [f.series] : f.result === 'batch' ? f.batch.series : []));
}
const ALL = { min_time: '0', max_time: MAX_INT64, matchers: [{ type: 0, name: '__name__', value: 'up' }] };

t.test('server bound a real port', async (t) => {
  t.ok(srv.port > 0);
  t.equal(srv.address, `127.0.0.1:${srv.port}`);
});

t.test('Info: component, external label set, StoreInfo present with the data time range, Rules absent', async (t) => {
  const res = await info.info();
  t.equal(res.ComponentType, 'store');
  t.same(res.label_sets.map((s) => labelsFromProto(s.labels).toObject()), [{ cluster: 'eu', replica: 'r1' }]);
  t.ok(res.store, 'StoreInfo present');
  t.equal(res.store?.min_time, '0');
  t.equal(res.store?.max_time, String(249 * 15_000));
  t.equal(res.store?.supports_without_replica_labels, true);
  t.equal(res.rules, null, 'no Rules API advertised');
});

t.test('Series: one `series` frame per series, sorted, extended by external labels, chunks decode to the samples', async (t) => {
  const fs = await frames(ALL);
  t.equal(fs.length, 3);
  t.ok(fs.every((f) => f.result === 'series'));
  const got = seriesOf(fs);
  t.same(
    got.map((s) => labelsFromProto(s.labels).toString()),
    [
      'up{cluster="eu", instance="a", job="api", replica="r1"}',
      'up{cluster="eu", instance="b", job="api", replica="r1"}',
      'up{cluster="eu", job="web", replica="r1"}',
    ],
  );
  const a = got[0];
  t.equal(a.chunks.length, 3, '250 samples → chunks of 120, 120, 10');
  let n = 0;
  for (const c of a.chunks) {
    t.equal(c.raw?.type, 0, 'XOR is 0 in Thanos numbering');
    // Over gRPC the Series codec gives the uint64 hash as a bigint and the int64 times as numbers.
    t.equal(c.raw?.hash, h64Raw(c.raw!.data), 'hash is xxhash64 of the data');
    const { timestamps, values } = decodeXORAlloc(c.raw!.data);
    t.equal(c.min_time, timestamps[0]);
    t.equal(c.max_time, timestamps[timestamps.length - 1]);
    for (let i = 0; i < timestamps.length; i++, n++) {
      if (timestamps[i] !== n * 15_000 || values[i] !== n % 7) t.fail(`sample ${n}: ${timestamps[i]} ${values[i]}`);
    }
  }
  t.equal(n, 250);
});

t.test('Series: `batch` frames when response_batch_size > 1', async (t) => {
  const fs = await frames({ ...ALL, response_batch_size: '2' });
  t.same(
    fs.map((f) => f.result),
    ['batch', 'batch'],
  );
  t.same(
    fs.map((f) => (f.result === 'batch' ? f.batch.series.length : -1)),
    [2, 1],
  );
  t.same(seriesOf(fs), seriesOf(await frames(ALL)), 'same series as unbatched');
});

t.test('Series: time range, skip_chunks, limit, without_replica_labels, external matchers', async (t) => {
  const late = seriesOf(await frames({ ...ALL, min_time: '1000000', max_time: '1100000' }));
  t.same(
    late.map((s) => labelsFromProto(s.labels).get('instance')),
    ['a', 'b'],
    'web has no sample in range',
  );
  t.ok(late[0].chunks.every((c) => Number(c.min_time) >= 1_000_000 && Number(c.max_time) <= 1_100_000));

  const skipped = seriesOf(await frames({ ...ALL, skip_chunks: true }));
  t.equal(skipped.length, 3);
  t.ok(skipped.every((s) => s.chunks.length === 0));

  t.equal(seriesOf(await frames({ ...ALL, limit: '2' })).length, 2);

  const stripped = seriesOf(await frames({ ...ALL, skip_chunks: true, without_replica_labels: ['replica', 'job'] }));
  t.same(
    stripped.map((s) => labelsFromProto(s.labels).toString()),
    ['up{cluster="eu", instance="a", job="api"}', 'up{cluster="eu", instance="b", job="api"}', 'up{cluster="eu", job="web"}'],
    'only external labels are dropped as replica labels',
  );

  t.equal(seriesOf(await frames({ ...ALL, matchers: [...ALL.matchers, { type: 0, name: 'cluster', value: 'us' }] })).length, 0);
  t.equal(seriesOf(await frames({ ...ALL, matchers: [{ type: 2, name: 'cluster', value: 'e.*' }] })).length, 3);
  t.equal(seriesOf(await frames({ ...ALL, matchers: [{ type: 1, name: 'instance', value: 'a' }] })).length, 2);
});

t.test('a bad regex is INVALID_ARGUMENT', async (t) => {
  const err = await frames({ ...ALL, matchers: [{ type: 2, name: 'job', value: '(' }] }).catch((e: unknown) => e);
  t.type(err, StoreApiCallError);
  t.equal((err as StoreApiCallError).code, grpc.status.INVALID_ARGUMENT);
  t.match((err as Error).message, /thanos\.Store\/Series on 127\.0\.0\.1:\d+: INVALID_ARGUMENT: invalid regular expression/);
});

t.test('LabelNames / LabelValues', async (t) => {
  const range = { start: '0', end: MAX_INT64 };
  t.same((await store.labelValues({ ...range, label: 'job' })).values, ['api', 'web']);
  t.same((await store.labelValues({ ...range, label: 'instance', matchers: [{ type: 0, name: 'job', value: 'api' }] })).values, ['a', 'b']);
  t.same((await store.labelValues({ ...range, label: 'cluster' })).values, ['eu']);
  t.same((await store.labelValues({ ...range, label: 'replica', without_replica_labels: ['replica'] })).values, []);
  t.same((await store.labelNames(range)).names, ['__name__', 'cluster', 'instance', 'job', 'replica']);
  t.same((await store.labelNames({ ...range, without_replica_labels: ['replica'] })).names, ['__name__', 'cluster', 'instance', 'job']);
  t.same((await store.labelNames({ start: '0', end: '1000' })).names, ['__name__', 'cluster', 'instance', 'job', 'replica'], 'only A has data in [0, 1000]');
  t.same((await store.labelValues({ start: '4000000', end: '5000000', label: 'job' })).values, [], 'no data after 3735000');
});
