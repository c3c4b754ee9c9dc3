import t from 'tap';
import { Labels } from '../../src/model/index.js';
import { MemoryStorage } from '../../src/storage/index.js';
import { memoryStoreApi, startGrpcServer } from '../../src/storeapi/index.js';
import { QUERY_DEFAULTS, startQuery } from '../../src/cli/query.js';
import { api } from '../helpers/querier.js';
import { replicaData, startStack } from '../api/e2e-fixture.js';

// Thanos's request parameters and endpoints on a real querier over two replicas (thanos.md §3.2-3.3).
// replica_marker is 1 in replica A and 2 in B, so the answer shows which replicas were read.

type Vector = { metric: Record<string, string>; value: [number, string] }[];
const byReplica = (v: Vector) => [...v].sort((x, y) => (x.metric.replica ?? '').localeCompare(y.metric.replica ?? ''));

t.test('dedup, replicaLabels[], storeMatch[]', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const q = (params: Record<string, string | string[]>) => api(stack.base, '/api/v1/query', { query: 'replica_marker', time: '1800', ...params });

  const deduped = await q({});
  t.equal(deduped.body.data.result.length, 1, 'dedup (default): one series');
  t.same(deduped.body.data.result[0].metric, { __name__: 'replica_marker', cluster: 'c1' }, 'replica label removed');
  t.ok(['1', '2'].includes(deduped.body.data.result[0].value[1]));

  const raw = await q({ dedup: 'false' });
  t.same(byReplica(raw.body.data.result), [
    { metric: { __name__: 'replica_marker', cluster: 'c1', replica: 'A' }, value: [1800, '1'] },
    { metric: { __name__: 'replica_marker', cluster: 'c1', replica: 'B' }, value: [1800, '2'] },
  ], 'dedup=false: both replicas, labelled');

  // replicaLabels[] replaces the flag: dedup by `cluster` keeps the replicas apart (their `replica` differs).
  const byCluster = await q({ 'replicaLabels[]': 'cluster' });
  t.same(byReplica(byCluster.body.data.result), [
    { metric: { __name__: 'replica_marker', replica: 'A' }, value: [1800, '1'] },
    { metric: { __name__: 'replica_marker', replica: 'B' }, value: [1800, '2'] },
  ], 'replicaLabels[]=cluster: cluster removed, replica kept');
  const both = await q({ 'replicaLabels[]': ['cluster', 'replica'] });
  t.same(both.body.data.result.map((s: Vector[number]) => s.metric), [{ __name__: 'replica_marker' }]);

  // storeMatch[] restricts the stores by __address__: only A answers.
  const onlyA = await q({ dedup: 'false', 'storeMatch[]': `{__address__="${stack.a.address}"}` });
  t.same(onlyA.body.data.result, [{ metric: { __name__: 'replica_marker', cluster: 'c1', replica: 'A' }, value: [1800, '1'] }]);
  const onlyB = await q({ 'storeMatch[]': `{__address__=~".*:${stack.b.port}"}` });
  t.same(onlyB.body.data.result, [{ metric: { __name__: 'replica_marker', cluster: 'c1' }, value: [1800, '2'] }], 'regex on __address__');
  const eitherSet = await q({ dedup: 'false', 'storeMatch[]': [`{__address__="${stack.a.address}"}`, `{__address__="${stack.b.address}"}`] });
  t.equal(eitherSet.body.data.result.length, 2, 'several storeMatch[] sets are ORed');
  const noStore = await q({ 'storeMatch[]': '{__address__="nowhere:1"}' });
  t.equal(noStore.status, 200);
  t.same(noStore.body.data.result, [], 'no store matched: empty');
  t.same(noStore.body.warnings, ['No StoreAPIs matched for this query'], 'and says why, as Thanos does');

  // The same parameters on /series and range queries.
  const series = await api(stack.base, '/api/v1/series', { 'match[]': 'replica_marker', dedup: 'false', start: '0', end: '3600' });
  t.same(series.body.data.map((m: Record<string, string>) => m.replica).sort(), ['A', 'B']);
  const rangeA = await api(stack.base, '/api/v1/query_range', { query: 'replica_marker', start: '0', end: '60', step: '30', 'storeMatch[]': `{__address__="${stack.a.address}"}` });
  t.same(rangeA.body.data.result[0].values, [[0, '1'], [30, '1'], [60, '1']]);
});

t.test('lookback_delta and stats', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  // The data ends at 3600 s; at 3700 s the newest sample is 100 s old.
  const at3700 = (params: Record<string, string>) => api(stack.base, '/api/v1/query', { query: 'temperature_celsius', time: '3700', ...params });
  t.equal((await at3700({})).body.data.result.length, 2, 'default 5m lookback reaches back 100 s');
  t.equal((await at3700({ lookback_delta: '1m' })).body.data.result.length, 0, '1m does not');
  t.equal((await at3700({ lookback_delta: '101' })).body.data.result.length, 2, '101 s (float seconds) does');
  t.equal((await at3700({ lookback_delta: '100s' })).body.data.result.length, 0, 'exactly 100 s does not: the window is left-open');

  const noStats = await api(stack.base, '/api/v1/query', { query: 'temperature_celsius', time: '1800' });
  t.notOk('stats' in noStats.body.data, 'no stats unless asked');
  const stats = await api(stack.base, '/api/v1/query', { query: 'temperature_celsius', time: '1800', stats: 'all' });
  t.equal(stats.status, 200);
  // One sample per series at one step: 2 queryable samples (Prometheus counts loaded samples per step).
  t.equal(stats.body.data.stats.samples.totalQueryableSamples, 2);
  t.type(stats.body.data.stats.samples.peakSamples, 'number');
  // Timings as Prometheus names them, in seconds; the total covers queueing and evaluation.
  const tm = stats.body.data.stats.timings;
  t.ok(tm.evalTotalTime > 0 && tm.execQueueTime >= 0, JSON.stringify(tm));
  t.ok(Math.abs(tm.execTotalTime - (tm.evalTotalTime + tm.execQueueTime)) < 1e-9, 'execTotalTime = queue + eval');
  t.ok(tm.execTotalTime < 10, 'seconds, not milliseconds');
  const rangeStats = await api(stack.base, '/api/v1/query_range', { query: 'temperature_celsius', start: '0', end: '150', step: '15', stats: 'all' });
  t.equal(rangeStats.body.data.stats.samples.totalQueryableSamples, 22, '2 series x 11 steps');
});

t.test('partial_response when a store is down', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  await stack.b.stop(0); // still listed and queryable until the next endpoint round (5 s)

  const partial = await api(stack.base, '/api/v1/query', { query: 'replica_marker', time: '1800', dedup: 'false' });
  t.equal(partial.status, 200);
  t.same(partial.body.data.result, [{ metric: { __name__: 'replica_marker', cluster: 'c1', replica: 'A' }, value: [1800, '1'] }]);
  t.match(partial.body.warnings?.join('\n'), new RegExp(stack.b.address.replace(/\./g, '\\.')), 'a warning names the failed store');

  const strict = await api(stack.base, '/api/v1/query', { query: 'replica_marker', time: '1800', partial_response: 'false' });
  t.equal(strict.body.status, 'error');
  t.ok(strict.status >= 500 && strict.status < 600, `5xx, got ${strict.status}`);
  t.match(strict.body.error, new RegExp(stack.b.address.replace(/\./g, '\\.')));

  const strictSeries = await api(stack.base, '/api/v1/series', { 'match[]': 'replica_marker', partial_response: 'false' });
  t.equal(strictSeries.body.status, 'error', '/series honours partial_response=false too');
});

t.test('/api/v1/stores: keyed by component type, Thanos fields', async (t) => {
  const stack = await startStack();
  const store = await startGrpcServer('127.0.0.1:0', memoryStoreApi(replicaData('A'), { componentType: 'store', externalLabels: Labels.from({ cluster: 'c2' }) }));
  const q = await (await import('../helpers/querier.js')).querier({ endpoints: [stack.a.address, stack.b.address, store.address], replicaLabels: ['replica'] });
  t.teardown(async () => {
    await q.stop();
    await store.stop(0);
    await stack.stop();
  });
  const r = await api(q.httpAddress, '/api/v1/stores', {});
  t.equal(r.status, 200);
  t.same(Object.keys(r.body.data).sort(), ['sidecar', 'store']);
  const sidecars = [...r.body.data.sidecar].sort((x: { name: string }, y: { name: string }) => x.name.localeCompare(y.name));
  const expected = [stack.a, stack.b]
    .map((s, i) => ({ name: s.address, replica: i === 0 ? 'A' : 'B' }))
    .sort((x, y) => x.name.localeCompare(y.name));
  t.equal(sidecars.length, 2);
  for (const [i, s] of sidecars.entries()) {
    t.equal(s.name, expected[i].name);
    t.equal(s.lastError, null);
    t.match(s.lastCheck, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    t.same(s.labelSets, [{ cluster: 'c1', replica: expected[i].replica }]);
    t.equal(s.minTime, 0, 'first sample at 0 ms');
    t.equal(s.maxTime, 3600000, 'last sample at 3600 s');
  }
  t.same(r.body.data.store.map((s: { name: string; labelSets: unknown }) => [s.name, s.labelSets]), [[store.address, [{ cluster: 'c2' }]]]);
});

t.test('/-/ready is 503 until the first endpoint round has finished; /-/healthy is 200 throughout', async (t) => {
  // An endpoint whose Info answers only when we say so holds the first round open.
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const base = memoryStoreApi(new MemoryStorage(), { componentType: 'sidecar', externalLabels: Labels.from({ replica: 'A' }) });
  const slow = await startGrpcServer('127.0.0.1:0', {
    store: base.store,
    info: { info: async (ctx) => (await gate, base.info.info(ctx)) },
  });
  const q = await startQuery({ ...QUERY_DEFAULTS, httpAddress: '127.0.0.1:0', grpcAddress: '127.0.0.1:0', log: false, endpoints: [slow.address] });
  t.teardown(async () => {
    release();
    await q.stop();
    await slow.stop(0);
  });
  const ready = async () => {
    const res = await fetch(`http://${q.httpAddress}/-/ready`);
    return { status: res.status, text: await res.text() };
  };
  t.same(await ready(), { status: 503, text: 'NOT OK' });
  const healthy = await fetch(`http://${q.httpAddress}/-/healthy`);
  t.equal(healthy.status, 200);
  release();
  const deadline = Date.now() + 10_000;
  let last = await ready();
  while (last.status !== 200 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    last = await ready();
  }
  t.same(last, { status: 200, text: 'OK' });
});

t.test('/metrics: query counts and latency, endpoint health, fan-out sizes', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  await api(stack.base, '/api/v1/query', { query: 'replica_marker', time: '1800' });
  await api(stack.base, '/api/v1/query', { query: 'replica_marker', time: '1800' });
  await api(stack.base, '/api/v1/query_range', { query: 'replica_marker', start: '0', end: '60', step: '15' });
  await api(stack.base, '/api/v1/query', { query: 'replica_marker / on() replica_marker', time: '1800', dedup: 'false' });
  const res = await fetch(`http://${stack.base}/metrics`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^text\/plain/);
  const text = await res.text();
  const value = (line: string) => {
    const m = new RegExp('^' + line.replace(/[{}()[\].*+?^$|\\]/g, '\\$&') + ' (\\S+)$', 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  t.equal(value('promfed_query_requests_total{kind="instant",outcome="success"}'), 2);
  t.equal(value('promfed_query_requests_total{kind="range",outcome="success"}'), 1);
  t.equal(value('promfed_query_requests_total{kind="instant",outcome="error"}'), 1, 'the many-to-many error');
  t.equal(value('promfed_query_duration_seconds_count{kind="instant"}'), 3);
  t.equal(value('promfed_query_endpoints{state="healthy"}'), 2);
  t.equal(value('promfed_query_endpoints{state="unhealthy"}'), 0);
  t.ok((value('promfed_query_fanout_stores_count') ?? 0) >= 4, 'every select observed');
});

t.test('CORS: headers by default and on preflight, none with cors disabled', async (t) => {
  const on = await startStack();
  const off = await startStack({ cors: false });
  t.teardown(async () => {
    await on.stop();
    await off.stop();
  });
  const get = await fetch(`http://${on.base}/api/v1/query?query=1&time=1`, { headers: { Origin: 'http://grafana.example' } });
  t.equal(get.headers.get('access-control-allow-origin'), '*');
  t.match(get.headers.get('access-control-allow-methods'), /GET/);
  const err = await fetch(`http://${on.base}/api/v1/query?query=(`, { headers: { Origin: 'http://grafana.example' } });
  t.equal(err.status, 400);
  t.equal(err.headers.get('access-control-allow-origin'), '*', 'errors carry CORS headers too (else the browser hides the message)');
  const preflight = await fetch(`http://${on.base}/api/v1/query_range`, {
    method: 'OPTIONS',
    headers: { Origin: 'http://grafana.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
  });
  t.ok(preflight.status === 204 || preflight.status === 200, `preflight ${preflight.status}`);
  t.match(preflight.headers.get('access-control-allow-methods'), /POST/);
  t.match(preflight.headers.get('access-control-allow-headers'), /Content-Type/i);

  const plain = await fetch(`http://${off.base}/api/v1/query?query=1&time=1`, { headers: { Origin: 'http://grafana.example' } });
  t.equal(plain.status, 200);
  for (const h of ['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers']) t.equal(plain.headers.get(h), null, h);
});
