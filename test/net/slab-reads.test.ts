// connectTcp against a real TCP server on loopback: every byte arrives once and in order, whatever the write
// sizes and however the reader pauses; reads share slabs back to back; joinParts gives views exactly when the
// parts are adjacent.
import { randomBytes } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { connectTcp, joinParts } from '../../src/net/slab-reads.js';

/** A server that sends `writes` (awaiting each write's callback, and a macrotask between) then ends. */
async function server(t: Test, writes: Buffer[]): Promise<number> {
  const srv = net.createServer(async (s) => {
    for (const w of writes) {
      await new Promise<void>((resolve, reject) => s.write(w, (err) => (err ? reject(err) : resolve())));
      await new Promise((r) => setImmediate(r));
    }
    s.end();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => srv.close());
  return (srv.address() as AddressInfo).port;
}

/** Reads the whole stream; `onChunk` may pause the socket. */
function readAll(socket: net.Socket, onChunk?: (c: Buffer, s: net.Socket) => void): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      onChunk?.(c, socket);
    });
    socket.on('end', () => resolve(chunks));
    socket.on('error', reject);
  });
}

t.test('every byte arrives once, in order, from small and large writes', async (t) => {
  const writes: Buffer[] = [];
  for (let i = 0; i < 300; i++) writes.push(randomBytes(i % 7 === 0 ? 300_000 : 1 + ((i * 7919) % 9000)));
  const port = await server(t, writes);
  const chunks = await readAll(connectTcp('127.0.0.1', port));
  t.ok(Buffer.concat(chunks).equals(Buffer.concat(writes)), `${chunks.length} reads carry the ${writes.length} writes exactly`);
});

t.test('consecutive reads lie back to back in one slab', async (t) => {
  // Small writes a macrotask apart: each read is small, so a slab takes many of them.
  const writes = Array.from({ length: 100 }, (_, i) => Buffer.alloc(1000, i));
  const port = await server(t, writes);
  const chunks = await readAll(connectTcp('127.0.0.1', port));
  let adjacent = 0;
  for (let i = 1; i < chunks.length; i++) {
    const a = chunks[i - 1];
    const b = chunks[i];
    if (b.buffer === a.buffer && b.byteOffset === a.byteOffset + a.length) adjacent++;
  }
  t.ok(chunks.length > 1, `${chunks.length} reads`);
  t.ok(adjacent > 0, `${adjacent} of ${chunks.length - 1} consecutive reads adjacent`);
  t.ok(Buffer.concat(chunks).equals(Buffer.concat(writes)));
});

t.test('a quiet connection holds a small slab; a busy one gets bigger reads', async (t) => {
  const quiet = await readAll(connectTcp('127.0.0.1', await server(t, [Buffer.from('ping')])));
  t.equal(quiet[0].toString(), 'ping');
  t.ok(quiet[0].buffer.byteLength <= 16 * 1024, `a ${quiet[0].buffer.byteLength}-byte slab for a 4-byte answer`);

  const big = Array.from({ length: 16 }, () => randomBytes(512 * 1024));
  const busy = await readAll(connectTcp('127.0.0.1', await server(t, big)));
  t.ok(Buffer.concat(busy).equals(Buffer.concat(big)), '8 MiB intact');
  t.ok(Math.max(...busy.map((c) => c.buffer.byteLength)) > 16 * 1024, 'slabs grew past the first size');
});

t.test('pausing the socket holds the sender back and loses nothing', async (t) => {
  const writes = Array.from({ length: 64 }, () => randomBytes(64 * 1024));
  const port = await server(t, writes);
  let pauses = 0;
  const chunks = await readAll(connectTcp('127.0.0.1', port), (_c, s) => {
    if (pauses < 10) {
      pauses++;
      s.pause();
      setTimeout(() => s.resume(), 5);
    }
  });
  t.ok(pauses > 1, `paused ${pauses} times`);
  t.ok(Buffer.concat(chunks).equals(Buffer.concat(writes)), '4 MiB intact across pauses');
});

t.test('a refused connection is an error event, as with net.connect', async (t) => {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  const err = await new Promise<Error>((resolve) => connectTcp('127.0.0.1', port).on('error', resolve));
  t.match(err, { code: 'ECONNREFUSED' });
});

t.test('joinParts', async (t) => {
  // Own memory (not Node's shared pool): whether a result is a view shows by writing to the source after.
  const ab = Buffer.from(new ArrayBuffer(16));
  ab.write('0123456789abcdef');
  const a = ab.subarray(0, 4);
  const b = ab.subarray(4, 10);
  const c = ab.subarray(10, 16);
  const other = Buffer.from(new ArrayBuffer(3));
  other.write('XYZ');

  const whole = joinParts([a, b, c], 16);
  const prefix = joinParts([a, b, c], 7);
  const gap = joinParts([a, c], 10);
  const mixed = joinParts([a, other], 7);
  const one = joinParts([b], 3);
  t.equal(whole.toString(), '0123456789abcdef');
  t.equal(prefix.toString(), '0123456');
  t.equal(gap.toString(), '0123abcdef');
  t.equal(mixed.toString(), '0123XYZ');
  t.equal(one.toString(), '456');
  t.equal(joinParts([], 0).length, 0, 'nothing');

  ab[0] = 0x2a; // '*'
  ab[4] = 0x2a;
  t.equal(whole.toString(), '*123*56789abcdef', 'adjacent parts: a view of their memory, no copy');
  t.equal(prefix.toString(), '*123*56', 'a prefix of adjacent parts: a view');
  t.equal(one.toString(), '*56', 'one part: a view');
  t.equal(gap.toString(), '0123abcdef', 'a gap between parts: copied');
  t.equal(mixed.toString(), '0123XYZ', 'parts of different memory: copied');
});
