// Chunk segment files built by hand from the format (docs/format/chunks.md); real promtool files are walked
// in promtool.test.ts.
import t from 'tap';
import { crc32c } from '@node-rs/crc32';
import { ChunkSegment, chunkRef, splitChunkRef, SegmentEncoding } from '../../src/chunkenc/index.js';
import { decodeXORAlloc, encodeXOR } from '../../src/chunkenc/index.js';
import { StorageError } from '../../src/model/index.js';
import { mulberry32 } from './fixtures/prng.js';

function entry(encoding: number, data: Uint8Array): number[] {
  const body = [encoding, ...data];
  const crc = crc32c(Uint8Array.from(body)) >>> 0;
  const len: number[] = [];
  let n = data.length;
  while (n >= 0x80) {
    len.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  len.push(n);
  return [...len, ...body, crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff];
}

const HEADER = [0x85, 0xbd, 0x40, 0xdd, 1, 0, 0, 0];
const c1 = encodeXOR([1000, 2000, 3000], Float64Array.of(1, 1, 2));
const big = encodeXOR(Array.from({ length: 120 }, (_, i) => i * 15_000), Float64Array.from({ length: 120 }, () => Math.random()));

t.test('walks entries and reads by offset', async (t) => {
  const file = Uint8Array.from([...HEADER, ...entry(SegmentEncoding.XOR, c1), ...entry(SegmentEncoding.XOR, big)]);
  const seg = new ChunkSegment(file);
  const all = [...seg.chunks()];
  t.equal(all.length, 2);
  t.equal(all[0]!.offset, 8, 'first chunk right after the 8-byte header');
  t.equal(all[1]!.offset, 8 + 1 + 1 + c1.length + 4, 'len(1) + encoding(1) + data + CRC(4)');
  t.equal(all[1]!.offset, all[0]!.next);
  t.ok(big.length >= 128, 'second chunk needs a 2-byte uvarint length');
  t.same(Array.from(all[0]!.data), Array.from(c1));
  t.same(Array.from(seg.chunkAt(all[1]!.offset).data), Array.from(big));
  t.same(Array.from(decodeXORAlloc(all[0]!.data).timestamps), [1000, 2000, 3000]);
  t.equal(all[1]!.encoding, 1, 'XOR is 1 in segment files (Prometheus chunkenc.EncXOR)');
});

t.test('chunk refs: segment index in the high 32 bits', async (t) => {
  t.equal(chunkRef(0, 8), 8);
  t.equal(chunkRef(2, 100), 2 * 2 ** 32 + 100);
  t.same(splitChunkRef(chunkRef(5, 4096)), { segment: 5, offset: 4096 });
});

t.test('bad files give StorageError', async (t) => {
  const good = [...HEADER, ...entry(1, c1)];
  t.throws(() => new ChunkSegment(Uint8Array.from([0x85, 0xbd])), { name: 'StorageError', message: /shorter than the 8-byte header/ });
  t.throws(() => new ChunkSegment(Uint8Array.from([0xba, 0xaa, 0xd7, 0x00, 1, 0, 0, 0])), /magic 0xbaaad700/);
  t.throws(() => new ChunkSegment(Uint8Array.from([0x85, 0xbd, 0x40, 0xdd, 2, 0, 0, 0])), /format version 2/);

  const flipped = Uint8Array.from(good);
  flipped[12] ^= 0x01; // inside the chunk data
  t.throws(() => [...new ChunkSegment(flipped).chunks()], /CRC32C 0x[0-9a-f]+ does not match/);

  for (let cut = 9; cut < good.length; cut++) {
    t.throws(() => [...new ChunkSegment(Uint8Array.from(good.slice(0, cut))).chunks()], StorageError, `truncated at ${cut}`);
  }
  // Trailing bytes that are not an entry: a zero length + zero encoding with no CRC.
  t.throws(() => [...new ChunkSegment(Uint8Array.from([...good, 0, 0])).chunks()], StorageError);
  // A length running far past the end.
  t.throws(() => new ChunkSegment(Uint8Array.from([...HEADER, 0xff, 0xff, 0x03, 1, 2, 3])).chunkAt(8), /runs past the end/);
  const seg = new ChunkSegment(Uint8Array.from(good));
  t.throws(() => seg.chunkAt(4), /outside file/);
  t.throws(() => seg.chunkAt(good.length), /outside file/);
  t.throws(() => seg.chunkAt(8.5), /outside file/);
});

t.test('random bytes after a valid header: StorageError or entries, never anything else', async (t) => {
  const rnd = mulberry32(77);
  let rejected = 0;
  for (let iter = 0; iter < 2000; iter++) {
    const body = Array.from({ length: Math.floor(rnd() * 40) + 1 }, () => Math.floor(rnd() * 256));
    try {
      for (const c of new ChunkSegment(Uint8Array.from([...HEADER, ...body])).chunks()) t.ok(c.next <= 8 + body.length);
    } catch (err) {
      if (!(err instanceof StorageError)) throw err;
      rejected++;
    }
  }
  t.ok(rejected > 1900, `${rejected} of 2000 rejected (a random CRC matches 1 time in 2^32)`);
});
