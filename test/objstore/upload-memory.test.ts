// A streamed file upload to GCS holds a bounded part of the file in memory, whatever the file's size: the
// shipper uploads chunk segments of up to 512 MiB. The GCS test server runs in its own process (it keeps
// objects in memory) so that this process's memory is the client's alone.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { GcsBucket } from '../../src/objstore/index.js';

const FILE_BYTES = 160 << 20;
// Streaming leaves ~25–30 MiB of read buffers for the collector at any file size (measured with 32, 96 and 192
// MiB files); reading the file whole first grows buffers by the whole file.
const BOUND = FILE_BYTES / 2;

t.test('uploadFile of a 160 MiB file holds a bounded part of it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'promfed-upload-memory-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, '000001');
  // Written a MiB at a time, so that no buffer of the file's size exists in this process.
  const fd = openSync(path, 'w');
  const piece = Buffer.alloc(1 << 20, 0x5a);
  for (let i = 0; i < FILE_BYTES >> 20; i++) writeSync(fd, piece);
  closeSync(fd);

  const child = spawn(process.execPath, ['--import=tsx', fileURLToPath(new URL('../helpers/gcs-server-child.ts', import.meta.url)), 'b'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  t.teardown(() => {
    child.kill();
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const { endpoint } = JSON.parse((await lines.next()).value as string) as { endpoint: string };
  const bucket = new GcsBucket({ bucket: 'b', endpoint });
  t.teardown(() => bucket.close());

  const base = process.memoryUsage();
  let peakExternal = 0;
  let peakHeap = 0;
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    peakExternal = Math.max(peakExternal, m.arrayBuffers - base.arrayBuffers);
    peakHeap = Math.max(peakHeap, m.heapUsed - base.heapUsed);
  }, 2);
  try {
    await bucket.uploadFile('blk/chunks/000001', path);
  } finally {
    clearInterval(sample);
  }
  child.stdin!.write('size b blk/chunks/000001\n');
  t.equal(Number((await lines.next()).value), FILE_BYTES, 'the server has the whole file');
  const mib = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;
  t.ok(peakExternal < BOUND, `buffers grew by at most ${mib(peakExternal)} (file ${mib(FILE_BYTES)})`);
  t.ok(peakHeap < BOUND, `heap grew by at most ${mib(peakHeap)}`);
});
