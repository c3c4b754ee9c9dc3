/**
 * The GCS test server in a process of its own, for tests that measure the client's memory (the server keeps
 * every uploaded object in memory). Prints `{"endpoint": …}` on stdout once listening; answers to
 * `size <bucket> <object>` lines on stdin with the object's size (−1 when missing).
 */
import { createInterface } from 'node:readline';
import { GcsTestServer } from './gcs-server.js';

const server = await GcsTestServer.start({ buckets: (process.argv[2] ?? 'b').split(',') });
console.log(JSON.stringify({ endpoint: server.endpoint }));
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, bucket, object] = line.split(' ');
  if (cmd === 'size') console.log(String(server.getObject(bucket!, object!)?.length ?? -1));
}
await server.close();
