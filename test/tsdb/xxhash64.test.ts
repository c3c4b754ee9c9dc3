// RangeHasher against xxhash-wasm's own h64Raw: the same hash (as a bigint, and as words from hashRanges) for
// random ranges of a loaded buffer.
import t from 'tap';
import xxhash from 'xxhash-wasm';
import { RangeHasher } from '../../src/tsdb/xxhash64.js';

t.test('RangeHasher: xxh64 of ranges of a loaded buffer equals h64Raw of the same bytes', async (t) => {
  const api = await xxhash();
  const h = RangeHasher.get();
  const buf = new Uint8Array(300_000);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 7919 + (i >> 9)) & 0xff;
  let seed = 7;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  h.load(buf, 5, 299_000);
  const n = 2000;
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    starts[i] = 5 + rand(290_000);
    ends[i] = starts[i] + rand(i % 10 === 0 ? 4000 : 40); // empty and short ranges too
  }
  const at = h.hashRanges(starts, ends, n);
  const w = h.words;
  let same = 0;
  for (let i = 0; i < n; i++) {
    const want = api.h64Raw(buf.subarray(starts[i], ends[i]));
    const words = (BigInt(w[at + 2 * i + 1]) << 32n) | BigInt(w[at + 2 * i]);
    if (BigInt.asUintN(64, h.hash(starts[i], ends[i])) === want && words === want) same++;
  }
  t.equal(same, n, 'hash() and hashRanges() alike');
  t.throws(() => h.hash(0, 10), RangeError, 'a range outside the loaded bytes');
  t.throws(() => h.hashRanges(Int32Array.of(5), Int32Array.of(300_000), 1), RangeError);
  // Growing the wasm memory: a buffer larger than any before.
  const big = new Uint8Array(5 << 20).fill(3);
  t.equal(BigInt.asUintN(64, h.hashBytes(big)), api.h64Raw(big));
  // The table after a loaded buffer that fills the memory: hashRanges grows it, and `words` follows.
  const i = h.hashRanges(Int32Array.of(1, 0), Int32Array.of(big.length - 1, 0), 2);
  t.equal((BigInt(h.words[i + 1]) << 32n) | BigInt(h.words[i]), api.h64Raw(big.subarray(1, big.length - 1)));
  t.equal((BigInt(h.words[i + 3]) << 32n) | BigInt(h.words[i + 2]), api.h64Raw(new Uint8Array(0)));
  t.equal(BigInt.asUintN(64, h.hashBytes(new Uint8Array(0))), api.h64Raw(new Uint8Array(0)));
});
