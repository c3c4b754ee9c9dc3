/**
 * `promfed demo` — what `npm start` runs: the querier on :10902 over two in-process store-memory replicas of
 * generated HA data (replica label `replica`, each replica with a gap where the other has data), so
 * deduplication is visible from the first query. Nothing to install, nothing to configure.
 */
import type { Command } from 'commander';
import { runActors } from './actors.js';
import { DEMO, generateDemoData } from './demo-data.js';
import { httpFlags } from './flags.js';
import { QUERY_DEFAULTS, startQuery } from './query.js';
import { startStoreMemory } from './store-memory.js';

export function registerDemo(program: Command): void {
  const cmd = program.command('demo').description('run the querier over two generated HA replicas (what `npm start` runs)');
  httpFlags(cmd, '0.0.0.0:10902');
  cmd.action(async (opts: { httpAddress: string }) => {
    const started = Date.now();
    const data = generateDemoData({ now: Date.now() });
    const stores = await Promise.all(
      data.replicas.map((r) => startStoreMemory({ db: r.db, externalLabels: r.externalLabels, grpcAddress: '127.0.0.1:0', componentType: 'sidecar' })),
    );
    const q = await startQuery({
      ...QUERY_DEFAULTS,
      httpAddress: opts.httpAddress,
      grpcAddress: '127.0.0.1:0',
      endpoints: stores.map((s) => s.address),
      replicaLabels: [DEMO.replicaLabel],
      log: false,
    });
    await q.endpoints.update();
    const port = q.httpAddress.split(':').pop();
    const url = `http://localhost:${port}`;
    const [a, b] = data.replicas;
    const gapAt = (g: { startMs: number; endMs: number }): string =>
      `${new Date(g.startMs).toISOString().slice(11, 16)}–${new Date(g.endMs).toISOString().slice(11, 16)} UTC`;
    process.stdout.write(
      [
        `promfed demo: querier listening on ${url} (ready in ${Date.now() - started} ms)`,
        `  two HA replicas of cluster="${DEMO.cluster}": ${data.series} series each, ${a.samples + b.samples} samples, last 6 h at 15 s`,
        `  replica A has no data ${gapAt(a.gap)}, replica B none ${gapAt(b.gap)}; deduplicated (replica label "${DEMO.replicaLabel}") neither gap shows`,
        '',
        'Try it:',
        // -G with --data-urlencode: curl would take the [5m] of a literal URL for one of its globs and fail.
        `  curl -sG '${url}/api/v1/query' --data-urlencode 'query=sum by (job) (rate(http_requests_total[5m]))'`,
        `  curl -s '${url}/api/v1/query?query=up&dedup=false'          # both replicas, replica label kept`,
        `  curl -s '${url}/api/v1/stores'`,
        '',
        'Add it to Grafana: Connections → Data sources → Add → Prometheus,',
        `  Prometheus server URL = ${url}   (HTTP method POST works; "Save & test" runs 1+1)`,
        `  Thanos parameters go in "Custom query parameters", e.g. dedup=false or partial_response=false.`,
        '',
        'Ctrl-C stops it.',
        '',
      ].join('\n'),
    );
    await runActors(
      [
        { name: 'query', run: () => q.wait, stop: () => q.stop() },
        ...stores.map((s, i) => ({ name: `store ${i}`, run: () => new Promise<void>(() => undefined), stop: () => s.stop(1000) })),
      ],
      { signals: ['SIGINT', 'SIGTERM'] },
    );
  });
}
