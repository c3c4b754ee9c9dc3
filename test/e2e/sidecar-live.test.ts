// A live HA pair: two real Prometheus replicas scrape the same target every second, each with a promfed
// sidecar, behind a promfed querier deduplicating on `replica`. Replica r0 is stopped for 6 s and started
// again on its data dir (its scraping resumes a few seconds later still: Prometheus's scrape manager starts
// up to ~5 s after the process). With a 3 s lookback a single replica shows that hole; the deduplicated answer must
// not (the penalty skips at most two 1 s intervals after a switch, thanos.md §2.5/§2.8).
import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { needBinary } from '../helpers/peers.js';
import { removeDir, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { api, querier } from '../helpers/querier.js';
import { startFakeSidecar, type FakeSidecar } from '../sidecar/sidecar-fixture.js';

const prometheus = needBinary(t, 'prometheus');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

if (prometheus) {
  t.test('a replica down for 6 s leaves no hole in the deduplicated answer', async (t) => {
    // The scrape target: a gauge whose value is the scrape's second, the same whichever replica asks.
    const target = http.createServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
        .end(
          `# HELP live_seconds The second of the scrape.\n# TYPE live_seconds gauge\nlive_seconds ${Math.floor(Date.now() / 1000)}\n` +
            '# HELP live_scrapes_total Scrapes answered.\n# TYPE live_scrapes_total counter\nlive_scrapes_total 1\n',
        );
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const targetAddr = `127.0.0.1:${(target.address() as AddressInfo).port}`;
    const config = (replica: string): string =>
      `global:\n  scrape_interval: 1s\n  external_labels: {cluster: live, replica: ${replica}}\n` +
      `scrape_configs:\n  - job_name: live\n    static_configs: [{targets: ['${targetAddr}']}]\n`;

    const proms: Record<string, RunningPrometheus> = {};
    const sidecars: FakeSidecar[] = [];
    t.teardown(async () => {
      for (const s of sidecars) await s.stop();
      for (const p of Object.values(proms)) {
        await p.stop();
        removeDir(p.dir);
      }
      target.closeAllConnections();
      target.close();
    });
    for (const r of ['r0', 'r1']) {
      proms[r] = await startPrometheus({ binary: prometheus, config: config(r) });
      sidecars.push(await startFakeSidecar(proms[r].url));
    }
    const q = await querier({ endpoints: sidecars.map((s) => s.running.grpcAddress), replicaLabels: ['replica'], lookbackDeltaMs: 3000 });
    t.teardown(() => q.stop());

    // Prometheus's scrape manager starts scraping up to ~5 s after start-up: wait for a fresh sample.
    const scraping = async (replica: string): Promise<void> => {
      const deadline = Date.now() + 30_000;
      const since = Date.now() / 1000;
      for (;;) {
        const r = await api(q.httpAddress, '/api/v1/query', { query: `timestamp(live_seconds{replica="${replica}"})`, time: String(Date.now() / 1000), dedup: 'false' });
        if (r.body.status === 'success' && Number(r.body.data.result[0]?.value[1]) > since) return;
        if (Date.now() > deadline) throw new Error(`${replica} is not scraping`);
        await sleep(250);
      }
    };
    await scraping('r0');
    await scraping('r1');

    // Metric metadata through the sidecars' Metadata API and the querier: what Prometheus itself answers, the
    // replicas' equal metas collapsed into one.
    const own = await (await fetch(`${proms.r1.url}/api/v1/metadata`)).json();
    t.ok(own.data.live_seconds && own.data.live_scrapes_total, 'Prometheus knows both metrics');
    const merged = await api(q.httpAddress, '/api/v1/metadata', {});
    t.same(merged.body.data, own.data, 'the querier answers /api/v1/metadata as Prometheus does');
    const one = await api(q.httpAddress, '/api/v1/metadata', { metric: 'live_scrapes_total' });
    t.same(one.body.data, { live_scrapes_total: own.data.live_scrapes_total }, 'metric=');
    const limited = await api(q.httpAddress, '/api/v1/metadata', { limit: '1' });
    const names = Object.keys(limited.body.data);
    t.equal(names.length, 1, 'limit=1: one metric');
    t.same(limited.body.data[names[0]], own.data[names[0]]);
    t.same((await api(q.httpAddress, '/api/v1/metadata', { limit: '0' })).body.data, {}, 'limit=0: none, as Prometheus');

    const start = Date.now();
    await sleep(4000);
    const r0 = proms.r0;
    await r0.stop();
    const downAt = Date.now();
    await sleep(6000);
    proms.r0 = await startPrometheus({ binary: prometheus, config: config('r0'), dataDir: r0.dataDir, port: r0.port });
    removeDir(r0.dir);
    await scraping('r0');
    const upAt = Date.now();
    await sleep(4000);

    // Whole seconds from the start (both replicas scraping) to 2 s ago (the last scrape is in).
    const from = Math.ceil(start / 1000);
    const to = Math.floor((Date.now() - 2000) / 1000);
    const range = { query: 'live_seconds', start: String(from), end: String(to), step: '1' };
    const single = await api(q.httpAddress, '/api/v1/query_range', { ...range, query: 'live_seconds{replica="r0"}', dedup: 'false' });
    const points = (single.body.data.result[0]?.values ?? []).map((v: [number, string]) => v[0]);
    const missing = [];
    for (let s = from; s <= to; s++) if (!points.includes(s)) missing.push(s);
    t.ok(missing.length >= 2, `r0 alone has a hole while it was down (${missing.length} missing steps, not scraping for ${((upAt - downAt) / 1000).toFixed(1)} s)`);

    const dedup = await api(q.httpAddress, '/api/v1/query_range', range);
    t.equal(dedup.body.status, 'success');
    t.equal(dedup.body.data.result.length, 1, 'one series after dedup');
    const got = dedup.body.data.result[0].values as [number, string][];
    t.same(
      got.map((v) => v[0]),
      Array.from({ length: to - from + 1 }, (_, i) => from + i),
      'a point at every step',
    );
    // Each value is a scrape's second: never in the future, never older than the 3 s lookback.
    for (const [s, v] of got) if (!(Number(v) <= s && Number(v) >= s - 3)) t.fail(`at ${s}: value ${v} outside [${s - 3}, ${s}]`);
  });
}
