import t from 'tap';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FilesystemBucket, PrefixedBucket } from '../../src/objstore/index.js';
import { bucketAcceptance } from './acceptance.js';

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
