// Shipper.sync over blocks written by our writer into a temp TSDB dir, shipped to a FilesystemBucket.
// Expected values come from the local files themselves (bytes, sizes from stat), the labels the test passes,
// and Thanos's rules (thanos.md §5.1, §7.2): meta.json last, source "sidecar", resolution 0, no tombstones.
import t from 'tap';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { Labels } from '../../../src/model/index.js';
import { Shipper, STATE_FILENAME, UPLOAD_DIR } from '../../../src/sidecar/shipper/index.js';
import { parseMeta } from '../../../src/tsdb/index.js';
import { H, RecordingBucket, T0, filesUnder, tempDirs, writeTestBlock } from './fixtures.js';

const EXT = { cluster: 'c1', replica: 'r0' };
const NOW = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

function stateOf(tsdb: string): unknown {
  return JSON.parse(readFileSync(join(tsdb, STATE_FILENAME), 'utf8'));
}

t.test('ships level-1 blocks: chunks, index, then meta.json with the thanos section; a second sync uploads nothing', async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  // Written newest first, so the upload order (oldest first) is not the write order.
  const b2 = writeTestBlock(d.tsdb, { start: T0 + 2 * H, series: 4 });
  const b1 = writeTestBlock(d.tsdb, { start: T0, series: 3, segmentSize: 4096 });
  const localBefore = new Map([b1, b2].map((m) => [m.ulid, filesUnder(join(d.tsdb, m.ulid))]));
  t.ok([...localBefore.get(b1.ulid)!.keys()].filter((k) => k.startsWith('chunks/')).length > 1, 'fixture: b1 has several segment files');

  const bucket = new RecordingBucket(d.bucket);
  const registry = new Registry();
  // The writer's hard links: while the index is being uploaded, Prometheus's file has a second name.
  const linksSeen: number[] = [];
  bucket.beforeUpload = (name) => {
    if (name.endsWith('/index')) linksSeen.push(statSync(join(d.tsdb, name)).nlink);
  };
  const shipper = new Shipper({ tsdbPath: d.tsdb, bucket, externalLabels: () => Labels.from(EXT), registry, now: () => NOW });
  const res = await shipper.sync();
  t.equal(res.error, undefined);
  t.same(res.uploaded, [b1.ulid, b2.ulid], 'oldest first');
  t.same(linksSeen, [2, 2], 'block files hard-linked into the upload dir during the upload');

  for (const m of [b1, b2]) {
    const local = localBefore.get(m.ulid)!;
    const wantObjects = [...local.keys()].filter((k) => k !== 'tombstones').map((k) => `${m.ulid}/${k}`).sort();
    t.same(await d.bucket.list(`${m.ulid}/`, { recursive: true }), wantObjects, `${m.ulid}: chunks, index, meta.json; no tombstones`);
    for (const [rel, bytes] of local) {
      if (rel === 'meta.json' || rel === 'tombstones') continue;
      t.ok(Buffer.from(await d.bucket.get(`${m.ulid}/${rel}`)).equals(bytes), `${rel} uploaded byte for byte`);
    }
    // Upload order: every chunk segment, then the index, then meta.json.
    const order = bucket.uploads().filter((n) => n.startsWith(`${m.ulid}/`)).map((n) => n.slice(m.ulid.length + 1));
    const chunks = [...local.keys()].filter((k) => k.startsWith('chunks/')).sort();
    t.same(order, [...chunks, 'index', 'meta.json'], `${m.ulid}: upload order`);

    const uploaded = parseMeta(await d.bucket.get(`${m.ulid}/meta.json`));
    const localMeta = parseMeta(local.get('meta.json')!);
    t.notOk(localMeta.thanos, 'the local meta.json is still Prometheus-only');
    const { thanos, ...prom } = uploaded;
    t.same(prom, localMeta, 'Prometheus fields unchanged');
    t.same(thanos, {
      version: 1,
      labels: EXT,
      downsample: { resolution: 0 },
      source: 'sidecar',
      segment_files: chunks.map((c) => c.slice('chunks/'.length)),
      files: [
        ...chunks.map((c) => ({ rel_path: c, size_bytes: local.get(c)!.length })),
        { rel_path: 'index', size_bytes: local.get('index')!.length },
        { rel_path: 'meta.json' },
      ],
      upload_time: '2024-01-02T03:04:05.678Z',
    });
    t.same(filesUnder(join(d.tsdb, m.ulid)), local, 'Prometheus block files untouched');
  }
  t.same(stateOf(d.tsdb), { version: 1, uploaded: [b1.ulid, b2.ulid] });
  t.equal(readFileSync(join(d.tsdb, STATE_FILENAME), 'utf8'), `{\n\t"version": 1,\n\t"uploaded": [\n\t\t"${b1.ulid}",\n\t\t"${b2.ulid}"\n\t]\n}\n`, "Go's tab-indented encoding");
  t.notOk(existsSync(join(d.tsdb, UPLOAD_DIR, b1.ulid)), 'upload dir removed');
  t.notOk(existsSync(join(d.tsdb, `${STATE_FILENAME}.tmp`)), 'no temp state file left');
  const metric = async (name: string): Promise<number> => (await registry.getSingleMetric(name)!.get()).values[0]?.value ?? 0;
  t.equal(await metric('promfed_shipper_uploads_total'), 2);
  t.equal(await metric('promfed_shipper_last_successful_upload_time'), NOW / 1000);
  const localBytes = [...localBefore.values()].flatMap((f) => [...f].filter(([k]) => k !== 'tombstones' && k !== 'meta.json').map(([, v]) => v.length));
  const metaBytes = (await d.bucket.get(`${b1.ulid}/meta.json`)).length + (await d.bucket.get(`${b2.ulid}/meta.json`)).length;
  t.equal(await metric('promfed_shipper_uploaded_bytes_total'), localBytes.reduce((a, b) => a + b, 0) + metaBytes);

  bucket.calls.length = 0;
  const again = await shipper.sync();
  t.same(again.uploaded, []);
  t.same(bucket.calls, [], 'blocks in the state file cost no bucket call');
  t.same(stateOf(d.tsdb), { version: 1, uploaded: [b1.ulid, b2.ulid] });
});

t.test('a new block is uploaded with the external labels of that moment; shipped blocks keep theirs', async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  let ext: Record<string, string> = { cluster: 'c1', replica: 'r0' };
  const shipper = new Shipper({ tsdbPath: d.tsdb, bucket: d.bucket, externalLabels: () => ext });
  const b1 = writeTestBlock(d.tsdb, { start: T0 });
  t.same((await shipper.sync()).uploaded, [b1.ulid]);
  ext = { cluster: 'c2', replica: 'r1' };
  const b2 = writeTestBlock(d.tsdb, { start: T0 + 2 * H });
  t.same((await shipper.sync()).uploaded, [b2.ulid]);
  t.same(parseMeta(await d.bucket.get(`${b1.ulid}/meta.json`)).thanos?.labels, { cluster: 'c1', replica: 'r0' });
  t.same(parseMeta(await d.bucket.get(`${b2.ulid}/meta.json`)).thanos?.labels, { cluster: 'c2', replica: 'r1' });
  t.same(stateOf(d.tsdb), { version: 1, uploaded: [b1.ulid, b2.ulid] });
});

t.test('compacted (level 2) blocks are skipped unless uploadCompacted; empty blocks always', async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  const l1 = writeTestBlock(d.tsdb, { start: T0 });
  const l2 = writeTestBlock(d.tsdb, { start: T0 + 2 * H, level: 2 });
  const empty = writeTestBlock(d.tsdb, { start: T0 + 4 * H, empty: true });
  t.equal(empty.stats.numSamples, 0, 'fixture: empty block');
  const res = await new Shipper({ tsdbPath: d.tsdb, bucket: d.bucket, externalLabels: () => ({ cluster: 'c1' }) }).sync();
  t.same(res.uploaded, [l1.ulid]);
  t.same(res.skipped, [
    { ulid: l2.ulid, reason: 'compacted' },
    { ulid: empty.ulid, reason: 'empty' },
  ]);
  t.same(await d.bucket.list(''), [`${l1.ulid}/`]);
  t.same(stateOf(d.tsdb), { version: 1, uploaded: [l1.ulid] }, 'skipped blocks are not recorded, so enabling uploadCompacted later ships them');

  const res2 = await new Shipper({ tsdbPath: d.tsdb, bucket: d.bucket, externalLabels: () => ({ cluster: 'c1' }), uploadCompacted: true }).sync();
  t.same(res2.uploaded, [l2.ulid]);
  t.same(res2.skipped, [{ ulid: empty.ulid, reason: 'empty' }]);
  t.equal(parseMeta(await d.bucket.get(`${l2.ulid}/meta.json`)).compaction.level, 2);
  t.same(await d.bucket.list(''), [`${l1.ulid}/`, `${l2.ulid}/`]);
});

t.test('a lost state file: blocks whose meta.json is in the bucket are recorded, not uploaded again', async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  const b1 = writeTestBlock(d.tsdb, { start: T0 });
  await new Shipper({ tsdbPath: d.tsdb, bucket: d.bucket, externalLabels: () => ({ cluster: 'c1' }) }).sync();
  rmSync(join(d.tsdb, STATE_FILENAME));
  const bucket = new RecordingBucket(d.bucket);
  const res = await new Shipper({ tsdbPath: d.tsdb, bucket, externalLabels: () => ({ cluster: 'c1' }) }).sync();
  t.same(res.uploaded, []);
  t.same(res.foundInBucket, [b1.ulid]);
  t.same(bucket.calls, [{ op: 'exists', name: `${b1.ulid}/meta.json` }]);
  t.same(stateOf(d.tsdb), { version: 1, uploaded: [b1.ulid] });
});

t.test('only ULID directories with a meta.json are blocks: wal, chunks_head, lock, temp and deleted blocks are ignored', async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  const b = writeTestBlock(d.tsdb, { start: T0 });
  const other = writeTestBlock(join(d.tsdb, 'elsewhere'), { start: T0 + 2 * H });
  mkdirSync(join(d.tsdb, 'wal'));
  writeFileSync(join(d.tsdb, 'wal', '00000000'), 'x');
  mkdirSync(join(d.tsdb, 'chunks_head'));
  writeFileSync(join(d.tsdb, 'lock'), '');
  writeFileSync(join(d.tsdb, 'queries.active'), '');
  // A block being written and one being deleted (Prometheus's renames), each a complete-looking block.
  const { renameSync, cpSync } = await import('node:fs');
  cpSync(join(d.tsdb, 'elsewhere', other.ulid), join(d.tsdb, `${other.ulid}.tmp-for-creation`), { recursive: true });
  renameSync(join(d.tsdb, 'elsewhere', other.ulid), join(d.tsdb, `${other.ulid}.tmp-for-deletion`));
  mkdirSync(join(d.tsdb, '01HZZZZZZZZZZZZZZZZZZZZZZZ')); // a ULID dir without meta.json: not a block
  const corrupt = '01HYYYYYYYYYYYYYYYYYYYYYYY';
  mkdirSync(join(d.tsdb, corrupt));
  writeFileSync(join(d.tsdb, corrupt, 'meta.json'), '{"ulid": "01HYYYYYYYYYYYYYYYYYYYYYYY", "minTime": 1');
  const mismatched = '01HXXXXXXXXXXXXXXXXXXXXXXX';
  mkdirSync(join(d.tsdb, mismatched));
  writeFileSync(join(d.tsdb, mismatched, 'meta.json'), readFileSync(join(d.tsdb, b.ulid, 'meta.json')));
  // A crashed upload's leftover hard links.
  mkdirSync(join(d.tsdb, UPLOAD_DIR, '01HWWWWWWWWWWWWWWWWWWWWWWW'), { recursive: true });

  const registry = new Registry();
  const res = await new Shipper({ tsdbPath: d.tsdb, bucket: d.bucket, externalLabels: () => ({ cluster: 'c1' }), registry }).sync();
  t.equal(res.error, undefined);
  t.same(res.uploaded, [b.ulid]);
  t.same(res.corrupt.sort(), [mismatched, corrupt].sort(), 'unreadable meta.json and a ULID that is not its directory');
  t.equal((await registry.getSingleMetric('promfed_shipper_corrupted_blocks_total')!.get()).values[0]?.value, 2);
  t.same(await d.bucket.list(''), [`${b.ulid}/`]);
  t.notOk(existsSync(join(d.tsdb, UPLOAD_DIR, '01HWWWWWWWWWWWWWWWWWWWWWWW')), 'leftover upload dir removed');
});

t.test('a missing TSDB directory is an error in the result, not a throw', async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  const res = await new Shipper({ tsdbPath: join(d.tsdb, 'nope'), bucket: d.bucket, externalLabels: () => ({ cluster: 'c1' }) }).sync();
  t.match(res.error?.message, /ENOENT/);
});
