/**
 * GcsBucket with the real @google-cloud/storage client against test/helpers/gcs-server.ts: the Bucket
 * contract, plus what a GCS JSON-API server answers that a FILESYSTEM bucket cannot show.
 */
import t from 'tap';
import { Storage } from '@google-cloud/storage';
import { GcsBucket } from '../../src/objstore/index.js';
import { GcsTestServer } from '../helpers/gcs-server.js';
import { bucketAcceptance } from './acceptance.js';

t.test('GcsBucket (1000-object pages): the Bucket contract', async (t) => {
  bucketAcceptance(t, async () => {
    const server = await GcsTestServer.start({ buckets: ['blocks'] });
    return {
      bucket: new GcsBucket({ bucket: 'blocks', endpoint: server.endpoint }),
      seed: async (name, data) => server.putObject('blocks', name, data),
      cleanup: () => server.close(),
    };
  });
});

t.test('GcsBucket (the server returns 7 entries a page): the Bucket contract', async (t) => {
  bucketAcceptance(t, async () => {
    // Real GCS may return fewer entries than maxResults; prefixes and items share a page.
    const server = await GcsTestServer.start({ buckets: ['blocks'], maxPageSize: 7 });
    return {
      bucket: new GcsBucket({ bucket: 'blocks', endpoint: server.endpoint }),
      seed: async (name, data) => server.putObject('blocks', name, data),
      cleanup: () => server.close(),
    };
  });
});

t.test('listing follows nextPageToken: 2,530 entries over 1000-entry pages are 3 list calls', async (t) => {
  const server = await GcsTestServer.start({ buckets: ['b'] });
  t.teardown(() => server.close());
  for (let i = 0; i < 2500; i++) server.putObject('b', `o/${String(i).padStart(5, '0')}`, 'x');
  for (let i = 0; i < 30; i++) server.putObject('b', `o/d${i}/x`, 'x');
  const bucket = new GcsBucket({ bucket: 'b', endpoint: server.endpoint });
  t.equal((await bucket.list('o/')).length, 2530);
  t.equal(server.count('list'), 3);
});

t.test('the test server answers like GCS: known CRC-32C and MD5, validated by the client itself', async (t) => {
  const server = await GcsTestServer.start({ buckets: ['b'] });
  t.teardown(() => server.close());
  const bucket = new GcsBucket({ bucket: 'b', endpoint: server.endpoint });
  await bucket.upload('check', new TextEncoder().encode('123456789'));
  const storage = new Storage({ apiEndpoint: server.endpoint, retryOptions: { autoRetry: false } });
  const [meta] = await storage.bucket('b').file('check').getMetadata();
  // CRC-32C("123456789") = 0xE3069283 (RFC 3720 check value), big-endian base64; MD5 = 25f9e794323b453885f5181f1b624d0b.
  t.equal(meta.crc32c, Buffer.from([0xe3, 0x06, 0x92, 0x83]).toString('base64'));
  t.equal(meta.md5Hash, Buffer.from('25f9e794323b453885f5181f1b624d0b', 'hex').toString('base64'));
  t.equal(meta.size, '9', 'GCS sends sizes as strings');
  // The client checks x-goog-hash on whole downloads with its own CRC-32C and MD5.
  const [crcChecked] = await storage.bucket('b').file('check').download({ validation: 'crc32c' });
  const [md5Checked] = await storage.bucket('b').file('check').download({ validation: 'md5' });
  t.equal(crcChecked.toString(), '123456789');
  t.equal(md5Checked.toString(), '123456789');
  const [part] = await storage.bucket('b').file('check').download({ start: 2, end: 4 });
  t.equal(part.toString(), '345', 'GCS ranges are inclusive');
});

t.test('uploads are simple multipart requests named in the query, as the client sends them', async (t) => {
  const server = await GcsTestServer.start({ buckets: ['b'] });
  t.teardown(() => server.close());
  const bucket = new GcsBucket({ bucket: 'b', endpoint: server.endpoint });
  await bucket.upload('01HX/chunks/000001', new Uint8Array([1, 2, 3]));
  const up = server.requests.filter((r) => r.op === 'upload');
  t.equal(up.length, 1);
  t.match(up[0]!.url, /^\/upload\/storage\/v1\/b\/b\/o\?uploadType=multipart&name=01HX%2Fchunks%2F000001$/);
  t.same([...server.getObject('b', '01HX/chunks/000001')!], [1, 2, 3]);
});

t.test('STORAGE_EMULATOR_HOST is honoured when no endpoint is configured', async (t) => {
  const server = await GcsTestServer.start({ buckets: ['b'] });
  t.teardown(() => server.close());
  server.putObject('b', 'dir/x', 'hello');
  const saved = process.env.STORAGE_EMULATOR_HOST;
  process.env.STORAGE_EMULATOR_HOST = server.endpoint;
  let bucket: GcsBucket;
  try {
    bucket = new GcsBucket({ bucket: 'b' }); // the client reads the variable when constructed
  } finally {
    if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST;
    else process.env.STORAGE_EMULATOR_HOST = saved;
  }
  t.same(await bucket.list(''), ['dir/']);
  t.equal(new TextDecoder().decode(await bucket.get('dir/x')), 'hello');
  t.equal((await bucket.attributes('dir/x')).size, 5);
  await bucket.upload('dir/y', new Uint8Array([9]));
  t.same(await bucket.list('dir/'), ['dir/x', 'dir/y']);
});
