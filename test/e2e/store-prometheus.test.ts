// promfed query over promfed store gives the same answers as a real Prometheus (Debian 2.42) serving the
// same promtool-made blocks. Evaluation times fall between samples (7 s past a 15 s grid), where Prometheus 2
// (closed range windows) and 3 (left-open) agree. The store's blocks carry external labels
// {cluster: c1, replica: r0}; the querier drops `replica` as a replica label and `cluster` is removed from
// our results before comparing (Prometheus does not put its external labels into query results).
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { FilesystemBucket } from '../../src/objstore/index.js';
import { MAX_TIME_DEFAULT, MIN_TIME_DEFAULT } from '../../src/store/index.js';
import { startStore, type RunningStore } from '../../src/cli/store.js';
import { needBinary } from '../helpers/peers.js';
import { startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { api, querier } from '../helpers/querier.js';
import type { RunningQuery } from '../../src/cli/query.js';
import { makeFixture, type Fixture, type Group } from '../store/fixture.js';
import { genSeries, T0 } from '../store/promtool-blocks.js';

const H = 3600_000;
const END = T0 + 6 * H - 14_000;
const groups: Group[] = [
  {
    ext: { cluster: 'c1', replica: 'r0' },
    series: [
      ...genSeries({ name: 'demo_gauge', job: 'api', n: 4, from: T0 + 15_000, to: END, stepS: 15 }),
      ...genSeries({ name: 'demo_gauge', job: 'web', n: 2, from: T0 + 15_000, to: END, stepS: 30, seed: 3 }),
      ...genSeries({ name: 'demo_requests_total', job: 'api', n: 3, from: T0 + 15_000, to: END, stepS: 15, seed: 11 }),
    ],
  },
];

const prometheus = needBinary(t, 'prometheus');
const promtool = prometheus && needBinary(t, 'promtool');

interface Sample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

function normalise(result: Sample[], dropCluster: boolean): { key: string; pts: [number, string][] }[] {
  return result
    .map((r) => {
      const m = { ...r.metric };
      if (dropCluster) delete m.cluster;
      return { key: JSON.stringify(Object.entries(m).sort()), pts: r.values ?? (r.value ? [r.value] : []) };
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Same series, same timestamps, values equal to 1e-12 relative: the data path (store → querier) must be
 * exact, but Prometheus 2.42 averages incrementally (mean += (v − mean)/n) where Prometheus 3 sums, so
 * avg_over_time differs in the last bits between the two versions.
 */
function agree(t: Test, ours: Sample[], theirs: Sample[], what: string): void {
  const a = normalise(ours, true);
  const b = normalise(theirs, false);
  t.same(a.map((x) => x.key), b.map((x) => x.key), `${what}: series`);
  let bad = '';
  a.forEach((x, i) => {
    const y = b[i];
    if (!y || x.pts.length !== y.pts.length) return void (bad ||= `${x.key}: ${x.pts.length} points, want ${y?.pts.length}`);
    x.pts.forEach(([ts, v], k) => {
      const [ts2, v2] = y.pts[k]!;
      const p = Number(v);
      const q = Number(v2);
      if (ts !== ts2 || !(v === v2 || Math.abs(p - q) <= 1e-12 * Math.max(Math.abs(p), Math.abs(q)))) bad ||= `${x.key} @${ts}: ${v}, Prometheus ${ts2}: ${v2}`;
    });
  });
  t.equal(bad, '', `${what}: values`);
}

if (prometheus && promtool) {
  let fx: Fixture;
  let prom: RunningPrometheus;
  let store: RunningStore;
  let q: RunningQuery;

  t.before(async () => {
    fx = await makeFixture(promtool, groups);
    prom = await startPrometheus({ binary: prometheus, config: 'global: {}\n', blocks: [fx.bucketDir] });
    store = await startStore({
      dataDir: join(fx.dir, 'data'),
      bucket: new FilesystemBucket(fx.bucketDir),
      grpcAddress: '127.0.0.1:0',
      httpAddress: '127.0.0.1:0',
      indexCacheBytes: 250 * 2 ** 20,
      chunkPoolBytes: 2 * 2 ** 30,
      syncIntervalMs: 3 * 60_000,
      minTime: MIN_TIME_DEFAULT,
      maxTime: MAX_TIME_DEFAULT,
      relabel: [],
      seriesMaxConcurrency: 20,
      logLevel: 'info',
      log: false,
    });
    for (let i = 0; i < 100 && !store.store.blocks.ready; i++) await new Promise((r) => setTimeout(r, 50));
    q = await querier({ endpoints: [store.grpcAddress], replicaLabels: ['replica'] });
  });
  t.teardown(async () => {
    await q?.stop();
    await store?.stop();
    await prom?.stop();
    await fx?.cleanup();
  });

  const at = (ms: number): string => String(ms / 1000);
  const instant: [string, number][] = [
    ['demo_gauge', T0 + H + 7_000],
    ['demo_gauge{job="web"}', T0 + 4 * H + 22_000],
    ['sum by (job) (demo_gauge)', T0 + 3 * H + 7_000],
    ['rate(demo_requests_total[5m])', T0 + 2 * H + 37_000],
    ['increase(demo_requests_total[1h])', T0 + 3 * H + 52_000], // crosses the counter reset and a block boundary
    ['max_over_time(demo_gauge{instance=~"i[12]"}[10m])', T0 + 2 * H + 7_000],
    ['count_over_time(demo_gauge[1h])', T0 + 5 * H + 7_000],
    ['avg by (instance) (demo_gauge)', T0 + 30 * 60_000 + 7_000],
    ['demo_gauge offset 2h', T0 + 5 * H + 7_000],
    ['demo_gauge{instance!~"i0|i1"}', T0 + 4 * H + 7_000],
    ['sum(demo_requests_total) / count(demo_requests_total)', T0 + 5 * H + 59 * 60_000 + 7_000],
  ];

  t.test('instant queries agree with Prometheus', async (t) => {
    for (const [expr, time] of instant) {
      const ours = await api(q.httpAddress, '/api/v1/query', { query: expr, time: at(time) });
      const theirs = await (await fetch(`${prom.url}/api/v1/query?${new URLSearchParams({ query: expr, time: at(time) })}`)).json();
      t.equal(ours.status, 200, expr);
      t.equal(theirs.status, 'success', expr);
      t.ok(theirs.data.result.length > 0, `${expr}: Prometheus has an answer`);
      agree(t, ours.body.data.result, theirs.data.result, expr);
    }
  });

  t.test('range queries agree with Prometheus', async (t) => {
    const ranges: [string, number, number, number][] = [
      ['demo_gauge{job="api"}', T0 + 607_000, END, 60],
      ['rate(demo_requests_total[2m])', T0 + 607_000, END, 120],
      ['sum by (job) (avg_over_time(demo_gauge[30m]))', T0 + 7_000, END, 300],
    ];
    for (const [expr, start, end, step] of ranges) {
      const params = { query: expr, start: at(start), end: at(end), step: String(step) };
      const ours = await api(q.httpAddress, '/api/v1/query_range', params);
      const theirs = await (await fetch(`${prom.url}/api/v1/query_range?${new URLSearchParams(params)}`)).json();
      t.equal(ours.status, 200, expr);
      t.ok(theirs.data.result.length > 0, `${expr}: Prometheus has an answer`);
      agree(t, ours.body.data.result, theirs.data.result, expr);
    }
  });

  t.test('series and label values agree', async (t) => {
    const params = { 'match[]': 'demo_gauge', start: at(T0), end: at(END) };
    const ours = await api(q.httpAddress, '/api/v1/series', params);
    const theirs = await (await fetch(`${prom.url}/api/v1/series?${new URLSearchParams(params)}`)).json();
    agree(t, ours.body.data.map((m: Record<string, string>) => ({ metric: m })), theirs.data.map((m: Record<string, string>) => ({ metric: m })), 'series');
    const lv = await api(q.httpAddress, '/api/v1/label/instance/values', { start: at(T0), end: at(END) });
    const plv = await (await fetch(`${prom.url}/api/v1/label/instance/values?start=${at(T0)}&end=${at(END)}`)).json();
    t.same(lv.body.data, plv.data);
  });
}
