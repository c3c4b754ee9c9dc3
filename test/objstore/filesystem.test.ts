import t from 'tap';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FilesystemBucket, PrefixedBucket } from '../../src/objstore/index.js';
import { bucketAcceptance } from './acceptance.js';
import { until } from '../helpers/wait.js';

t.test('FilesystemBucket: the Bucket contract', async (t) => {
  bucketAcceptance(t, async () => {
    const dir = t.testdir();
    return {
      bucket: new FilesystemBucket(dir),
      seed: async (name, data) => {
        await mkdir(dirname(join(dir, name)), { recursive: true });
        await writeFile(join(dir, name), data);
      },
      cleanup: async () => {},
    };
  });
});

t.test('PrefixedBucket over a FilesystemBucket: the Bucket contract', async (t) => {
  bucketAcceptance(t, async () => {
    const dir = t.testdir();
    return {
      bucket: new PrefixedBucket(new FilesystemBucket(dir), '/tenant-a/blocks/'),
      seed: async (name, data) => {
        const p = join(dir, 'tenant-a/blocks', name);
        await mkdir(dirname(p), { recursive: true });
        await writeFile(p, data);
      },
      cleanup: async () => {},
    };
  });
});

t.test('FilesystemBucket ranged reads: descriptors kept open are bounded, closed by close(), not reused for long', async (t) => {
  const { readdirSync } = await import('node:fs');
  const { rename } = await import('node:fs/promises');
  const openFds = (): number => readdirSync('/proc/self/fd').length;
  const dir = t.testdir();
  for (let i = 0; i < 100; i++) await writeFile(join(dir, `f${i}`), Buffer.from(`file ${i} `.repeat(10)));
  const bucket = new FilesystemBucket(dir);
  const before = openFds();
  for (let round = 0; round < 2; round++) {
    const got = await Promise.all(Array.from({ length: 100 }, (_, i) => bucket.getRange(`f${i}`, 0, 7)));
    got.forEach((b, i) => t.equal(Buffer.from(b).toString(), `file ${i}`.padEnd(7).slice(0, 7), `f${i} read`));
  }
  // Closes are asynchronous (the thread pool runs them, late on a busy machine): wait for them, then check.
  // Up to 1 s, half the 2 s reuse time: descriptors held until they expire would still be counted.
  await until(() => openFds() - before <= 32, 1_000);
  t.ok(openFds() - before <= 32, `at most 32 descriptors kept open (${openFds() - before})`);
  await bucket.close();
  await until(() => openFds() === before, 1_000);
  t.equal(openFds(), before, 'close() closes them all');

  // A file replaced by another process (renamed over it): read anew once the descriptor's reuse time is over.
  await bucket.getRange('f1', 0, 4);
  await writeFile(join(dir, 'f1.new'), Buffer.from('NEW!'));
  await rename(join(dir, 'f1.new'), join(dir, 'f1'));
  await new Promise((r) => setTimeout(r, 2100));
  t.equal(Buffer.from(await bucket.getRange('f1', 0, 4)).toString(), 'NEW!');
  await bucket.close();
});
