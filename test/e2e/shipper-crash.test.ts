// A real crash mid-upload: a child process runs one shipper sync and SIGKILLs itself right after a block's
// index has landed in the FILESYSTEM bucket — no catch, finally or cleanup runs. Then (thanos.md §5.1, §7.2):
// the bucket holds that block's chunks and index but no meta.json, so a promfed store syncing the bucket loads
// no block; the state file does not list it; a restarted shipper uploads it whole and clears the hard links.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { createBucketStore } from '../../src/store/index.js';
import { STATE_FILENAME, UPLOAD_DIR } from '../../src/sidecar/shipper/index.js';
import { parseMeta } from '../../src/tsdb/index.js';
import { H, T0, filesUnder, tempDirs, writeTestBlock } from '../sidecar/shipper/fixtures.js';

const CHILD = fileURLToPath(new URL('../sidecar/shipper/crash-child.ts', import.meta.url));
const LABELS = JSON.stringify({ cluster: 'c1', replica: 'r0' });

function runChild(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import=tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

t.test('killed after the index upload: no meta.json, the store sees no block; the next run completes it', async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  const b1 = writeTestBlock(d.tsdb, { start: T0, segmentSize: 4096 });
  const b2 = writeTestBlock(d.tsdb, { start: T0 + 2 * H });
  const local = filesUnder(join(d.tsdb, b1.ulid));
  const chunks = [...local.keys()].filter((k) => k.startsWith('chunks/')).sort();

  const crashed = await runChild([d.tsdb, d.bucketDir, `${b1.ulid}/index`, LABELS]);
  t.equal(crashed.signal, 'SIGKILL', `the child died mid-sync (stderr: ${crashed.stderr.slice(-500)})`);
  t.same(
    crashed.stdout.trim().split('\n'),
    [...chunks, 'index'].map((k) => `uploaded ${b1.ulid}/${k}`),
    'it got as far as the index',
  );
  t.same(await d.bucket.list(`${b1.ulid}/`, { recursive: true }), [...chunks, 'index'].map((k) => `${b1.ulid}/${k}`), 'no meta.json');
  t.same(await d.bucket.list(`${b2.ulid}/`, { recursive: true }), []);
  t.notOk(existsSync(join(d.tsdb, STATE_FILENAME)), 'no state written');
  t.ok(existsSync(join(d.tsdb, UPLOAD_DIR, b1.ulid, 'index')), 'the hard links of the interrupted upload are left behind');
  t.same(filesUnder(join(d.tsdb, b1.ulid)), local, "Prometheus's block untouched");

  // What a store gateway makes of the bucket now: an upload in progress, not a block.
  const store = await createBucketStore({
    bucket: d.bucket,
    dataDir: join(d.tsdb, '..', 'store-data'),
    indexCacheBytes: 2 ** 20,
    chunkPoolBytes: 2 ** 24,
    seriesMaxConcurrency: 4,
    registry: new Registry(),
  });
  await store.sync();
  t.same(store.blocks.blocks().length, 0, 'the store loads no block');

  const resumed = await runChild([d.tsdb, d.bucketDir, '-', LABELS]);
  t.equal(resumed.code, 0, resumed.stderr.slice(-500));
  t.match(resumed.stdout, `result {"uploaded":["${b1.ulid}","${b2.ulid}"]}`);
  t.same(JSON.parse(readFileSync(join(d.tsdb, STATE_FILENAME), 'utf8')), { version: 1, uploaded: [b1.ulid, b2.ulid] });
  t.notOk(existsSync(join(d.tsdb, UPLOAD_DIR, b1.ulid)), 'leftover hard links removed');
  for (const k of [...chunks, 'index']) t.ok(Buffer.from(await d.bucket.get(`${b1.ulid}/${k}`)).equals(local.get(k)!), `${k} complete`);
  t.same(parseMeta(await d.bucket.get(`${b1.ulid}/meta.json`)).thanos?.labels, JSON.parse(LABELS));

  await store.sync();
  t.same(store.blocks.blocks().map((b) => b.meta.ulid).sort(), [b1.ulid, b2.ulid].sort(), 'now the store loads both blocks');
  await store.close();
});
