// Exemplars end to end: two real Prometheus replicas (Debian 2.42, `--enable-feature=exemplar-storage`) scrape
// one OpenMetrics target whose counter carries an exemplar that changes every 2 s, each behind a promfed
// sidecar, both behind a promfed querier deduplicating on `replica`. The expected answer is built from the two
// Prometheus servers' own /api/v1/query_exemplars answers (external labels added, replica label dropped,
// exemplars of both replicas merged): nothing is compared with our own output.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { needBinary } from '../helpers/peers.js';
import { removeDir, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { api, querier } from '../helpers/querier.js';
import { startFakeSidecar, type FakeSidecar } from '../sidecar/sidecar-fixture.js';

const prometheus = needBinary(t, 'prometheus');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface PromExemplars {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

if (prometheus) {
  t.test('exemplars through sidecars and the querier are both replicas’ exemplars, merged', async (t) => {
    const target = http.createServer((_req, res) => {
      const slot = Math.floor(Date.now() / 2000);
      res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' }).end(
        '# HELP ex_requests Requests.\n# TYPE ex_requests counter\n' +
          `ex_requests_total{path="/a"} ${slot} # {trace_id="t${slot}"} 0.25 ${(slot * 2).toFixed(3)}\n` +
          `ex_requests_total{path="/b"} ${slot} # {trace_id="b${slot}",span_id="s"} 1.5 ${(slot * 2 + 1).toFixed(3)}\n# EOF\n`,
      );
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const targetAddr = `127.0.0.1:${(target.address() as AddressInfo).port}`;
    const proms: RunningPrometheus[] = [];
    const sidecars: FakeSidecar[] = [];
    t.teardown(async () => {
      for (const s of sidecars) await s.stop();
      for (const p of proms) {
        await p.stop();
        removeDir(p.dir);
      }
      target.close();
    });
    for (const replica of ['r0', 'r1']) {
      const config = `global:\n  scrape_interval: 1s\n  external_labels: {cluster: ex, replica: ${replica}}\nscrape_configs:\n  - job_name: ex\n    static_configs: [{targets: ['${targetAddr}']}]\n`;
      const p = await startPrometheus({ binary: prometheus, config, extraArgs: ['--enable-feature=exemplar-storage'] });
      proms.push(p);
      sidecars.push(await startFakeSidecar(p.url));
    }
    const q = await querier({ endpoints: sidecars.map((s) => s.running.grpcAddress), replicaLabels: ['replica'] });
    t.teardown(() => q.stop());

    const start = Date.now() / 1000 - 600;
    const own = async (p: RunningPrometheus, end: number): Promise<PromExemplars[]> => {
      const r = await fetch(`${p.url}/api/v1/query_exemplars?query=ex_requests_total&start=${start}&end=${end}`);
      return ((await r.json()) as { data: PromExemplars[] }).data;
    };
    // Both replicas scraping, with a few exemplars each.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const now = Date.now() / 1000;
      const counts = await Promise.all(proms.map(async (p) => (await own(p, now)).reduce((n, s) => n + s.exemplars.length, 0)));
      if (counts.every((n) => n >= 6)) break;
      if (Date.now() > deadline) throw new Error(`replicas have ${counts.join(', ')} exemplars`);
      await sleep(500);
    }
    // A fixed end in the past, so later scrapes do not change the answers being compared.
    const end = Date.now() / 1000 - 1;
    const answers = await Promise.all(proms.map((p) => own(p, end)));
    const want = new Map<string, { seriesLabels: Record<string, string>; exemplars: Map<string, PromExemplars['exemplars'][number]> }>();
    for (const answer of answers) {
      for (const s of answer) {
        const seriesLabels = { ...s.seriesLabels, cluster: 'ex' };
        const key = JSON.stringify(Object.entries(seriesLabels).sort());
        const entry = want.get(key) ?? { seriesLabels, exemplars: new Map() };
        for (const e of s.exemplars) entry.exemplars.set(JSON.stringify([e.timestamp, e.value, Object.entries(e.labels).sort()]), e);
        want.set(key, entry);
      }
    }
    const expected = [...want.values()]
      .sort((a, b) => (a.seriesLabels.path < b.seriesLabels.path ? -1 : 1))
      .map((s) => ({ seriesLabels: s.seriesLabels, exemplars: [...s.exemplars.values()].sort((a, b) => a.timestamp - b.timestamp) }));
    const viaSidecarEach = answers.map((a) => a.reduce((n, s) => n + s.exemplars.length, 0));
    t.ok(viaSidecarEach.every((n) => n > 0), `each replica has exemplars (${viaSidecarEach.join(', ')})`);

    const got = await api(q.httpAddress, '/api/v1/query_exemplars', { query: 'ex_requests_total', start: String(start), end: String(end) });
    t.equal(got.status, 200);
    t.same(got.body.data, expected, 'the merged answer: both replicas’ exemplars, once each, by time, external labels on, replica off');
    // A global querier over this one: the exemplars pass through our querier's own Exemplars API.
    const top = await querier({ endpoints: [q.grpcAddress], replicaLabels: ['replica'] });
    t.teardown(() => top.stop());
    const viaTop = await api(top.httpAddress, '/api/v1/query_exemplars', { query: 'ex_requests_total', start: String(start), end: String(end) });
    t.same(viaTop.body.data, expected, 'a querier on top answers the same');
    const post = await api(q.httpAddress, '/api/v1/query_exemplars', { query: 'rate(ex_requests_total{cluster="ex", path="/b"}[5m])', start: String(start), end: String(end) }, 'POST');
    t.same(post.body.data, expected.filter((s) => s.seriesLabels.path === '/b'), 'POST; an external-label matcher settled by the sidecars, a selector inside a function');
    const none = await api(q.httpAddress, '/api/v1/query_exemplars', { query: 'ex_requests_total{cluster="elsewhere"}', start: String(start), end: String(end) });
    t.same([none.status, none.body.data], [200, []], 'a selector no sidecar can match: nothing, and no error');
    const bad = await api(q.httpAddress, '/api/v1/query_exemplars', { query: 'ex_requests_total{', start: String(start), end: String(end) });
    t.same([bad.status, bad.body.errorType], [400, 'bad_data'], 'a query that does not parse');
  });
}
