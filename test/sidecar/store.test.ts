// The sidecar's StoreAPI over a fake Prometheus (fake-prometheus.ts), through real gRPC: what it asks
// Prometheus, and what it answers. Chunk bytes are opaque to the sidecar (passed through), so most cases
// use short marker payloads; xxhash64("abc") = 0x44bc2cf5ad770999 is the published test vector.
import t from 'tap';
import { Labels } from '../../src/model/index.js';
import {
  encodeChunkedReadResponse,
  encodeReadResponse,
  MAX_INT64,
  MIN_INT64,
  PromChunkEncoding,
  StoreClient,
  type ChunkedSeries,
  type ProtoSeries,
  type SeriesRequest,
  type SeriesResponse,
} from '../../src/storeapi/index.js';
import snappy from 'snappyjs';
import { decodeXORAlloc } from '../../src/chunkenc/index.js';
import { encodeFrame } from '../../src/sidecar/index.js';
import { fakePrometheus, type FakePrometheus } from './fake-prometheus.js';
import { startFakeSidecar, type FakeSidecar } from './sidecar-fixture.js';

const STREAMED = 'application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse';
const ABC_HASH = BigInt('0x44bc2cf5ad770999').toString();

function series(labels: Record<string, string>, ...payloads: string[]): ChunkedSeries {
  return {
    labels: Object.entries(labels).map(([name, value]) => ({ name, value })),
    chunks: payloads.map((p, i) => ({ min_time_ms: String(i * 1000), max_time_ms: String(i * 1000 + 999), type: PromChunkEncoding.XOR, data: Buffer.from(p) })),
  };
}

function frame(...s: ChunkedSeries[]): Buffer {
  return encodeFrame(encodeChunkedReadResponse({ chunked_series: s, query_index: '0' }));
}

async function collect(store: StoreClient, req: Partial<SeriesRequest>): Promise<{ series: ProtoSeries[]; warnings: string[]; frames: SeriesResponse[] }> {
  const out: ProtoSeries[] = [];
  const warnings: string[] = [];
  const frames: SeriesResponse[] = [];
  for await (const f of store.series({ min_time: '0', max_time: '100000', ...req })) {
    frames.push(f);
    if (f.result === 'series') out.push(f.series);
    else if (f.result === 'batch') out.push(...f.batch.series);
    else if (f.result === 'warning') warnings.push(f.warning);
  }
  return { series: out, warnings, frames };
}

const labelsOf = (s: ProtoSeries): string => Labels.from(s.labels.map((l) => [l.name, l.value] as const)).toString();
const UP = [{ type: 0, name: '__name__', value: 'up' }];

let prom: FakePrometheus;
let sc: FakeSidecar;
t.beforeEach(async () => {
  prom = await fakePrometheus();
  sc = await startFakeSidecar(prom.url);
});
t.afterEach(async () => {
  await sc.stop();
  await prom.close();
});

t.test('external-label matchers are decided locally and not sent; chunks pass through with hash and type − 1', async (t) => {
  prom.read = () => ({ contentType: STREAMED, parts: [frame(series({ __name__: 'up', cluster: 'c1', job: 'j', replica: 'r0' }, 'abc'))] });
  const r = await collect(sc.store, { matchers: [...UP, { type: 0, name: 'cluster', value: 'c1' }, { type: 2, name: 'replica', value: 'r.*' }] });
  t.equal(prom.readRequests.length, 1);
  const q = prom.readRequests[0];
  t.same(q.queries[0].matchers, [{ type: 0, name: '__name__', value: 'up' }], 'only the non-external matcher is sent');
  t.same(q.accepted_response_types, [1, 0], 'STREAMED_XOR_CHUNKS preferred, SAMPLES accepted');
  t.equal(q.queries[0].start_timestamp_ms, '0');
  t.equal(q.queries[0].end_timestamp_ms, '100000');
  t.equal(prom.readHeaders[0]['content-encoding'], 'snappy');
  t.equal(prom.readHeaders[0]['x-prometheus-remote-read-version'], '0.1.0');
  t.equal(r.series.length, 1);
  t.equal(labelsOf(r.series[0]), 'up{cluster="c1", job="j", replica="r0"}');
  const c = r.series[0].chunks[0];
  t.same({ min: c.min_time, max: c.max_time, type: c.raw?.type, data: Buffer.from(c.raw!.data).toString(), hash: c.raw?.hash }, { min: '0', max: '999', type: 0, data: 'abc', hash: ABC_HASH });
});

t.test('a matcher an external label fails answers nothing without asking Prometheus', async (t) => {
  const r = await collect(sc.store, { matchers: [...UP, { type: 0, name: 'cluster', value: 'c2' }] });
  t.same(r.series, []);
  t.equal(prom.readRequests.length, 0);
});

t.test('only external-label matchers: refused, as Thanos does, instead of reading the whole TSDB', async (t) => {
  await t.rejects(collect(sc.store, { matchers: [{ type: 0, name: 'cluster', value: 'c1' }] }), { code: 3, message: /no matchers specified \(excluding external labels\)/ });
});

t.test('external labels win over a series own value; the series is added the ones Prometheus left out', async (t) => {
  // Prometheus keeps a series' own value for an external label name (series precedence); Thanos's sidecar overrides it.
  prom.read = () => ({ contentType: STREAMED, parts: [frame(series({ __name__: 'up', cluster: 'own', job: 'j' }, 'abc'))] });
  const r = await collect(sc.store, { matchers: UP });
  t.equal(labelsOf(r.series[0]), 'up{cluster="c1", job="j", replica="r0"}');
});

t.test('a series split over frames (same labels) is one series with all its chunks, in order', async (t) => {
  const a = { __name__: 'up', cluster: 'c1', job: 'a', replica: 'r0' };
  const b = { __name__: 'up', cluster: 'c1', job: 'b', replica: 'r0' };
  prom.read = () => ({ contentType: STREAMED, parts: [frame(series(a, 'c0')), Buffer.concat([frame(series(a, 'c1', 'c2')), frame(series(b, 'd0'))])] });
  const r = await collect(sc.store, { matchers: UP });
  t.same(r.series.map(labelsOf), ['up{cluster="c1", job="a", replica="r0"}', 'up{cluster="c1", job="b", replica="r0"}']);
  t.same(r.series[0].chunks.map((c) => Buffer.from(c.raw!.data).toString()), ['c0', 'c1', 'c2']);
  t.same(r.warnings, []);
});

t.test('without_replica_labels: the replica label goes and the output is re-sorted', async (t) => {
  // Sent out of order on purpose: the sidecar must buffer and sort when it removes labels.
  prom.read = () => ({
    contentType: STREAMED,
    parts: [frame(series({ __name__: 'up', cluster: 'c1', job: 'z', replica: 'r0' }, 'z'), series({ __name__: 'up', cluster: 'c1', job: 'a', replica: 'r0' }, 'a'))],
  });
  const r = await collect(sc.store, { matchers: UP, without_replica_labels: ['replica', 'job'] });
  // Only external labels are replica labels: `job` stays.
  t.same(r.series.map(labelsOf), ['up{cluster="c1", job="a"}', 'up{cluster="c1", job="z"}']);
});

t.test('response_batch_size > 1 sends batch frames; limit cuts the series', async (t) => {
  const s = ['a', 'b', 'c'].map((job) => series({ __name__: 'up', cluster: 'c1', job, replica: 'r0' }, job));
  prom.read = () => ({ contentType: STREAMED, parts: [frame(...s)] });
  const r = await collect(sc.store, { matchers: UP, response_batch_size: '2' });
  t.same(r.frames.map((f) => (f.result === 'batch' ? f.batch.series.length : f.result)), [2, 1]);
  const l = await collect(sc.store, { matchers: UP, limit: '2' });
  t.same(l.series.map((x) => x.labels.find((y) => y.name === 'job')?.value), ['a', 'b']);
});

t.test('min time: the request start is clamped to the TSDB lowest timestamp', async (t) => {
  prom.metrics = 'prometheus_tsdb_lowest_timestamp_seconds 1.704067215e+09\n';
  await sc.metadata.refresh();
  await collect(sc.store, { matchers: UP, min_time: '0', max_time: MAX_INT64 });
  t.equal(prom.readRequests[0].queries[0].start_timestamp_ms, '1704067215000');
  // A request that ends before the lowest timestamp cannot have data: Prometheus is not asked.
  await collect(sc.store, { matchers: UP, min_time: '0', max_time: '1704067214999' });
  t.equal(prom.readRequests.length, 1);
});

t.test('a corrupt frame, a cut stream and an oversized frame fail that request with a clear error', async (t) => {
  const good = frame(series({ __name__: 'up', job: 'a' }, 'abc'));
  const badCrc = Buffer.from(good);
  badCrc[badCrc.length - 1] ^= 0xff;
  prom.read = () => ({ contentType: STREAMED, parts: [badCrc] });
  await t.rejects(collect(sc.store, { matchers: UP }), { message: /remote read frame 0: CRC32C mismatch/ });
  prom.read = () => ({ contentType: STREAMED, parts: [good, good.subarray(0, 5)], cut: true });
  await t.rejects(collect(sc.store, { matchers: UP }), { message: /remote read: response stream broken: POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/read: connection closed: HTTP response ended inside chunk 2 of its body \(50 body bytes received\)/ });
  prom.read = () => ({ contentType: STREAMED, parts: [good, good.subarray(0, 5)] });
  await t.rejects(collect(sc.store, { matchers: UP }), { message: /remote read response truncated inside frame 1/ });
  prom.read = () => ({ contentType: STREAMED, parts: [Buffer.from([0x81, 0xe1, 0xeb, 0x17])] }); // declares 50,000,001 bytes
  await t.rejects(collect(sc.store, { matchers: UP }), { message: /exceeds the 50000000-byte frame limit/ });
  // The sidecar is still fine afterwards.
  prom.read = () => ({ contentType: STREAMED, parts: [good] });
  t.equal((await collect(sc.store, { matchers: UP })).series.length, 1);
});

t.test('native histogram chunks are a clear UNIMPLEMENTED, not a wrong answer', async (t) => {
  const h = series({ __name__: 'h', job: 'a' }, 'x');
  h.chunks[0].type = PromChunkEncoding.HISTOGRAM;
  prom.read = () => ({ contentType: STREAMED, parts: [frame(h)] });
  await t.rejects(collect(sc.store, { matchers: UP }), { code: 12, message: /native histogram chunks \(remote-read encoding HISTOGRAM\) are not supported/ });
});

t.test('Prometheus errors are passed on with their text', async (t) => {
  prom.read = () => ({ status: 400, contentType: 'text/plain', parts: [Buffer.from('snappy: corrupt input')] });
  await t.rejects(collect(sc.store, { matchers: UP }), { message: /POST \/api\/v1\/read: 400 Bad Request: snappy: corrupt input/ });
  prom.read = () => ({ contentType: 'text/html', parts: [Buffer.from('<html>')] });
  await t.rejects(collect(sc.store, { matchers: UP }), { message: /unexpected response content type "text\/html"/ });
});

t.test('skip_chunks asks /api/v1/series and answers labels only, extended and sorted', async (t) => {
  let params: URLSearchParams | undefined;
  prom.json.set('/api/v1/series', (p) => {
    params = p;
    return [{ __name__: 'up', job: 'z' }, { __name__: 'up', job: 'a' }];
  });
  const r = await collect(sc.store, { matchers: [...UP, { type: 2, name: 'job', value: 'a|z' }, { type: 0, name: 'replica', value: 'r0' }], skip_chunks: true, min_time: '1500', max_time: '90000' });
  t.equal(prom.readRequests.length, 0);
  t.same(params?.getAll('match[]'), ['{__name__="up",job=~"a|z"}']);
  t.equal(params?.get('start'), '1.500');
  t.equal(params?.get('end'), '90');
  t.same(r.series.map(labelsOf), ['up{cluster="c1", job="a", replica="r0"}', 'up{cluster="c1", job="z", replica="r0"}']);
  t.same(r.series.map((s) => s.chunks.length), [0, 0]);
});

t.test('LabelNames and LabelValues: Prometheus HTTP API plus the external labels', async (t) => {
  let labelParams: URLSearchParams | undefined;
  prom.json.set('/api/v1/labels', (p) => {
    labelParams = p;
    return ['__name__', 'job'];
  });
  prom.json.set('/api/v1/label/job/values', () => ['a', 'b']);
  const names = await sc.store.labelNames({ start: '0', end: '5000', matchers: UP });
  t.same(names.names, ['__name__', 'cluster', 'job', 'replica']);
  t.same(labelParams?.getAll('match[]'), ['{__name__="up"}']);
  t.equal(labelParams?.get('end'), '5');
  const noReplica = await sc.store.labelNames({ start: MIN_INT64, end: MAX_INT64, without_replica_labels: ['replica'] });
  t.same(noReplica.names, ['__name__', 'cluster', 'job']);
  t.notOk(labelParams?.has('start'), 'an unbounded start is left to Prometheus');
  t.same((await sc.store.labelValues({ label: 'job', start: '0', end: '5000' })).values, ['a', 'b']);
  t.same((await sc.store.labelValues({ label: 'cluster', start: '0', end: '5000' })).values, ['c1']);
  t.same((await sc.store.labelValues({ label: 'replica', start: '0', end: '5000', without_replica_labels: ['replica'] })).values, []);
  t.same((await sc.store.labelNames({ start: '0', end: '5000', matchers: [{ type: 0, name: 'cluster', value: 'c2' }] })).names, []);
});

t.test('SAMPLES fallback: a plain ReadResponse becomes sorted series of XOR chunks of at most 120 samples', async (t) => {
  // 250 samples at 15 s (b) and 3 samples (a, sent second): Prometheus does not sort a SAMPLES answer.
  const b = Array.from({ length: 250 }, (_, i) => ({ timestamp: String(15_000 * i), value: i * 0.5 }));
  const a = [{ timestamp: '1000', value: 1 }, { timestamp: '2000', value: Number.NaN }, { timestamp: '3000', value: -2.25 }];
  const body = encodeReadResponse({
    results: [{ timeseries: [{ labels: [{ name: '__name__', value: 'up' }, { name: 'job', value: 'b' }], samples: b }, { labels: [{ name: '__name__', value: 'up' }, { name: 'job', value: 'a' }], samples: a }] }],
  });
  prom.read = () => ({ contentType: 'application/x-protobuf', parts: [snappy.compress(body)] });
  const r = await collect(sc.store, { matchers: UP, max_time: '10000000' });
  t.same(r.series.map(labelsOf), ['up{cluster="c1", job="a", replica="r0"}', 'up{cluster="c1", job="b", replica="r0"}']);
  const decoded = r.series.map((s) => s.chunks.map((c) => ({ min: c.min_time, max: c.max_time, ...decodeXORAlloc(c.raw!.data) })));
  t.same(decoded[1].map((c) => c.timestamps.length), [120, 120, 10]);
  t.same(decoded[1].map((c) => [c.min, c.max]), [['0', '1785000'], ['1800000', '3585000'], ['3600000', '3735000']]);
  t.same([...decoded[1].flatMap((c) => [...c.timestamps])], b.map((x) => Number(x.timestamp)));
  t.same([...decoded[1].flatMap((c) => [...c.values])], b.map((x) => x.value));
  t.same([...decoded[0][0].timestamps], [1000, 2000, 3000]);
  t.same([...decoded[0][0].values], [1, Number.NaN, -2.25]);
});

t.test('a series carrying its own value for an external label name lands out of order: a warning says so', async (t) => {
  // Prometheus sorted by the series' own labels: {cluster="a"} < {cluster="c1", job="b"}; with the external
  // cluster="c1" winning the first becomes {cluster="c1", job="z"}, after the second.
  prom.read = () => ({
    contentType: STREAMED,
    parts: [frame(series({ __name__: 'up', cluster: 'a', job: 'z' }, 'x'), series({ __name__: 'up', cluster: 'c1', job: 'b' }, 'y'))],
  });
  const r = await collect(sc.store, { matchers: UP });
  t.equal(r.series.length, 2);
  t.match(r.warnings, [/1 series arrived out of label order after applying external labels/]);
});
