// The sidecar against real Prometheus 2.42 (Debian): data written by promtool into TSDB blocks, served by
// two Prometheus replicas (external labels {cluster, replica}) with 20-minute holes in different places,
// read through two promfed sidecars and a promfed querier. Expected values come from the generated data
// (fixture-data.ts), which is exactly what Prometheus parsed; nothing is compared with our own output.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { decodeXORAlloc } from '../../src/chunkenc/index.js';
import { Labels } from '../../src/model/index.js';
import type { ProtoSeries, SeriesRequest } from '../../src/storeapi/index.js';
import { needBinary } from '../helpers/peers.js';
import { createBlocks, removeDir, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { api, querier } from '../helpers/querier.js';
import { generateSeries, T0, toOpenMetrics, type GenSeries } from '../sidecar/fixture-data.js';
import { startFakeSidecar, type FakeSidecar } from '../sidecar/sidecar-fixture.js';

const H = 3_600_000;
const M = 60_000;
const END = T0 + 4 * H - 15_000; // two 2 h blocks, no 1 ms tail block
const GAPS: Record<string, [number, number][]> = { r0: [[T0 + H, T0 + H + 20 * M]], r1: [[T0 + 2.5 * H, T0 + 2.5 * H + 20 * M]] };
const INSTANCES = 5; // 15 series per replica

const prometheus = needBinary(t, 'prometheus');
const promtool = prometheus && needBinary(t, 'promtool');

if (prometheus && promtool) {
  const data: Record<string, GenSeries[]> = {};
  const proms: RunningPrometheus[] = [];
  const sidecars: Record<string, FakeSidecar> = {};
  const dirs: string[] = [];

  t.before(async () => {
    for (const replica of ['r0', 'r1']) {
      data[replica] = generateSeries({ instances: INSTANCES, end: END, gaps: GAPS[replica] });
      const blocks = await createBlocks(promtool, toOpenMetrics(data[replica]));
      dirs.push(blocks);
      const p = await startPrometheus({ binary: prometheus, config: `global:\n  external_labels: {cluster: c1, replica: ${replica}}\n`, blocks: [blocks] });
      proms.push(p);
      dirs.push(p.dir);
      sidecars[replica] = await startFakeSidecar(p.url);
    }
  });
  t.teardown(async () => {
    for (const s of Object.values(sidecars)) await s.stop();
    for (const p of proms) await p.stop();
    for (const d of dirs) removeDir(d);
  });

  async function series(sc: FakeSidecar, req: Partial<SeriesRequest>): Promise<ProtoSeries[]> {
    const out: ProtoSeries[] = [];
    for await (const f of sc.store.series({ min_time: String(T0), max_time: String(END), response_batch_size: '64', ...req })) {
      if (f.result === 'series') out.push(f.series);
      else if (f.result === 'batch') out.push(...f.batch.series);
    }
    return out;
  }
  const labelsOf = (s: ProtoSeries): Labels => Labels.from(s.labels.map((l) => [l.name, l.value] as const));
  const expectedLabels = (g: GenSeries, extra: Record<string, string>): string => Labels.from({ ...g.labels, ...extra }).toString();
  const ALL = [{ type: 2, name: '__name__', value: 'sc_.*' }];

  t.test('Info: external labels and the lowest timestamp of the blocks', async (t) => {
    const info = await sidecars.r0.info.info();
    t.same(info.label_sets[0].labels, [{ name: 'cluster', value: 'c1' }, { name: 'replica', value: 'r0' }]);
    t.equal(info.store?.min_time, String(T0 + 15_000), 'first sample of the data');
  });

  t.test('Series: every sample promtool wrote comes back exactly, with the external labels', async (t) => {
    const got = await series(sidecars.r0, { matchers: ALL });
    const want = [...data.r0].sort((a, b) => Labels.compare(Labels.from(a.labels), Labels.from(b.labels)));
    t.same(got.map((s) => labelsOf(s).toString()), want.map((g) => expectedLabels(g, { cluster: 'c1', replica: 'r0' })), 'labels, sorted');
    for (let i = 0; i < want.length; i++) {
      const ts: number[] = [];
      const vs: number[] = [];
      for (const c of got[i].chunks) {
        t.equal(c.raw?.type, 0, 'XOR');
        const d = decodeXORAlloc(c.raw!.data);
        t.equal(Number(c.min_time), d.timestamps[0]);
        t.equal(Number(c.max_time), d.timestamps[d.timestamps.length - 1]);
        ts.push(...d.timestamps);
        vs.push(...d.values);
      }
      t.same(ts, want[i].ts, `timestamps of ${expectedLabels(want[i], {})}`);
      t.same(vs, want[i].vs, `values of ${expectedLabels(want[i], {})}`);
    }
  });

  t.test('Series: a time range and an external-label matcher; skip_chunks; without_replica_labels', async (t) => {
    const from = T0 + 10 * M;
    const to = T0 + 20 * M;
    const got = await series(sidecars.r1, { matchers: [{ type: 0, name: '__name__', value: 'sc_temperature' }, { type: 0, name: 'replica', value: 'r1' }], min_time: String(from), max_time: String(to) });
    t.equal(got.length, INSTANCES);
    // Chunks may reach outside the range (the engine trims); every sample in range must be there.
    const d = got[0].chunks.flatMap((c) => [...decodeXORAlloc(c.raw!.data).timestamps]).filter((x) => x >= from && x <= to);
    t.equal(d.length, 41, '10 minutes at 15 s, both ends included');
    t.same(await series(sidecars.r1, { matchers: [{ type: 0, name: '__name__', value: 'sc_temperature' }, { type: 0, name: 'replica', value: 'r0' }] }), []);

    const skip = await series(sidecars.r0, { matchers: ALL, skip_chunks: true });
    t.same(skip.map((s) => labelsOf(s).toString()), (await series(sidecars.r0, { matchers: ALL })).map((s) => labelsOf(s).toString()));
    t.ok(skip.every((s) => s.chunks.length === 0));

    const noReplica = await series(sidecars.r0, { matchers: ALL, without_replica_labels: ['replica'] });
    const names = noReplica.map((s) => labelsOf(s));
    t.ok(names.every((l) => !l.has('replica') && l.get('cluster') === 'c1'));
    t.same(names.map(String), [...names].sort(Labels.compare).map(String), 'sorted');
  });

  t.test('Series: long matchers (a remote-read request past 256 and 65 536 bytes) read the same series', async (t) => {
    // The request body is one snappy literal whose length takes 1, 2 or 3 bytes after the tag by size:
    // Prometheus must read each form. An alternation of names that do not exist pads the regex.
    const want = (await series(sidecars.r0, { matchers: [{ type: 0, name: '__name__', value: 'sc_temperature' }] })).map((s) => labelsOf(s).toString());
    t.equal(want.length, INSTANCES);
    for (const pad of [300, 70_000]) {
      const value = `sc_temperature|${'x'.repeat(pad)}`;
      const got = await series(sidecars.r0, { matchers: [{ type: 2, name: '__name__', value }] });
      t.same(got.map((s) => labelsOf(s).toString()), want, `regex of ${value.length} characters`);
    }
  });

  t.test('48 Series at once, a third dropped mid-stream: the rest are exact, and the remote-read connections settle', async (t) => {
    const want = data.r0.reduce((n, g) => n + g.ts.length, 0);
    const promPort = proms[0].port;
    // Client sockets to Prometheus on this host (/proc/net/tcp: remote port in hex, state 01 = ESTABLISHED).
    const toPrometheus = (): number =>
      readFileSync('/proc/net/tcp', 'utf8')
        .split('\n')
        .slice(1)
        .filter((l) => {
          const f = l.trim().split(/\s+/);
          return f.length > 3 && parseInt(f[2].split(':')[1], 16) === promPort && f[3] === '01';
        }).length;
    const samples = (ss: ProtoSeries[]): number => ss.reduce((n, s) => n + s.chunks.reduce((m, c) => m + decodeXORAlloc(c.raw!.data).timestamps.length, 0), 0);
    const calls = Array.from({ length: 48 }, async (_, i) => {
      if (i % 3 !== 0) return samples(await series(sidecars.r0, { matchers: ALL }));
      // Read one frame, then walk away: the call is cancelled, and with it the remote read under it.
      const it = sidecars.r0.store.series({ min_time: String(T0), max_time: String(END), matchers: ALL, response_batch_size: '1' });
      await it.next();
      await it.return?.(undefined);
      return -1;
    });
    const got = await Promise.all(calls);
    t.ok(got.every((n) => n === -1 || n === want), `every completed call has all ${want} samples`);
    t.equal(samples(await series(sidecars.r0, { matchers: ALL })), want, 'and the sidecar serves on afterwards');
    // Idle remote-read connections are kept up to 8 (http1/client.ts), the JSON API's agent keeps a few more;
    // what stays must not grow with the calls made.
    let open = toPrometheus();
    for (let i = 0; i < 40 && open > 16; i++) {
      await new Promise((r) => setTimeout(r, 100));
      open = toPrometheus();
    }
    t.ok(open <= 16, `${open} connections to Prometheus stay open after 48 concurrent calls`);
  });

  t.test('LabelNames / LabelValues through Prometheus HTTP API plus external labels', async (t) => {
    const names = await sidecars.r0.store.labelNames({ start: String(T0), end: String(END) });
    t.same(names.names, ['__name__', 'cluster', 'code', 'instance', 'replica']);
    const values = await sidecars.r0.store.labelValues({ label: 'code', start: String(T0), end: String(END), matchers: [{ type: 0, name: '__name__', value: 'sc_requests_total' }] });
    t.same(values.values, ['200', '500']);
  });

  t.test('two replicas through the querier: dedup halves the series and fills each replica hole', async (t) => {
    const q = await querier({ endpoints: [sidecars.r0.running.grpcAddress, sidecars.r1.running.grpcAddress], replicaLabels: ['replica'] });
    t.teardown(() => q.stop());
    const at = String((T0 + 30 * M) / 1000);
    const raw = await api(q.httpAddress, '/api/v1/query', { query: 'sc_requests_total', time: at, dedup: 'false' });
    const dedup = await api(q.httpAddress, '/api/v1/query', { query: 'sc_requests_total', time: at });
    t.equal(raw.body.data.result.length, 4 * INSTANCES, 'both replicas without dedup');
    t.equal(dedup.body.data.result.length, 2 * INSTANCES, 'one per series with dedup');
    const single = data.r0.filter((g) => g.labels.__name__ === 'sc_requests_total').map((g) => expectedLabels(g, { cluster: 'c1' })).sort();
    t.same(dedup.body.data.result.map((r: { metric: Record<string, string> }) => Labels.from(r.metric).toString()).sort(), single);

    // Range over both holes at 1 m steps. Lookback is 5 m, so a single replica shows its 20-minute hole.
    const params = { query: 'sc_temperature', start: String(T0 / 1000), end: String(END / 1000), step: '60' };
    const perReplica = await api(q.httpAddress, '/api/v1/query_range', { ...params, dedup: 'false' });
    const deduped = await api(q.httpAddress, '/api/v1/query_range', params);
    const steps = Math.floor((END - T0) / M); // T0 itself has no sample yet: T0 + 1 m … END
    for (const r of perReplica.body.data.result as { metric: Record<string, string>; values: [number, string][] }[]) {
      t.ok(r.values.length < steps - 10, `${r.metric.replica} ${r.metric.instance} has its hole (${r.values.length} of ${steps} steps)`);
    }
    t.equal(deduped.body.data.result.length, INSTANCES);
    const full = generateSeries({ instances: INSTANCES, end: END });
    for (const r of deduped.body.data.result as { metric: Record<string, string>; values: [number, string][] }[]) {
      t.equal(r.values.length, steps, `${r.metric.instance}: a point at every step, no hole`);
      const g = full.find((x) => x.labels.__name__ === 'sc_temperature' && x.labels.instance === r.metric.instance)!;
      // At a replica switch the penalty may skip up to two samples of the other replica (thanos.md §2.5), so
      // the value at a step is that of one of the last three samples at or before it; elsewhere the last.
      let off = 0;
      for (const [sec, v] of r.values) {
        const tMs = sec * 1000;
        const i = g.ts.findLastIndex((x) => x <= tMs);
        const allowed = [g.vs[i], g.vs[i - 1], g.vs[i - 2]];
        if (Number(v) !== g.vs[i]) off++;
        if (!allowed.includes(Number(v))) t.fail(`${r.metric.instance} at ${sec}: ${v} is none of the last three samples ${allowed.join(', ')}`);
      }
      t.ok(off <= 4, `${r.metric.instance}: ${off} steps take an earlier sample (only around the two switches)`);
    }
  });
}
