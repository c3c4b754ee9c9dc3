// Remote-read framing: uvarint size | CRC-32C (BE) | data, against hand-built bytes. The CRC-32C of
// "123456789" is 0xE3069283 (the standard check value of the Castagnoli polynomial, RFC 3720 B.4).
import t from 'tap';
import { encodeFrame, readFrames } from '../../src/sidecar/index.js';

const CHECK = Buffer.from('123456789');
const CHECK_FRAME = Buffer.from([0x09, 0xe3, 0x06, 0x92, 0x83, ...CHECK]);

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}

async function collect(parts: Uint8Array[], limit?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const f of readFrames(chunks(...parts), limit)) out.push(Buffer.from(f).toString('latin1'));
  return out;
}

t.test('encodeFrame writes the check-value frame byte for byte', async (t) => {
  t.same([...encodeFrame(CHECK)], [...CHECK_FRAME]);
});

t.test('frames split at every byte boundary across network chunks read the same', async (t) => {
  const body = Buffer.concat([CHECK_FRAME, CHECK_FRAME, Buffer.from([0x00, 0x00, 0x00, 0x00, 0x00])]); // + an empty frame (CRC of nothing is 0)
  t.same(await collect([body]), ['123456789', '123456789', '']);
  for (let i = 1; i < body.length; i++) {
    t.same(await collect([body.subarray(0, i), body.subarray(i)]), ['123456789', '123456789', ''], `split at ${i}`);
  }
  // One byte per chunk, each in memory of its own (copied, not viewed).
  t.same(await collect([...body].map((b) => Buffer.from([b]))), ['123456789', '123456789', '']);
  // Three chunks per split: the first two adjacent in memory, the third apart (a view, then a copy).
  for (let i = 1; i < body.length - 1; i++) {
    for (let j = i + 1; j < body.length; j++) {
      const parts = [body.subarray(0, i), body.subarray(i, j), Buffer.from(body.subarray(j))];
      t.same(await collect(parts), ['123456789', '123456789', ''], `split at ${i} and ${j}`);
    }
  }
});

t.test('a frame over chunks adjacent in memory (reads into one slab) is a view, not a copy', async (t) => {
  const slab = Buffer.concat([Buffer.from('xx'), CHECK_FRAME, CHECK_FRAME]);
  // The body starts at offset 2 of the slab (received after other bytes).
  const got: Uint8Array[] = [];
  for await (const f of readFrames(chunks(slab.subarray(2, 9), slab.subarray(9, 16), slab.subarray(16)))) got.push(f);
  t.same(got.map((f) => Buffer.from(f).toString()), ['123456789', '123456789']);
  t.equal(got[0].buffer, slab.buffer, 'the first frame, over two chunks, lies in the received memory');
  t.equal(got[0].byteOffset, slab.byteOffset + 2 + 5);
});

t.test('a size needing two uvarint bytes (300 = ac 02)', async (t) => {
  const data = Buffer.alloc(300, 0x61);
  const f = encodeFrame(data);
  t.same([...f.subarray(0, 2)], [0xac, 0x02]);
  const got = await collect([f.subarray(0, 1), f.subarray(1, 150), f.subarray(150)]);
  t.equal(got.length, 1);
  t.equal(got[0], 'a'.repeat(300));
});

t.test('a CRC mismatch names the frame and both checksums', async (t) => {
  const bad = Buffer.from(CHECK_FRAME);
  bad[bad.length - 1] ^= 1; // data "123456788"
  await t.rejects(collect([CHECK_FRAME, bad]), { name: 'StorageError', message: /remote read frame 1: CRC32C mismatch \(frame says 0xe3069283, data has 0x[0-9a-f]{8}\)/ });
});

t.test('a body that ends inside a frame is an error, not a short answer', async (t) => {
  await t.rejects(collect([CHECK_FRAME, CHECK_FRAME.subarray(0, 7)]), { name: 'StorageError', message: 'remote read response truncated inside frame 1 (7 of 14 bytes received)' });
  // Inside the size field itself: 0x80 promises another byte.
  await t.rejects(collect([Buffer.from([0x80])]), { message: /truncated inside frame 0 \(1 bytes of an incomplete size field/ });
});

t.test('a frame larger than the limit is refused before its data is awaited', async (t) => {
  // Size 50,000,001 = uvarint 81 e1 eb 17; nothing else follows, and the error must not wait for it.
  const head = Buffer.from([0x81, 0xe1, 0xeb, 0x17]);
  await t.rejects(collect([head]), { message: 'remote read frame 0: size 50000001 bytes exceeds the 50000000-byte frame limit' });
  await t.rejects(collect([CHECK_FRAME], 8), { message: /size 9 bytes exceeds the 8-byte frame limit/ });
});

t.test('a size field longer than 10 bytes is malformed', async (t) => {
  await t.rejects(collect([Buffer.alloc(11, 0xff)]), { message: /malformed size/ });
});

t.test('an empty body has no frames', async (t) => {
  t.same(await collect([]), []);
});
