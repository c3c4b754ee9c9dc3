import t from 'tap';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  FilesystemBucket,
  GcsBucket,
  PrefixedBucket,
  createBucket,
  loadObjstoreConfig,
  parseObjstoreConfig,
} from '../../src/objstore/index.js';
import { GcsTestServer } from '../helpers/gcs-server.js';

// A syntactically valid service-account key; no request with it ever leaves the machine.
const SA = JSON.stringify({
  type: 'service_account',
  project_id: 'promfed-test',
  private_key_id: 'abc',
  private_key: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n',
  client_email: 'store@promfed-test.iam.gserviceaccount.com',
  client_id: '1',
});

t.test('FILESYSTEM, as Thanos writes it', async (t) => {
  t.same(parseObjstoreConfig('type: FILESYSTEM\nconfig:\n  directory: /data/bucket\n'), {
    type: 'FILESYSTEM',
    prefix: '',
    directory: '/data/bucket',
  });
  t.same(parseObjstoreConfig('type: filesystem\nconfig: {directory: ./b}\nprefix: tenant-a\n'), {
    type: 'FILESYSTEM',
    prefix: 'tenant-a',
    directory: './b',
  });
});

t.test('GCS with an inline service account (block scalar), Thanos-only fields ignored, our endpoint', async (t) => {
  const yaml = [
    'type: GCS',
    'config:',
    '  bucket: "thanos-blocks"',
    '  service_account: |-',
    ...JSON.stringify(JSON.parse(SA), null, 2)
      .split('\n')
      .map((l) => '    ' + l),
    '  use_grpc: false',
    '  http_config: {idle_conn_timeout: 90s}',
    '  max_retries: 5',
    '  endpoint: http://127.0.0.1:4443',
  ].join('\n');
  const c = parseObjstoreConfig(yaml);
  t.equal(c.type, 'GCS');
  if (c.type !== 'GCS') return;
  t.equal(c.gcs.bucket, 'thanos-blocks');
  t.same(JSON.parse(c.gcs.serviceAccount!), JSON.parse(SA));
  t.equal(c.gcs.endpoint, 'http://127.0.0.1:4443');
  t.same(c.gcs.retry, { maxAttempts: 5 });
  t.same(parseObjstoreConfig('type: gcs\nconfig:\n  bucket: b\n'), { type: 'GCS', prefix: '', gcs: { bucket: 'b' } });
});

t.test('bad configurations are ObjstoreConfigError with the reason', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['unknown type', 'type: FOO\nconfig: {}', /unknown objstore type "FOO" \(supported: GCS, FILESYSTEM\)/],
    ['a Thanos type we lack', 'type: S3\nconfig: {bucket: b}', /objstore type S3 is not supported by promfed/],
    ['no type', 'config: {bucket: b}', /missing "type"/],
    ['missing bucket', 'type: GCS\nconfig: {service_account: ""}', /GCS: missing config\.bucket/],
    ['missing directory', 'type: FILESYSTEM\nconfig: {}', /FILESYSTEM: missing config\.directory/],
    ['no config at all', 'type: FILESYSTEM', /FILESYSTEM: missing config\.directory/],
    ['bucket not a string', 'type: GCS\nconfig: {bucket: [a]}', /config\.bucket must be a string/],
    ['bad YAML', 'type: GCS\nconfig: {bucket: b\n', /invalid YAML/],
    ['empty', '', /empty configuration/],
    ['a list', '- type: GCS', /expected a mapping/],
    ['unknown top-level field', 'type: GCS\nconfig: {bucket: b}\nbuckett: c', /unknown field "buckett"/],
    ['unknown GCS field (typo)', 'type: GCS\nconfig: {bucket: b, servce_account: x}', /GCS: unknown field config\.servce_account/],
    ['service_account not JSON', 'type: GCS\nconfig: {bucket: b, service_account: "{nope"}', /service_account is not JSON/],
    ['service_account not a key', 'type: GCS\nconfig: {bucket: b, service_account: "{}"}', /must be a service-account key/],
    ['endpoint not a URL', 'type: GCS\nconfig: {bucket: b, endpoint: "127.0.0.1:4443"}', /endpoint must be an http\(s\) URL/],
    ['max_retries negative', 'type: GCS\nconfig: {bucket: b, max_retries: -1}', /max_retries must be a non-negative integer/],
  ];
  for (const [name, yaml, msg] of cases) {
    t.throws(() => parseObjstoreConfig(yaml, 'bucket.yml'), { name: 'ObjstoreConfigError', message: msg }, name);
    t.throws(() => parseObjstoreConfig(yaml, 'bucket.yml'), { message: /^bucket\.yml: / }, `${name}: names its source`);
  }
});

t.test('--objstore.config-file or --objstore.config: exactly one', async (t) => {
  const dir = t.testdir({ 'bucket.yml': 'type: FILESYSTEM\nconfig:\n  directory: /from/file\n' });
  const file = join(dir, 'bucket.yml');
  t.same(await loadObjstoreConfig({ configFile: file }), { type: 'FILESYSTEM', prefix: '', directory: '/from/file' });
  t.same(await loadObjstoreConfig({ config: 'type: FILESYSTEM\nconfig: {directory: /inline}' }), {
    type: 'FILESYSTEM',
    prefix: '',
    directory: '/inline',
  });
  await t.rejects(loadObjstoreConfig({ config: 'type: X', configFile: file }), { name: 'ObjstoreConfigError', message: /both/ });
  await t.rejects(loadObjstoreConfig({}), { name: 'ObjstoreConfigError', message: /no object storage configured/ });
  await t.rejects(loadObjstoreConfig({ configFile: join(dir, 'missing.yml') }), { name: 'ObjstoreConfigError', message: /missing\.yml: ENOENT/ });
  await t.rejects(loadObjstoreConfig({ config: 'type: [' }), { message: /^--objstore\.config: invalid YAML/ });
  await writeFile(join(dir, 'bad.yml'), 'type: GCS\nconfig: {}\n');
  await t.rejects(loadObjstoreConfig({ configFile: join(dir, 'bad.yml') }), { message: /bad\.yml: GCS: missing config\.bucket/ });
});

t.test('createBucket: FILESYSTEM, GCS, and prefix under either', async (t) => {
  const dir = t.testdir();
  const fs = createBucket(parseObjstoreConfig(`type: FILESYSTEM\nconfig: {directory: ${JSON.stringify(dir)}}`));
  t.type(fs, FilesystemBucket);

  const prefixed = createBucket(parseObjstoreConfig(`type: FILESYSTEM\nconfig: {directory: ${JSON.stringify(dir)}}\nprefix: /tenant-a/`));
  t.type(prefixed, PrefixedBucket);
  await prefixed.upload('01HX/meta.json', new TextEncoder().encode('{}'));
  t.equal(await readFile(join(dir, 'tenant-a/01HX/meta.json'), 'utf8'), '{}', 'stored under the prefix');
  t.same(await prefixed.list(''), ['01HX/']);
  t.same(await fs.list(''), ['tenant-a/']);
  await t.rejects(prefixed.get('01HX/index'), { name: 'ObjectNotFoundError', objectName: '01HX/index' });

  const server = await GcsTestServer.start({ buckets: ['blocks'] });
  t.teardown(() => server.close());
  const cfg = `type: GCS\nconfig:\n  bucket: blocks\n  endpoint: ${server.endpoint}\n  service_account: '${SA}'\nprefix: p`;
  const gcs = createBucket(parseObjstoreConfig(cfg));
  t.equal(gcs.name, 'gcs://blocks/p');
  await gcs.upload('x', new Uint8Array([1]));
  t.same([...server.getObject('blocks', 'p/x')!], [1]);
  t.type(createBucket(parseObjstoreConfig(`type: GCS\nconfig: {bucket: blocks, endpoint: "${server.endpoint}"}`)), GcsBucket);
});
