// The shipper's run loop (the sidecar actor): syncs at once and every interval, survives failing rounds,
// retries soon while external labels are unknown, checks Prometheus's block-duration flags, stops cleanly.
import t from 'tap';
import { Registry } from 'prom-client';
import { NOT_READY_RETRY_MS, startShipper, type SyncResult } from '../../../src/sidecar/shipper/index.js';
import { H, RecordingBucket, T0, tempDirs, writeTestBlock } from './fixtures.js';

function recordingLog(): { lines: string[]; info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void; debug(): void } {
  const lines: string[] = [];
  const rec = (level: string) => (o: object, m: string) => lines.push(`${level} ${m} ${JSON.stringify(o)}`);
  return { lines, info: rec('info'), warn: rec('warn'), error: rec('error'), debug() {} };
}

/** Resolves with the first sync result satisfying `pred`. */
function waitForSync(results: SyncResult[], pred: (r: SyncResult) => boolean, timeoutMs = 10_000): Promise<SyncResult> {
  const end = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      const r = results.find(pred);
      if (r) return resolve(r);
      if (Date.now() > end) return reject(new Error(`no matching sync within ${timeoutMs} ms: ${JSON.stringify(results.map((x) => ({ ...x, error: x.error?.message })))}`));
      setTimeout(poll, 10);
    };
    poll();
  });
}

t.test('ships at start and every interval; a failing round is logged and counted, the loop goes on; stop ends run()', async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  const b1 = writeTestBlock(d.tsdb, { start: T0 });
  const bucket = new RecordingBucket(d.bucket);
  const results: SyncResult[] = [];
  const log = recordingLog();
  const registry = new Registry();
  const actor = startShipper({
    tsdbPath: d.tsdb,
    bucket,
    externalLabels: () => ({ cluster: 'c1' }),
    intervalMs: 30,
    registry,
    log,
    onSync: (r) => results.push(r),
  });
  t.equal(actor.name, 'shipper');
  const running = actor.run();
  await waitForSync(results, (r) => r.uploaded.includes(b1.ulid));

  bucket.failUpload = () => true;
  const b2 = writeTestBlock(d.tsdb, { start: T0 + 2 * H });
  await waitForSync(results, (r) => r.error !== undefined);
  await waitForSync(results, (r) => results.filter((x) => x.error).length >= 2 && r.error !== undefined);
  t.match(log.lines.join('\n'), /error shipper sync failed; retrying next round .*injected/);
  const failures = (await registry.getSingleMetric('promfed_shipper_dir_sync_failures_total')!.get()).values[0]!.value;
  t.ok(failures >= 2, `failed rounds counted (${failures})`);

  bucket.failUpload = () => false;
  await waitForSync(results, (r) => r.uploaded.includes(b2.ulid));
  actor.stop();
  await running;
  t.match(log.lines.at(-1), /shipper stopped/);
  t.ok(await d.bucket.exists(`${b2.ulid}/meta.json`));
});

t.test('while external labels are unknown it retries within NOT_READY_RETRY_MS, not the full interval', async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  const b = writeTestBlock(d.tsdb, { start: T0 });
  const results: SyncResult[] = [];
  let calls = 0;
  const started = Date.now();
  const actor = startShipper({
    tsdbPath: d.tsdb,
    bucket: d.bucket,
    externalLabels: () => {
      if (calls++ === 0) throw new Error('Not ready');
      return { cluster: 'c1' };
    },
    intervalMs: 600_000,
    onSync: (r) => results.push(r),
  });
  const running = actor.run();
  await waitForSync(results, (r) => r.uploaded.includes(b.ulid), NOT_READY_RETRY_MS + 5_000);
  t.ok(Date.now() - started < NOT_READY_RETRY_MS + 4_000, 'second round came after the short retry');
  t.equal(results[0]!.notReady, true);
  actor.stop();
  await running;
});

t.test("Prometheus's block-duration flags: checked once, a warning per problem; retried while Prometheus cannot answer", async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  const log = recordingLog();
  const results: SyncResult[] = [];
  let asked = 0;
  const prometheus = {
    async getJson<T>(): Promise<T> {
      if (asked++ === 0) throw new Error('connect ECONNREFUSED');
      return { 'storage.tsdb.min-block-duration': '2h', 'storage.tsdb.max-block-duration': '1d12h' } as T;
    },
  };
  const actor = startShipper({ tsdbPath: d.tsdb, bucket: d.bucket, externalLabels: () => ({ cluster: 'c1' }), intervalMs: 20, prometheus, log, onSync: (r) => results.push(r) });
  const running = actor.run();
  await waitForSync(results, () => results.length >= 4);
  actor.stop();
  await running;
  t.equal(asked, 2, 'asked until it answered, then never again');
  const text = log.lines.join('\n');
  t.match(text, /warn cannot check Prometheus's block-duration flags yet.*ECONNREFUSED/);
  t.match(text, /warn Prometheus has --storage\.tsdb\.min-block-duration=2h and --storage\.tsdb\.max-block-duration=1d12h: compaction must be disabled/);
  t.equal(log.lines.filter((l) => l.includes('compaction must be disabled')).length, 1);
});
