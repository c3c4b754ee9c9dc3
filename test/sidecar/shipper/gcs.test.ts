// Shipping to GCS: the real @google-cloud/storage client (our GcsBucket, built from Thanos objstore YAML as the
// sidecar's --objstore.config does) against our GCS JSON-API test server. Faults are injected at the server:
// a 503 on meta.json is retried by the bucket and the block lands; a 403 (not transient) fails the upload,
// leaves no meta.json, and the next sync completes the block.
import t from 'tap';
import { join } from 'node:path';
import { createBucket, parseObjstoreConfig } from '../../../src/objstore/index.js';
import { Shipper } from '../../../src/sidecar/shipper/index.js';
import { parseMeta } from '../../../src/tsdb/index.js';
import { GcsTestServer } from '../../helpers/gcs-server.js';
import { H, RecordingBucket, T0, filesUnder, tempDirs, writeTestBlock } from './fixtures.js';

const EXT = () => ({ cluster: 'c1', replica: 'r0' });

t.test('blocks shipped to GCS: every object byte for byte, meta.json last with the thanos section', async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  const server = await GcsTestServer.start({ buckets: ['blocks'] });
  t.teardown(() => server.close());
  const gcs = createBucket(parseObjstoreConfig(`type: GCS\nconfig:\n  bucket: blocks\n  endpoint: ${server.endpoint}\n`));
  t.teardown(() => gcs.close());
  const b1 = writeTestBlock(d.tsdb, { start: T0, segmentSize: 4096 });
  const b2 = writeTestBlock(d.tsdb, { start: T0 + 2 * H });
  const bucket = new RecordingBucket(gcs);
  const res = await new Shipper({ tsdbPath: d.tsdb, bucket, externalLabels: EXT }).sync();
  t.equal(res.error, undefined);
  t.same(res.uploaded, [b1.ulid, b2.ulid]);
  for (const m of [b1, b2]) {
    const local = filesUnder(join(d.tsdb, m.ulid));
    const chunks = [...local.keys()].filter((k) => k.startsWith('chunks/')).sort();
    t.same(bucket.uploads().filter((n) => n.startsWith(m.ulid)), [...chunks, 'index', 'meta.json'].map((k) => `${m.ulid}/${k}`), 'order');
    for (const k of [...chunks, 'index']) t.ok(server.getObject('blocks', `${m.ulid}/${k}`)?.equals(local.get(k)!), `${k} in GCS`);
    t.equal(server.getObject('blocks', `${m.ulid}/tombstones`), undefined);
    const meta = parseMeta(server.getObject('blocks', `${m.ulid}/meta.json`)!);
    t.same([meta.thanos?.labels, meta.thanos?.source, meta.thanos?.downsample.resolution], [EXT(), 'sidecar', 0]);
  }
});

t.test('GCS faults: a 503 is retried within the upload; a 403 fails it without meta.json and the next sync completes it', async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  const server = await GcsTestServer.start({ buckets: ['blocks'] });
  t.teardown(() => server.close());
  const gcs = createBucket(parseObjstoreConfig(`type: GCS\nconfig:\n  bucket: blocks\n  endpoint: ${server.endpoint}\n`));
  t.teardown(() => gcs.close());
  const shipper = new Shipper({ tsdbPath: d.tsdb, bucket: gcs, externalLabels: EXT });

  const b1 = writeTestBlock(d.tsdb, { start: T0 });
  server.inject({ op: 'upload', object: /meta\.json$/, fault: { kind: 'status', status: 503 } });
  const r1 = await shipper.sync();
  t.equal(r1.error, undefined, 'the transient failure was retried by the bucket');
  t.same(r1.uploaded, [b1.ulid]);
  t.equal(server.requests.filter((r) => r.op === 'upload' && r.fault === 'status').length, 1, 'the 503 was answered once');

  const b2 = writeTestBlock(d.tsdb, { start: T0 + 2 * H });
  server.inject({ op: 'upload', object: /meta\.json$/, fault: { kind: 'status', status: 403 } });
  const r2 = await shipper.sync();
  t.match(r2.error?.message, new RegExp(`upload block ${b2.ulid}: upload meta.json`));
  t.equal(server.getObject('blocks', `${b2.ulid}/meta.json`), undefined, 'no meta.json: the store gateway does not see the block');
  t.ok(server.getObject('blocks', `${b2.ulid}/index`), 'its index is there (meta.json is last)');

  const r3 = await shipper.sync();
  t.same(r3.uploaded, [b2.ulid]);
  t.equal(parseMeta(server.getObject('blocks', `${b2.ulid}/meta.json`)!).ulid, b2.ulid);
});
