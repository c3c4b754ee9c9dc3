// The shipper against a running Prometheus 2.42 (Debian): promtool blocks copied into its data dir (peers.md §1,
// min = max block duration 2h), shipped from that dir while Prometheus writes wal/, chunks_head/ and
// queries.active (2.42 as run here leaves no `lock` file), with the external labels the sidecar read from
// Prometheus's config, to a FILESYSTEM bucket and to the GCS test server (the real @google-cloud/storage client).
// Then a promfed store over each bucket must answer as the sidecar did (issue 6 item 5), and the sample count
// must be what was generated.
// Finally a Prometheus with default flags (max-block-duration computed: 1d12h) must draw the duration warning.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStore, type RunningStore } from '../../src/cli/store.js';
import type { RunningQuery } from '../../src/cli/query.js';
import { createBucket, FilesystemBucket, parseObjstoreConfig, type Bucket } from '../../src/objstore/index.js';
import { PrometheusHttp } from '../../src/sidecar/index.js';
import { checkBlockDurations, fetchBlockDurations, startShipper, type ShipperActor, type SyncResult } from '../../src/sidecar/shipper/index.js';
import { MAX_TIME_DEFAULT, MIN_TIME_DEFAULT } from '../../src/store/index.js';
import { isULID, parseMeta } from '../../src/tsdb/index.js';
import { needBinary } from '../helpers/peers.js';
import { createBlocks, freePort, removeDir, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { api, querier } from '../helpers/querier.js';
import { GcsTestServer } from '../helpers/gcs-server.js';
import { generateSeries, T0, toOpenMetrics } from '../sidecar/fixture-data.js';
import { startFakeSidecar, type FakeSidecar } from '../sidecar/sidecar-fixture.js';

const H = 3_600_000;
const END = T0 + 4 * H - 15_000; // two 2 h blocks, no 1 ms tail block
const INSTANCES = 4;

const prometheus = needBinary(t, 'prometheus');
const promtool = prometheus && needBinary(t, 'promtool');

if (prometheus && promtool) {
  const cleanup: (() => Promise<void> | void)[] = [];
  t.teardown(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  /** A fresh bucket of each kind; `objects()` lists what landed in it (names, sorted). */
  const buckets: Record<string, () => Promise<{ bucket: () => Bucket; objects: () => Promise<string[]> }>> = {
    FILESYSTEM: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'promfed-shipper-bucket-'));
      cleanup.push(() => removeDir(dir));
      return { bucket: () => new FilesystemBucket(dir), objects: async () => readdirSync(dir).sort() };
    },
    GCS: async () => {
      const server = await GcsTestServer.start({ buckets: ['blocks'] });
      cleanup.push(() => server.close());
      const bucket = () => createBucket(parseObjstoreConfig(`type: GCS\nconfig:\n  bucket: blocks\n  endpoint: ${server.endpoint}\n`));
      return { bucket, objects: async () => (await bucket().list('')).map((n) => n.replace(/\/$/, '')).sort() };
    },
  };

  for (const kind of Object.keys(buckets)) t.test(`ships the blocks of a running Prometheus to ${kind}; promfed store over the bucket answers as the sidecar`, async (t) => {
    const series = generateSeries({ instances: INSTANCES, end: END });
    const blocksDir = await createBlocks(promtool, toOpenMetrics(series));
    cleanup.push(() => removeDir(blocksDir));
    const ids = readdirSync(blocksDir).filter(isULID).sort();
    const prom: RunningPrometheus = await startPrometheus({ binary: prometheus, config: 'global:\n  external_labels: {cluster: c1, replica: r0}\n', blocks: [blocksDir] });
    cleanup.push(() => removeDir(prom.dir), () => prom.stop());
    const sidecar: FakeSidecar = await startFakeSidecar(prom.url);
    cleanup.push(() => sidecar.stop());

    const target = await buckets[kind]();
    const storeDataDir = mkdtempSync(join(tmpdir(), 'promfed-shipper-store-'));
    cleanup.push(() => removeDir(storeDataDir));
    const results: SyncResult[] = [];
    const logs: string[] = [];
    const log = (level: string) => (o: object, m: string) => logs.push(`${level} ${m} ${JSON.stringify(o)}`);
    const actor: ShipperActor = startShipper({
      tsdbPath: prom.dataDir,
      bucket: target.bucket(),
      externalLabels: () => sidecar.metadata.externalLabels(),
      prometheus: new PrometheusHttp(prom.url),
      intervalMs: 200,
      log: { info: log('info'), warn: log('warn'), error: log('error'), debug() {} },
      onSync: (r) => results.push(r),
    });
    const running = actor.run();
    cleanup.push(async () => {
      actor.stop();
      await running;
    });
    for (let i = 0; i < 200 && !results.some((r) => r.uploaded.length + r.foundInBucket.length > 0 && r.error === undefined); i++) await new Promise((r) => setTimeout(r, 50));
    const shipped = results.flatMap((r) => r.uploaded).sort();
    t.same(shipped, ids, "promtool's two blocks shipped from Prometheus's data dir");
    for (const f of ['wal', 'chunks_head', 'queries.active']) t.ok(existsSync(join(prom.dataDir, f)), `Prometheus's ${f} was there, and ignored`);
    t.same(await target.objects(), ids, 'nothing but the blocks in the bucket');
    for (const id of ids) {
      const meta = parseMeta(await target.bucket().get(`${id}/meta.json`));
      t.same(meta.thanos?.labels, { cluster: 'c1', replica: 'r0' }, `${id}: external labels from Prometheus's config`);
    }
    t.notMatch(logs.join('\n'), /block-duration|2h is recommended/, 'no duration warning for 2h/2h');
    t.notMatch(logs.join('\n'), /^error/m);

    const store: RunningStore = await startStore({
      dataDir: storeDataDir,
      bucket: target.bucket(),
      grpcAddress: '127.0.0.1:0',
      httpAddress: '127.0.0.1:0',
      indexCacheBytes: 64 * 2 ** 20,
      chunkPoolBytes: 256 * 2 ** 20,
      syncIntervalMs: 3 * 60_000,
      minTime: MIN_TIME_DEFAULT,
      maxTime: MAX_TIME_DEFAULT,
      relabel: [],
      seriesMaxConcurrency: 20,
      logLevel: 'info',
      log: false,
    });
    cleanup.push(() => store.stop());
    for (let i = 0; i < 100 && !store.store.blocks.ready; i++) await new Promise((r) => setTimeout(r, 50));
    const viaSidecar: RunningQuery = await querier({ endpoints: [sidecar.running.grpcAddress] });
    const viaStore: RunningQuery = await querier({ endpoints: [store.grpcAddress] });
    cleanup.push(() => viaSidecar.stop(), () => viaStore.stop());

    const range = { start: String((T0 + 7_000) / 1000), end: String((END + 7_000) / 1000), step: '97' };
    for (const query of ['sc_temperature', 'rate(sc_requests_total[5m])', 'sum by (code) (increase(sc_requests_total[1h]))']) {
      const a = await api(viaSidecar.httpAddress, '/api/v1/query_range', { query, ...range });
      const b = await api(viaStore.httpAddress, '/api/v1/query_range', { query, ...range });
      t.equal(a.body.status, 'success', `${query} via sidecar`);
      t.ok(a.body.data.result.length > 0, `${query}: not empty`);
      t.same(b.body, a.body, `${query}: the store over the shipped blocks answers as the sidecar`);
    }
    const count = await api(viaStore.httpAddress, '/api/v1/query', { query: 'sum(count_over_time({__name__=~"sc_.*"}[5h]))', time: String(END / 1000) });
    t.equal(count.body.data.result[0]?.value[1], String(series.reduce((n, s) => n + s.ts.length, 0)), 'every generated sample is in the bucket');
  });

  t.test("a Prometheus with default block flags (max computed as 1d12h) draws the compaction warning", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'promfed-prom-default-'));
    cleanup.push(() => removeDir(dir));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'p.yml'), 'global: {}\n');
    const port = await freePort();
    const child = spawn(prometheus, [`--config.file=${join(dir, 'p.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    cleanup.push(async () => {
      if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
      await exited;
    });
    const http = new PrometheusHttp(`http://127.0.0.1:${port}`, { timeoutMs: 1000 });
    let durations;
    for (let i = 0; i < 100 && durations === undefined; i++) {
      durations = await fetchBlockDurations(http).catch(() => undefined);
      if (durations === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    http.close();
    t.same(durations, { minMs: 2 * H, maxMs: 36 * H }, 'Prometheus 2.42: max-block-duration = 10% of the 15d retention');
    const warnings = checkBlockDurations(durations!);
    t.equal(warnings.length, 1);
    t.match(warnings[0], /min-block-duration=2h and --storage\.tsdb\.max-block-duration=1d12h: compaction must be disabled/);
  });
}
