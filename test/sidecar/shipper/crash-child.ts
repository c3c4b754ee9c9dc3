/**
 * Child process for test/e2e/shipper-crash.test.ts: one shipper sync of `<tsdb>` into a FILESYSTEM bucket
 * at `<bucketDir>`, where the process SIGKILLs itself right after the object named by `<killAfter>` (a suffix,
 * e.g. "/index") has landed — a real crash: no catch, no finally, no cleanup runs.
 *
 *   node --import=tsx crash-child.ts <tsdb> <bucketDir> <killAfter|-> <labels JSON>
 */
import { FilesystemBucket } from '../../../src/objstore/index.js';
import { Shipper } from '../../../src/sidecar/shipper/index.js';
import { RecordingBucket } from './fixtures.js';

const [tsdb, bucketDir, killAfter, labels] = process.argv.slice(2);
if (!tsdb || !bucketDir || !killAfter || !labels) {
  // Run without arguments (tap on the folder): nothing to do, and not a failure.
  process.stdout.write('usage: crash-child.ts <tsdb> <bucketDir> <killAfter|-> <labels JSON>\n');
  process.exit(0);
}
const inner = new FilesystemBucket(bucketDir);
const bucket = new RecordingBucket(inner);
const landed = (name: string): void => {
  process.stdout.write(`uploaded ${name}\n`);
  if (killAfter !== '-' && name.endsWith(killAfter)) process.kill(process.pid, 'SIGKILL');
};
const upload = bucket.upload.bind(bucket);
bucket.upload = async (name, data) => {
  await upload(name, data);
  landed(name);
};
const uploadFile = bucket.uploadFile.bind(bucket);
bucket.uploadFile = async (name, path) => {
  await uploadFile(name, path);
  landed(name);
};
const res = await new Shipper({ tsdbPath: tsdb, bucket, externalLabels: () => JSON.parse(labels) as Record<string, string> }).sync();
process.stdout.write(`result ${JSON.stringify({ uploaded: res.uploaded, error: res.error?.message })}\n`);
