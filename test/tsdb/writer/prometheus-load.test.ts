// Real-tool check: the Debian Prometheus 2.42 opens a data directory holding two of our 2 h blocks (one with
// a thanos section in meta.json) and answers queries from them. Evaluation times sit between samples, where
// Prometheus 2 and 3 agree; expected answers come from the generated input, not from our writer.
// The staleness marker is checked by its effect: a step whose latest sample is the marker has no point at
// all (an ordinary NaN would show as "NaN"), and count_over_time skips markers.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needBinary } from '../../helpers/peers.js';
import { isStaleNaN } from '../../../src/model/index.js';
import { writeBlock, type BlockSeries } from '../../../src/tsdb/writer/index.js';
import { BLOCK, STALE_AT, STEP, T0, generateSeries, sameFloat } from './fixtures.js';

const LOOKBACK = 300_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

interface PromResult {
  metric: Record<string, string>;
  values?: [number, string][];
  value?: [number, string];
}

/** Prometheus's JSON sample value text: NaN, +Inf, -Inf or a decimal. */
function promValue(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return s === 'NaN' ? NaN : Number(s);
}

/** What an instant selector returns at t: the latest sample in (t − 5m, t], none if it is a staleness marker. */
function expectedAt(s: BlockSeries, t: number): number | undefined {
  let lo = 0;
  let hi = s.timestamps.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.timestamps[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  const i = lo - 1;
  if (i < 0 || s.timestamps[i]! <= t - LOOKBACK || isStaleNaN(s.values[i]!)) return undefined;
  return s.values[i]!;
}

t.test('Prometheus serves our blocks', async (t) => {
  const prometheus = needBinary(t, 'prometheus');
  if (!prometheus) return;
  const dir = mkdtempSync(join(tmpdir(), 'promfed-writer-prom-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'data');
  writeBlock(data, generateSeries(9, T0, T0 + BLOCK));
  writeBlock(data, generateSeries(9, T0 + BLOCK, T0 + 2 * BLOCK), { thanos: { labels: { cluster: 'c1' }, source: 'sidecar' } });
  const full = generateSeries(9); // the same samples, not split at the block boundary
  writeFileSync(join(dir, 'p.yml'), 'global: {}\n');

  const port = await freePort();
  const proc = spawn(
    prometheus,
    [
      `--config.file=${join(dir, 'p.yml')}`,
      `--storage.tsdb.path=${data}`,
      '--storage.tsdb.retention.time=100y',
      '--storage.tsdb.min-block-duration=2h',
      '--storage.tsdb.max-block-duration=2h',
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  proc.stderr!.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-20000)));
  t.teardown(async () => {
    if (proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (proc.exitCode === null) proc.kill('SIGKILL');
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`prometheus did not become ready:\n${log}`);
    const ok = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.equal((log.match(/Found healthy block/g) ?? []).length, 2, 'both blocks load as healthy');

  const api = async (path: string, params: Record<string, string>): Promise<PromResult[]> => {
    const r = await fetch(`${url}${path}`, { method: 'POST', body: new URLSearchParams(params) });
    const body = (await r.json()) as { status: string; error?: string; data: { result: PromResult[] } };
    if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${body.error}`);
    return body.data.result;
  };

  // Every series except the 300 pods, evaluated every 15 s across both blocks, 7 s after the grid the
  // samples are jittered around (0–2 s late): always between samples.
  const start = T0 + 7_000;
  const end = T0 + 2 * BLOCK;
  const selector = '{__name__=~"temperature|city_info|http_requests_total|quoted|deploy_marker|sparse"}';
  const got = await api('/api/v1/query_range', { query: selector, start: String(start / 1000), end: String(end / 1000), step: '15' });
  const byKey = new Map(got.map((r) => [JSON.stringify(r.metric), r]));
  const wanted = full.filter((s) => /^(temperature|city_info|http_requests_total|quoted|deploy_marker|sparse)$/.test(s.labels.metricName()));
  t.equal(got.length, wanted.length, `${wanted.length} series come back`);
  let points = 0;
  let bad = 0;
  for (const s of wanted) {
    const r = byKey.get(JSON.stringify(s.labels.toObject()));
    if (!r) {
      t.fail(`missing series ${s.labels.toString()}`);
      continue;
    }
    const gotAt = new Map(r.values!.map(([ts, v]) => [Math.round(ts * 1000), v]));
    for (let at = start; at <= end; at += STEP) {
      const want = expectedAt(s, at);
      const v = gotAt.get(at);
      if (want === undefined ? v !== undefined : v === undefined || !sameFloat(promValue(v), want)) {
        if (bad++ < 5) t.fail(`${s.labels.toString()} @${at}: Prometheus ${v}, expected ${want}`);
      }
      if (v !== undefined) points++;
    }
    if (gotAt.size !== [...gotAt.keys()].filter((k) => k >= start && k <= end).length) t.fail('points outside the range');
  }
  t.equal(bad, 0, `all ${points} points as written, NaN and ±Inf included`);

  // The marker itself: the step after it has no point, the step before shows the previous value.
  const stale = full.find((s) => s.labels.get('room') === 'stale')!;
  const staleGot = new Map(byKey.get(JSON.stringify(stale.labels.toObject()))!.values!.map(([ts, v]) => [Math.round(ts * 1000), v]));
  for (const m of STALE_AT) {
    const tm = stale.timestamps[m]!;
    t.ok(isStaleNaN(stale.values[m]!), `input sample ${m} is the staleness marker`);
    const after = start + Math.ceil((tm - start) / STEP) * STEP;
    t.ok(after < stale.timestamps[m + 1]!, 'a step falls between the marker and the next sample');
    t.equal(staleGot.get(after), undefined, `no point at the step after the marker at ${tm} (block ${tm < T0 + BLOCK ? 1 : 2})`);
    t.equal(staleGot.get(after - STEP), String(stale.values[m - 1]), 'the step before shows the previous sample');
  }

  // Left-open 4 h window over both blocks: every sample counted once; staleness markers skipped.
  const at = T0 + 2 * BLOCK - 1;
  const counts = await api('/api/v1/query', { query: 'count_over_time({__name__=~"kube_pod_info|temperature"}[4h])', time: String(at / 1000) });
  t.equal(counts.length, 302, '300 pods and 2 temperatures');
  let countBad = 0;
  for (const r of counts) {
    const s = full.find((x) => (x.labels.get('pod') || x.labels.get('room')) === (r.metric.pod || r.metric.room))!;
    let n = 0;
    for (let i = 0; i < s.timestamps.length; i++) if (s.timestamps[i]! > at - 2 * BLOCK && s.timestamps[i]! <= at && !isStaleNaN(s.values[i]!)) n++;
    if (Number(r.value![1]) !== n && countBad++ < 5) t.fail(`${JSON.stringify(r.metric)}: count ${r.value![1]}, expected ${n}`);
  }
  t.equal(countBad, 0, 'count_over_time matches the written sample counts');

  // Postings lookups by value go through the postings offset table, which must be in UTF-8 byte order.
  for (const city of ['😀 smile', '\uFFFD replacement', '東京', 'Zürich']) {
    // PromQL rejects a literal U+FFFD ("invalid UTF-8 rune"), so that one goes in escaped.
    const r = await api('/api/v1/query', { query: `city_info{city=${JSON.stringify(city).replace('\uFFFD', '\\uFFFD')}}`, time: String((T0 + BLOCK + 7_000) / 1000) });
    const s = full.find((x) => x.labels.get('city') === city)!;
    t.same(r.map((x) => [x.metric.city, promValue(x.value![1])]), [[city, expectedAt(s, T0 + BLOCK + 7_000)]], `city_info{city=${JSON.stringify(city)}}`);
  }
  const values = await fetch(`${url}/api/v1/label/city/values?start=${T0 / 1000}&end=${end / 1000}`).then((r) => r.json() as Promise<{ data: string[] }>);
  t.same(values.data, ['São Paulo', 'Zürich', 'ascii', '東京', '\uFFFD replacement', '😀 smile'], 'label values in Go string order');
});
