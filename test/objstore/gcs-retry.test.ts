/**
 * GcsBucket retries, with faults injected at the GCS test server and attempts counted there.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { GcsBucket, ObjectNotFoundError, type RetryPolicy } from '../../src/objstore/index.js';
import { QueryCanceledError, StorageError } from '../../src/model/index.js';
import { GcsTestServer } from '../helpers/gcs-server.js';

/** Fast backoff so tests take milliseconds; the structure is the production one. */
const FAST: Partial<RetryPolicy> = { initialBackoffMs: 5, maxBackoffMs: 20, deadlineMs: 5_000, attemptTimeoutMs: 2_000 };

function counting(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7) & 0xff;
  return b;
}

/** Byte equality without tap's element-by-element diff (slow on 100 kB arrays). */
function sameBytes(t: Test, got: Uint8Array, want: Uint8Array, msg = 'same bytes'): void {
  t.ok(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(want), `${msg} (${got.length} vs ${want.length} bytes)`);
}

async function setup(t: Test, retry: Partial<RetryPolicy> = FAST): Promise<{ server: GcsTestServer; bucket: GcsBucket }> {
  const server = await GcsTestServer.start({ buckets: ['b'], maxPageSize: 2 });
  t.teardown(() => server.close());
  server.putObject('b', 'obj', counting(100_000));
  for (const n of ['l/1', 'l/2', 'l/3', 'l/4', 'l/5']) server.putObject('b', n, 'x');
  return { server, bucket: new GcsBucket({ bucket: 'b', endpoint: server.endpoint, retry }) };
}

t.test('503 twice, then the object: three requests, one answer', async (t) => {
  const { server, bucket } = await setup(t);
  server.inject({ op: 'media', object: 'obj', times: 2, fault: { kind: 'status', status: 503 } });
  sameBytes(t, await bucket.get('obj'), counting(100_000));
  t.equal(server.count('media', 'obj'), 3);
});

t.test('429 on metadata, on a list page, on an upload and on a delete: each retried once', async (t) => {
  const { server, bucket } = await setup(t);
  server.inject({ op: 'metadata', fault: { kind: 'status', status: 429 } });
  t.equal((await bucket.attributes('obj')).size, 100_000);
  t.equal(server.count('metadata', 'obj'), 2);

  // Five objects, two a page: page 1, page 2 (429, then again), page 3 → four list requests.
  const before = server.count('list');
  server.inject({ op: 'list', fault: { kind: 'latency', ms: 0 } }); // spends the first match on page 1
  server.inject({ op: 'list', fault: { kind: 'status', status: 429 } });
  t.same(await bucket.list('l/'), ['l/1', 'l/2', 'l/3', 'l/4', 'l/5']);
  t.equal(server.count('list') - before, 4);
  t.same(
    server.requests.filter((r) => r.op === 'list').map((r) => r.status),
    [200, 429, 200, 200],
  );

  server.inject({ op: 'upload', fault: { kind: 'status', status: 503 } });
  await bucket.upload('new', new Uint8Array([1, 2, 3]));
  t.equal(server.count('upload'), 2);
  t.same([...server.getObject('b', 'new')!], [1, 2, 3]);

  // A streamed file upload is retried too: the file is read again from its start.
  const dir = mkdtempSync(join(tmpdir(), 'promfed-gcs-upload-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = Buffer.alloc(2 << 20, 7);
  file.write('head', 0);
  file.write('tail', file.length - 4);
  writeFileSync(join(dir, 'seg'), file);
  const uploads = server.count('upload');
  server.inject({ op: 'upload', fault: { kind: 'status', status: 503 } });
  await bucket.uploadFile('streamed', join(dir, 'seg'));
  t.equal(server.count('upload') - uploads, 2, 'one 503, one success');
  t.ok(server.getObject('b', 'streamed')!.equals(file), 'the whole file, once');

  server.inject({ op: 'delete', fault: { kind: 'status', status: 500 } });
  await bucket.delete('new');
  t.equal(server.count('delete', 'new'), 2);
  t.equal(server.getObject('b', 'new'), undefined);
});

t.test('a truncated body is retried until the bytes are all there', async (t) => {
  const { server, bucket } = await setup(t);
  const all = counting(100_000);
  server.inject({ op: 'media', object: 'obj', fault: { kind: 'truncate', bytes: 100 } });
  const part = await bucket.getRange('obj', 1000, 50_000);
  t.equal(part.length, 50_000);
  sameBytes(t, part, all.subarray(1000, 51_000));
  t.equal(server.count('media', 'obj'), 2);
  t.same(server.requests.filter((r) => r.op === 'media').map((r) => r.fault ?? 'none'), ['truncate', 'none']);

  server.inject({ op: 'media', object: 'obj', times: 2, fault: { kind: 'truncate', bytes: 65_536 } });
  sameBytes(t, await bucket.get('obj'), all);
  t.equal(server.count('media', 'obj'), 5);
});

t.test('a connection reset before any answer is retried', async (t) => {
  const { server, bucket } = await setup(t);
  server.inject({ op: 'media', fault: { kind: 'reset' } });
  server.inject({ op: 'metadata', fault: { kind: 'reset' } });
  t.same(await bucket.getRange('obj', 0, 3), counting(3));
  t.equal(await bucket.exists('obj'), true);
  t.equal(server.count('media', 'obj'), 2);
  t.equal(server.count('metadata', 'obj'), 2);
});

t.test('an attempt slower than the attempt timeout is abandoned and retried', async (t) => {
  const { server, bucket } = await setup(t, { ...FAST, attemptTimeoutMs: 200 });
  server.inject({ op: 'media', fault: { kind: 'latency', ms: 1_000 } });
  server.inject({ op: 'metadata', fault: { kind: 'latency', ms: 1_000 } });
  // Each call: one attempt abandoned at 200 ms, then a quick one (~210 ms in all); waiting for the slow answer
  // would take 1 000 ms. Timed one by one, so a loaded machine's delays in one do not count against the other.
  let start = Date.now();
  t.same(await bucket.getRange('obj', 10, 10), counting(20).subarray(10));
  const getMs = Date.now() - start;
  t.ok(getMs < 1_000, `media: ${getMs} ms, less than one slow answer`);
  start = Date.now();
  t.equal((await bucket.attributes('obj')).size, 100_000);
  const metaMs = Date.now() - start;
  t.ok(metaMs < 1_000, `metadata: ${metaMs} ms, less than one slow answer`);
  t.equal(server.count('media', 'obj'), 2);
  t.equal(server.count('metadata', 'obj'), 2);
});

t.test('retries stop at the deadline with a StorageError that says why', async (t) => {
  const { server, bucket } = await setup(t, { ...FAST, deadlineMs: 300 });
  server.inject({ op: 'media', times: 1_000_000, fault: { kind: 'status', status: 503 } });
  const start = Date.now();
  const err = await bucket.get('obj').catch((e: unknown) => e);
  const took = Date.now() - start;
  t.type(err, StorageError);
  // The message names the server's 503 even when the last attempt only ran out of the time the deadline left it.
  t.match((err as Error).message, /gcs:\/\/b: get "obj": gave up after \d+ attempts in \d+ ms \(deadline 300 ms\): .*HTTP 503/);
  t.ok(took < 600, `gave up after ${took} ms`);
  t.ok(server.count('media', 'obj') >= 3, `${server.count('media', 'obj')} attempts`);
});

t.test('max attempts (Thanos max_retries) bounds retries too', async (t) => {
  const { server, bucket } = await setup(t, { ...FAST, maxAttempts: 3 });
  server.inject({ op: 'metadata', times: 10, fault: { kind: 'status', status: 502 } });
  await t.rejects(bucket.attributes('obj'), { name: 'StorageError', message: /gave up after 3 attempts/ });
  t.equal(server.count('metadata', 'obj'), 3);
});

t.test('404 and other 4xx are answers, not retried', async (t) => {
  const { server, bucket } = await setup(t);
  await t.rejects(bucket.get('missing'), ObjectNotFoundError);
  await t.rejects(bucket.getRange('missing', 0, 10), ObjectNotFoundError);
  await t.rejects(bucket.attributes('missing'), ObjectNotFoundError);
  await t.rejects(bucket.delete('missing'), ObjectNotFoundError);
  t.equal(await bucket.exists('missing'), false);
  t.equal(server.count('media', 'missing'), 2);
  t.equal(server.count('metadata', 'missing'), 2);
  t.equal(server.count('delete', 'missing'), 1);

  server.inject({ op: 'media', object: 'obj', fault: { kind: 'status', status: 403 } });
  await t.rejects(bucket.get('obj'), { name: 'HttpStatusError', status: 403 });
  server.inject({ op: 'metadata', object: 'obj', fault: { kind: 'status', status: 403 } });
  await t.rejects(bucket.attributes('obj'), { code: 403 });
  await t.rejects(bucket.getRange('obj', 100_000, 1), RangeError);
  t.equal(server.count('media', 'obj'), 2);
  t.equal(server.count('metadata', 'obj'), 1);
});

t.test('the caller cancelling stops the attempt and the retries', async (t) => {
  const { server, bucket } = await setup(t);
  server.inject({ op: 'media', times: 100, fault: { kind: 'latency', ms: 5_000 } });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  const start = Date.now();
  await t.rejects(bucket.get('obj', ac.signal), QueryCanceledError);
  t.ok(Date.now() - start < 1_000, `returned after ${Date.now() - start} ms`);
  t.equal(server.count('media', 'obj'), 1);
});

t.test('regression: a cut-short download does not stall the downloads beside it', async (t) => {
  // With the client's own download stream, one failed read destroyed the shared agent and the others hung.
  const { server, bucket } = await setup(t, { ...FAST, attemptTimeoutMs: 3_000 });
  const all = counting(100_000);
  server.inject({ op: 'media', fault: { kind: 'truncate', bytes: 10 } });
  server.inject({ op: 'media', times: 7, fault: { kind: 'latency', ms: 50 } });
  const reads = Array.from({ length: 8 }, (_, i) => bucket.getRange('obj', i * 1000, 60_000));
  const results = await Promise.all(reads);
  results.forEach((r, i) => sameBytes(t, r, all.subarray(i * 1000, i * 1000 + 60_000), `read ${i}`));
  t.same(server.requests.filter((r) => r.op === 'media').map((r) => r.fault ?? 'none').sort(), [
    ...Array<string>(7).fill('latency'),
    'none',
    'truncate',
  ]);
  t.equal(server.count('media', 'obj'), 9);
});

t.test('a truncated JSON answer (list, metadata) is cut at the attempt timeout and retried', async (t) => {
  // The client's transport cannot see a short JSON body; the attempt timeout is what rescues the call.
  const { server, bucket } = await setup(t, { ...FAST, attemptTimeoutMs: 300 });
  server.inject({ op: 'list', fault: { kind: 'truncate', bytes: 20 } });
  server.inject({ op: 'metadata', fault: { kind: 'truncate', bytes: 20 } });
  t.same(await bucket.list('l/'), ['l/1', 'l/2', 'l/3', 'l/4', 'l/5']);
  t.equal((await bucket.attributes('obj')).size, 100_000);
  t.equal(server.count('list'), 4);
  t.equal(server.count('metadata', 'obj'), 2);
});

t.test('a whole download damaged in flight fails its CRC-32C check and is fetched again', async (t) => {
  const { server, bucket } = await setup(t);
  server.inject({ op: 'media', object: 'obj', fault: { kind: 'corrupt' } });
  sameBytes(t, await bucket.get('obj'), counting(100_000));
  t.same(server.requests.filter((r) => r.op === 'media').map((r) => r.fault ?? 'none'), ['corrupt', 'none']);
});
