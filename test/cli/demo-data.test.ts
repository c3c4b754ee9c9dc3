// The demo's generated HA data, checked against the generator's documented parameters (DEMO) and
// against facts any Prometheus data of this kind obeys — never against a snapshot of its own output.
import t from 'tap';
import { isStaleNaN, type Labels } from '../../src/model/index.js';
import type { Series } from '../../src/storage/index.js';
import { DEMO, generateDemoData, type DemoData } from '../../src/cli/demo-data.js';

const NOW = Date.UTC(2025, 10, 21, 17, 3, 27, 123); // deliberately not aligned to the scrape interval
const t0 = performance.now();
const data = generateDemoData({ now: NOW, seed: 7 });
const genMs = performance.now() - t0;
const [A, B] = data.replicas;
const IV = DEMO.scrapeIntervalMs;
const J = DEMO.maxJitterMs;

const isCounter = (l: Labels): boolean => /(_total|_bucket|_count|_sum)$/.test(l.metricName());
const isRestarted = (l: Labels): boolean => l.get('job') === DEMO.restart.job && l.get('instance') === DEMO.restart.instance;
const byKey = (d: DemoData, i: number): Map<string, Series> => new Map(d.replicas[i].db.allSeries().map((s) => [s.labels.key(), s]));

t.comment(`generated ${data.series} series, ${A.samples} + ${B.samples} samples in ${genMs.toFixed(0)} ms`);

t.test('two replicas, external labels {cluster="demo", replica}, same series, sizes as planned', async (t) => {
  t.same(
    data.replicas.map((r) => r.externalLabels.toObject()),
    [
      { cluster: 'demo', replica: 'A' },
      { cluster: 'demo', replica: 'B' },
    ],
  );
  // Per api instance: 2 process gauges + /users (4 codes + 12 buckets + sum + count) + /orders (3 + 14) + /healthz (1 + 14) = 52;
  // per web instance: 2 + 3 handlers × (2 + 14) = 50; per node: 2 + 4 CPUs × 8 modes = 34; plus `up` per target.
  const want = 3 * 52 + 2 * 50 + 3 * 34 + 8;
  t.equal(data.series, want);
  t.equal(B.db.seriesCount, want);
  t.same([...byKey(data, 0).keys()], [...byKey(data, 1).keys()], 'same series in both replicas');
  for (const r of data.replicas) {
    let n = 0;
    for (const s of r.db.allSeries()) n += s.timestamps.length;
    t.equal(r.samples, n, `${r.name}: samples counted`);
    // At most one sample per series per scrape over 6 h; the gap removes 40 (A) or 60 (B) scrapes.
    t.ok(n <= want * (DEMO.durationMs / IV + 1), `${r.name}: ${n} samples`);
    t.ok(n >= want * (DEMO.durationMs / IV - 61) - 300, `${r.name}: ${n} samples`);
  }
});

t.test('deterministic for a seed and now; another seed gives other values on the same series', async (t) => {
  const again = generateDemoData({ now: NOW, seed: 7 });
  const other = generateDemoData({ now: NOW, seed: 8 });
  for (let r = 0; r < 2; r++) {
    const a = data.replicas[r].db.allSeries();
    const b = again.replicas[r].db.allSeries();
    t.equal(a.length, b.length);
    let same = true;
    for (let i = 0; i < a.length && same; i++) {
      same = a[i].labels.equals(b[i].labels) && Buffer.from(a[i].timestamps.buffer, a[i].timestamps.byteOffset, a[i].timestamps.byteLength).equals(Buffer.from(b[i].timestamps.buffer, b[i].timestamps.byteOffset, b[i].timestamps.byteLength)) && Buffer.from(a[i].values.buffer, a[i].values.byteOffset, a[i].values.byteLength).equals(Buffer.from(b[i].values.buffer, b[i].values.byteOffset, b[i].values.byteLength));
    }
    t.ok(same, `replica ${data.replicas[r].name}: bit-identical`);
    const o = other.replicas[r].db.allSeries();
    t.same(o.map((s) => s.labels.key()), a.map((s) => s.labels.key()), 'same series for another seed');
    t.notSame(o[0].timestamps[0], a[0].timestamps[0], 'other scrape phases for another seed');
  }
});

t.test('every series: samples inside [now - 6h, now], one per scrape interval ± jitter, none in its replica gap', async (t) => {
  for (const r of data.replicas) {
    const other = data.replicas.find((x) => x !== r)!;
    t.equal(r.gap.endMs - r.gap.startMs, DEMO.replicas.find((x) => x.name === r.name)!.gap.durationMs);
    const otherByKey = byKey(data, data.replicas.indexOf(other));
    let problems = 0;
    for (const s of r.db.allSeries()) {
      const ts = s.timestamps;
      const name = `${r.name} ${s.labels.toString()}`;
      if (ts[0] < NOW - DEMO.durationMs || ts[ts.length - 1] > NOW) problems++, t.fail(`${name}: outside the window`);
      if (ts[0] > NOW - DEMO.durationMs + IV + 2 * J || ts[ts.length - 1] < NOW - IV - 2 * J) problems++, t.fail(`${name}: does not cover the window`);
      let gapSeen = false;
      for (let i = 1; i < ts.length; i++) {
        const d = ts[i] - ts[i - 1];
        if (ts[i] > r.gap.startMs && ts[i - 1] < r.gap.endMs) {
          // The one step across the gap: from the last scrape before it to the first after it.
          gapSeen = true;
          if (ts[i - 1] < r.gap.startMs - IV - 2 * J || ts[i] >= r.gap.endMs + IV + 2 * J) problems++, t.fail(`${name}: gap edges ${ts[i - 1]}..${ts[i]}`);
          continue;
        }
        if (isRestarted(s.labels) && s.labels.metricName() !== 'up' && ts[i] >= data.restartDown.startMs && ts[i - 1] < data.restartDown.endMs) {
          // A failed scrape has only `up`: at most the down time plus a scrape interval between samples.
          if (d > DEMO.restart.downMs + IV + 2 * J) problems++, t.fail(`${name}: restart hole ${d} ms`);
          continue;
        }
        if (d < IV - 2 * J || d > IV + 2 * J) problems++, t.fail(`${name}: step ${d} ms at ${ts[i]}`);
      }
      if (!gapSeen) problems++, t.fail(`${name}: no gap`);
      const o = otherByKey.get(s.labels.key())!;
      const inOurGap = o.timestamps.filter((x) => x >= r.gap.startMs && x < r.gap.endMs).length;
      if (inOurGap < Math.floor((r.gap.endMs - r.gap.startMs) / IV) - 1) problems++, t.fail(`${name}: the other replica does not fill this gap`);
    }
    t.equal(problems, 0, `replica ${r.name}: scrape grid, window and gap as documented`);
  }
});

t.test('replicas agree: both sample the same counters, so merged in time order they never decrease', async (t) => {
  const bByKey = byKey(data, 1);
  let checked = 0;
  let problems = 0;
  for (const a of A.db.allSeries()) {
    if (!isCounter(a.labels) || isRestarted(a.labels)) continue;
    const b = bByKey.get(a.labels.key())!;
    const merged: [number, number][] = [];
    for (const s of [a, b]) for (let i = 0; i < s.timestamps.length; i++) merged.push([s.timestamps[i], s.values[i]]);
    merged.sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < merged.length; i++) {
      if (merged[i][1] < merged[i - 1][1]) {
        problems++;
        t.fail(`${a.labels.toString()}: ${merged[i - 1]} then ${merged[i]}`);
        break;
      }
    }
    checked++;
  }
  t.equal(problems, 0);
  // 36 http_requests_total + 15 histograms × 14 + 96 node_cpu_seconds_total, minus the restarted target's 50.
  t.equal(checked, 36 + 15 * 14 + 96 - 50, 'counter series checked');
  // Different scrape phases per replica: the replicas' timestamps are not the same.
  const upA = A.db.allSeries().find((s) => s.labels.metricName() === 'up')!;
  const upB = bByKey.get(upA.labels.key())!;
  t.not(upA.timestamps[0], upB.timestamps[0]);
});

t.test('counters never decrease, except on the restarted target, across its documented down time', async (t) => {
  for (const r of data.replicas) {
    let problems = 0;
    let restartedCounters = 0;
    for (const s of r.db.allSeries()) {
      const restarted = isRestarted(s.labels);
      const name = `${r.name} ${s.labels.toString()}`;
      let stale = 0;
      for (let i = 0; i < s.values.length; i++) {
        if (!Number.isNaN(s.values[i])) continue;
        stale++;
        if (!isStaleNaN(s.values[i])) problems++, t.fail(`${name}: a NaN that is not the staleness marker`);
        if (s.timestamps[i] < data.restartDown.startMs || s.timestamps[i] >= data.restartDown.endMs) problems++, t.fail(`${name}: stale outside the down time`);
      }
      const wantStale = restarted && s.labels.metricName() !== 'up' ? 1 : 0;
      if (stale !== wantStale) problems++, t.fail(`${name}: ${stale} staleness markers, want ${wantStale}`);
      if (!isCounter(s.labels)) continue;
      let prev = -Infinity;
      let prevT = 0;
      for (let i = 0; i < s.values.length; i++) {
        const v = s.values[i];
        if (Number.isNaN(v)) continue;
        const acrossDown = prevT < data.restartDown.startMs && s.timestamps[i] >= data.restartDown.endMs;
        if (restarted && acrossDown) {
          // The new process counts from 0: never above the old value; strictly below for request counts, which
          // are thousands before the restart and one scrape interval's worth after it.
          restartedCounters++;
          const mustDrop = /_total$|_count$/.test(s.labels.metricName());
          if (v > prev || (mustDrop && v >= prev)) problems++, t.fail(`${name}: ${prev} → ${v} across the restart`);
        } else if (v < prev) problems++, t.fail(`${name}: ${prev} → ${v} at ${s.timestamps[i]}`);
        prev = v;
        prevT = s.timestamps[i];
      }
    }
    t.equal(problems, 0, `replica ${r.name}: counters monotonic, staleness only at the restart`);
    // The restarted api instance: http_requests_total (4 + 3 + 1 codes) and 3 histograms × (12 buckets + sum + count).
    t.equal(restartedCounters, 8 + 3 * 14, `replica ${r.name}: every counter of the restarted target crosses the restart`);
    const up = r.db.allSeries().find((s) => s.labels.metricName() === 'up' && isRestarted(s.labels))!;
    const zeros = [...up.timestamps].filter((_, i) => up.values[i] === 0);
    t.ok(zeros.length >= 1 && zeros.every((x) => x >= data.restartDown.startMs && x < data.restartDown.endMs), `replica ${r.name}: up = 0 only while down`);
    t.equal(zeros.length, [...up.timestamps].filter((x) => x >= data.restartDown.startMs && x < data.restartDown.endMs).length, 'up = 0 at every scrape while down');
    const starts = r.db.allSeries().find((s) => s.labels.metricName() === 'process_start_time_seconds' && isRestarted(s.labels))!;
    t.equal(starts.values[starts.values.length - 1], data.restartDown.endMs / 1000, 'a new process start time after the restart');
  }
});

t.test('classic histograms: buckets cumulative in le order, +Inf = _count, mean latency _sum/_count in (0, largest finite bound]', async (t) => {
  for (const r of data.replicas) {
    const groups = new Map<string, Series[]>();
    for (const s of r.db.allSeries()) {
      if (s.labels.metricName() !== 'http_request_duration_seconds_bucket') continue;
      const k = s.labels.drop(['le']).key();
      groups.set(k, [...(groups.get(k) ?? []), s]);
    }
    t.equal(groups.size, 3 * 3 + 2 * 3, `replica ${r.name}: one histogram per instance and handler`);
    const all = byKey(data, data.replicas.indexOf(r));
    let problems = 0;
    for (const buckets of groups.values()) {
      const les = buckets.map((b) => b.labels.get('le'));
      t.same(les.slice().sort(), DEMO.histogramBuckets.map((le) => (le === Infinity ? '+Inf' : String(le))).sort(), 'the documented buckets');
      buckets.sort((x, y) => Number(x.labels.get('le').replace('+Inf', 'Infinity')) - Number(y.labels.get('le').replace('+Inf', 'Infinity')));
      const base = buckets[0].labels.drop(['le']);
      const count = all.get(base.builder().set('__name__', 'http_request_duration_seconds_count').labels().key())!;
      const sum = all.get(base.builder().set('__name__', 'http_request_duration_seconds_sum').labels().key())!;
      for (let i = 0; i < count.values.length; i++) {
        if (isStaleNaN(count.values[i])) continue;
        for (let b = 1; b < buckets.length; b++) {
          if (buckets[b].timestamps[i] !== count.timestamps[i]) problems++;
          if (buckets[b].values[i] < buckets[b - 1].values[i]) problems++;
        }
        if (buckets[buckets.length - 1].values[i] !== count.values[i]) problems++;
        const c = count.values[i];
        if (c > 0 && (sum.values[i] / c <= 0 || sum.values[i] / c > 10)) problems++;
      }
    }
    t.equal(problems, 0, `replica ${r.name}: histogram invariants hold at every scrape`);
  }
});

t.test('node_cpu_seconds_total: per CPU, all modes together advance by the wall-clock time', async (t) => {
  const cpus = new Map<string, Series[]>();
  for (const s of A.db.allSeries()) {
    if (s.labels.metricName() !== 'node_cpu_seconds_total') continue;
    const k = `${s.labels.get('instance')}/${s.labels.get('cpu')}`;
    cpus.set(k, [...(cpus.get(k) ?? []), s]);
  }
  t.equal(cpus.size, 3 * DEMO.cpusPerNode);
  for (const [k, modes] of cpus) {
    t.same(modes.map((m) => m.labels.get('mode')).sort(), [...DEMO.cpuModes].sort(), `${k}: the documented modes`);
    const ts = modes[0].timestamps;
    const last = ts.length - 1;
    const total = (i: number): number => modes.reduce((acc, m) => acc + m.values[i], 0);
    // Each mode is floored to 1/100 s (ticks), so the sum lags by less than 8 × 0.01 s.
    t.ok(Math.abs(total(last) - total(0) - (ts[last] - ts[0]) / 1000) < 0.08 + 1e-6, `${k}: ${total(last) - total(0)} s of CPU over ${(ts[last] - ts[0]) / 1000} s`);
  }
});
