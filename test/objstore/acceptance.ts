/**
 * The Bucket contract, run against every implementation (FILESYSTEM, GCS through the test server, prefixed).
 * Expected values are worked out by hand from the objects each case writes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { ObjectNotFoundError, type Bucket } from '../../src/objstore/index.js';

export interface BucketFixture {
  bucket: Bucket;
  /** Writes an object without going through `bucket` (fast seeding of many objects). */
  seed(name: string, data: Uint8Array): Promise<void>;
  cleanup(): Promise<void>;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** 1000 bytes where byte i is i mod 256, so any slice's expected bytes are easy to compute. */
function counting(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = i & 0xff;
  return b;
}

export function bucketAcceptance(t: Test, make: () => Promise<BucketFixture>): void {
  let fx: BucketFixture;
  t.before(async () => {
    fx = await make();
    for (const n of ['a/1', 'a/2', 'a/b/3', 'a/b/c/4', 'b/5', 'top']) await fx.seed(n, enc(`content of ${n}`));
    await fx.seed('data/counting', counting(1000));
    await fx.seed('data/empty', new Uint8Array(0));
    await fx.seed('odd names/ü 100%.json', enc('{"ok":true}'));
  });
  t.teardown(() => fx.cleanup());

  t.test('list: one level, directories end in /', async (t) => {
    t.same(await fx.bucket.list(''), ['a/', 'b/', 'data/', 'odd names/', 'top']);
    t.same(await fx.bucket.list('a/'), ['a/1', 'a/2', 'a/b/']);
    t.same(await fx.bucket.list('a/b/'), ['a/b/3', 'a/b/c/']);
    t.same(await fx.bucket.list('odd names/'), ['odd names/ü 100%.json']);
  });

  t.test('list: recursive gives every object and no directories', async (t) => {
    t.same(await fx.bucket.list('a/', { recursive: true }), ['a/1', 'a/2', 'a/b/3', 'a/b/c/4']);
    const all = await fx.bucket.list('', { recursive: true });
    t.same(all.filter((n) => !n.startsWith('many/')), [
      'a/1',
      'a/2',
      'a/b/3',
      'a/b/c/4',
      'b/5',
      'data/counting',
      'data/empty',
      'odd names/ü 100%.json',
      'top',
    ]);
  });

  t.test('list: a missing prefix is empty, not an error', async (t) => {
    t.same(await fx.bucket.list('nope/'), []);
    t.same(await fx.bucket.list('nope/', { recursive: true }), []);
  });

  t.test('list: 2,500 objects and 30 directories come back whole across pages', async (t) => {
    const want: string[] = [];
    for (let i = 0; i < 2500; i++) want.push(`many/obj-${String(i).padStart(5, '0')}`);
    for (let i = 0; i < 30; i++) want.push(`many/dir-${String(i).padStart(2, '0')}/`);
    await Promise.all(want.map((n) => fx.seed(n.endsWith('/') ? n + 'x' : n, enc('x'))));
    want.sort();
    const got = await fx.bucket.list('many/');
    t.equal(got.length, 2530);
    t.same(got, want);
    const rec = await fx.bucket.list('many/', { recursive: true });
    t.equal(rec.length, 2530);
    t.equal(rec.filter((n) => n.endsWith('/x')).length, 30);
  });

  t.test('get: whole objects, names with spaces, unicode and %', async (t) => {
    t.equal(dec(await fx.bucket.get('a/b/3')), 'content of a/b/3');
    t.same(await fx.bucket.get('data/counting'), counting(1000));
    t.equal((await fx.bucket.get('data/empty')).length, 0);
    t.equal(dec(await fx.bucket.get('odd names/ü 100%.json')), '{"ok":true}');
  });

  t.test('getRange: middle, exact end, clipped at the end', async (t) => {
    const all = counting(1000);
    t.same(await fx.bucket.getRange('data/counting', 100, 50), all.subarray(100, 150));
    t.same(await fx.bucket.getRange('data/counting', 0, 1000), all);
    t.same(await fx.bucket.getRange('data/counting', 950, 50), all.subarray(950, 1000));
    const clipped = await fx.bucket.getRange('data/counting', 990, 100);
    t.equal(clipped.length, 10);
    t.same(clipped, all.subarray(990, 1000));
    t.equal((await fx.bucket.getRange('data/counting', 500, 0)).length, 0);
  });

  t.test('getRange: starting at or past the end is an error', async (t) => {
    await t.rejects(fx.bucket.getRange('data/counting', 1000, 10), RangeError);
    await t.rejects(fx.bucket.getRange('data/counting', 5000, 10), RangeError);
    await t.rejects(fx.bucket.getRange('data/empty', 0, 1), RangeError);
  });

  t.test('exists and attributes', async (t) => {
    t.equal(await fx.bucket.exists('a/1'), true);
    t.equal(await fx.bucket.exists('a/404'), false);
    t.equal(await fx.bucket.exists('a'), false, 'a directory is not an object');
    const before = Date.now();
    await fx.bucket.upload('attrs/x', counting(1234));
    const after = Date.now();
    const a = await fx.bucket.attributes('attrs/x');
    t.equal(a.size, 1234);
    // Filesystem mtimes may be rounded down to the second on some filesystems.
    t.ok(a.lastModified >= before - 1000 && a.lastModified <= after + 1000, `lastModified ${a.lastModified} in [${before}, ${after}]`);
    t.equal((await fx.bucket.attributes('data/empty')).size, 0);
  });

  t.test('upload creates, then replaces', async (t) => {
    await fx.bucket.upload('up/new', enc('first version'));
    t.equal(dec(await fx.bucket.get('up/new')), 'first version');
    await fx.bucket.upload('up/new', enc('v2'));
    t.equal(dec(await fx.bucket.get('up/new')), 'v2');
    t.equal((await fx.bucket.attributes('up/new')).size, 2);
    t.same(await fx.bucket.list('up/'), ['up/new']);
    const big = counting(3 << 20);
    await fx.bucket.upload('up/big', big);
    t.same(await fx.bucket.getRange('up/big', (3 << 20) - 7, 7), big.subarray((3 << 20) - 7));
  });

  t.test('upload of a subarray sends only its bytes', async (t) => {
    const backing = counting(100);
    await fx.bucket.upload('up/slice', backing.subarray(10, 20));
    t.same(await fx.bucket.get('up/slice'), counting(100).subarray(10, 20));
  });

  t.test('uploadFile streams a local file: creates, replaces, empty and large files, a missing file fails', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'promfed-upload-file-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const big = counting(5 << 20); // more than any single stream buffer: arrives in many pieces
    writeFileSync(join(dir, 'big'), big);
    writeFileSync(join(dir, 'empty'), new Uint8Array(0));
    writeFileSync(join(dir, 'small'), enc('from a file'));
    await fx.bucket.uploadFile('upf/big', join(dir, 'big'));
    t.equal((await fx.bucket.attributes('upf/big')).size, 5 << 20);
    t.same(await fx.bucket.getRange('upf/big', (5 << 20) - 9, 9), big.subarray((5 << 20) - 9));
    t.same(await fx.bucket.getRange('upf/big', 1_000_003, 5), big.subarray(1_000_003, 1_000_008));
    await fx.bucket.uploadFile('upf/x', join(dir, 'small'));
    t.equal(dec(await fx.bucket.get('upf/x')), 'from a file');
    await fx.bucket.uploadFile('upf/x', join(dir, 'empty'));
    t.equal((await fx.bucket.get('upf/x')).length, 0, 'replaced by the empty file');
    const err = await fx.bucket.uploadFile('upf/missing', join(dir, 'nope')).catch((e: unknown) => e);
    t.ok(err instanceof Error && /ENOENT|no such file/.test(err.message), `a missing file is an error: ${String(err)}`);
    t.equal(await fx.bucket.exists('upf/missing'), false, 'and leaves no object');
  });

  t.test('delete removes; missing objects are ObjectNotFoundError everywhere', async (t) => {
    await fx.bucket.upload('del/x', enc('x'));
    await fx.bucket.delete('del/x');
    t.equal(await fx.bucket.exists('del/x'), false);
    t.same(await fx.bucket.list('del/'), []);
    for (const op of [
      () => fx.bucket.delete('del/x'),
      () => fx.bucket.get('del/x'),
      () => fx.bucket.getRange('del/x', 0, 10),
      () => fx.bucket.getRange('del/x', 0, 0),
      () => fx.bucket.attributes('del/x'),
    ]) {
      const err = await op().then(
        () => undefined,
        (e: unknown) => e,
      );
      t.type(err, ObjectNotFoundError);
      t.equal((err as ObjectNotFoundError).objectName, 'del/x');
    }
  });
}
