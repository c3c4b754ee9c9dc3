// The shipper when the bucket fails: a wrapper around the real FilesystemBucket fails chosen uploads (a fault
// injector for the storage peer). What must hold (thanos.md §5.1, §7.2): meta.json is never in the bucket
// unless everything before it is; the state file lists only completed blocks; the next sync completes the block.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { Shipper, STATE_FILENAME } from '../../../src/sidecar/shipper/index.js';
import { parseMeta } from '../../../src/tsdb/index.js';
import { H, RecordingBucket, T0, filesUnder, tempDirs, writeTestBlock } from './fixtures.js';

const EXT = () => ({ cluster: 'c1', replica: 'r0' });
const uploadedList = (tsdb: string): unknown => JSON.parse(readFileSync(join(tsdb, STATE_FILENAME), 'utf8')).uploaded;

t.test('crash after the index upload: no meta.json in the bucket, state not updated; the next sync completes the block', async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  const b = writeTestBlock(d.tsdb, { start: T0, segmentSize: 4096 });
  const local = filesUnder(join(d.tsdb, b.ulid));
  const bucket = new RecordingBucket(d.bucket);
  bucket.failUpload = (name) => name.endsWith('/meta.json');
  const registry = new Registry();
  const shipper = new Shipper({ tsdbPath: d.tsdb, bucket, externalLabels: EXT, registry });

  const res = await shipper.sync();
  t.match(res.error?.message, new RegExp(`upload block ${b.ulid}: upload meta.json: injected`));
  t.same(res.uploaded, []);
  t.notOk(await d.bucket.exists(`${b.ulid}/meta.json`), 'no meta.json: a store gateway sees an upload in progress, not a block');
  t.ok(await d.bucket.exists(`${b.ulid}/index`), 'the objects before it stay (the meta upload may have landed after all)');
  t.same(uploadedList(d.tsdb), []);
  const metric = async (name: string): Promise<number> => (await registry.getSingleMetric(name)!.get()).values[0]?.value ?? 0;
  t.equal(await metric('promfed_shipper_upload_failures_total'), 1);
  t.equal(await metric('promfed_shipper_dir_sync_failures_total'), 1);
  t.equal(await metric('promfed_shipper_uploads_total'), 0);

  bucket.failUpload = () => false;
  bucket.calls.length = 0;
  const res2 = await shipper.sync();
  t.equal(res2.error, undefined);
  t.same(res2.uploaded, [b.ulid]);
  const chunks = [...local.keys()].filter((k) => k.startsWith('chunks/')).sort();
  t.same(bucket.uploads(), [...chunks, 'index', 'meta.json'].map((k) => `${b.ulid}/${k}`), 'the whole block again, meta.json last');
  for (const k of [...chunks, 'index']) t.ok(Buffer.from(await d.bucket.get(`${b.ulid}/${k}`)).equals(local.get(k)!), `${k} intact`);
  t.equal(parseMeta(await d.bucket.get(`${b.ulid}/meta.json`)).thanos?.source, 'sidecar');
  t.same(uploadedList(d.tsdb), [b.ulid]);
});

t.test('a failure before meta.json removes the partial prefix from the bucket', async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  const b = writeTestBlock(d.tsdb, { start: T0 });
  const bucket = new RecordingBucket(d.bucket);
  bucket.failUpload = (name) => name.endsWith('/index');
  const res = await new Shipper({ tsdbPath: d.tsdb, bucket, externalLabels: EXT }).sync();
  t.match(res.error?.message, /upload files: injected: upload of .*\/index failed/);
  t.same(bucket.uploads(), [`${b.ulid}/chunks/000001`, `${b.ulid}/index`], 'nothing after the failed object');
  t.same(await d.bucket.list(`${b.ulid}/`, { recursive: true }), [], 'the chunks uploaded before the failure were deleted');
  t.same(uploadedList(d.tsdb), []);
});

t.test('the first failure ends the run, so blocks reach the bucket in time order', async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  const b1 = writeTestBlock(d.tsdb, { start: T0 });
  const b2 = writeTestBlock(d.tsdb, { start: T0 + 2 * H });
  const b3 = writeTestBlock(d.tsdb, { start: T0 + 4 * H });
  const bucket = new RecordingBucket(d.bucket);
  bucket.failUpload = (name) => name.startsWith(`${b2.ulid}/`);
  const shipper = new Shipper({ tsdbPath: d.tsdb, bucket, externalLabels: EXT });
  const res = await shipper.sync();
  t.same(res.uploaded, [b1.ulid]);
  t.match(res.error?.message, b2.ulid);
  t.notOk(bucket.calls.some((c) => c.name.startsWith(b3.ulid)), 'the newer block was not tried');
  t.same(uploadedList(d.tsdb), [b1.ulid], 'what did ship is recorded');
  bucket.failUpload = () => false;
  t.same((await shipper.sync()).uploaded, [b2.ulid, b3.ulid]);
  t.same(uploadedList(d.tsdb), [b1.ulid, b2.ulid, b3.ulid]);
});

t.test('bucket unreachable for the existence check: an error, nothing recorded', async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  writeTestBlock(d.tsdb, { start: T0 });
  const bucket = new RecordingBucket(d.bucket);
  bucket.failExists = true;
  const res = await new Shipper({ tsdbPath: d.tsdb, bucket, externalLabels: EXT }).sync();
  t.match(res.error?.message, /bucket unreachable/);
  t.same(bucket.uploads(), []);
  t.same(uploadedList(d.tsdb), []);
});

t.test('external labels not known yet: nothing uploaded, notReady; once known, the block ships', async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  const b = writeTestBlock(d.tsdb, { start: T0 });
  let ready = false;
  const shipper = new Shipper({
    tsdbPath: d.tsdb,
    bucket: d.bucket,
    externalLabels: () => {
      if (!ready) throw new Error('Not ready: Prometheus has not answered yet');
      return { cluster: 'c1' };
    },
  });
  const res = await shipper.sync();
  t.equal(res.notReady, true);
  t.match(res.error?.message, /external labels are not known yet: Not ready/);
  t.same(await d.bucket.list(''), []);
  ready = true;
  t.same((await shipper.sync()).uploaded, [b.ulid]);
});

t.test('empty external labels are refused for a Thanos block (Thanos block.Upload does the same)', async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  const b = writeTestBlock(d.tsdb, { start: T0 });
  const res = await new Shipper({ tsdbPath: d.tsdb, bucket: d.bucket, externalLabels: () => ({}) }).sync();
  t.match(res.error?.message, `upload block ${b.ulid}: empty external labels are not allowed`);
  t.same(await d.bucket.list(''), []);
});

t.test('concurrent syncs do not upload a block twice', async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  const b = writeTestBlock(d.tsdb, { start: T0 });
  const bucket = new RecordingBucket(d.bucket);
  const shipper = new Shipper({ tsdbPath: d.tsdb, bucket, externalLabels: EXT });
  const [r1, r2] = await Promise.all([shipper.sync(), shipper.sync()]);
  t.same([...r1.uploaded, ...r2.uploaded], [b.ulid]);
  t.equal(bucket.uploads().filter((n) => n.endsWith('meta.json')).length, 1);
});
