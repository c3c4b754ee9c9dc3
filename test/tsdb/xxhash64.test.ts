// RangeHasher against xxhash-wasm's own h64Raw: the same hash (as a bigint and as words) for random ranges of a loaded buffer.
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
  let same = 0;
  for (let i = 0; i < 2000; i++) {
    const s = 5 + rand(290_000);
    const e = s + rand(i % 10 === 0 ? 4000 : 40); // empty and short ranges too
    const want = api.h64Raw(buf.subarray(s, e));
    h.hashWords(s, e);
    const words = (BigInt(h.hi) << 32n) | BigInt(h.lo);
    if (BigInt.asUintN(64, h.hash(s, e)) === want && words === want) same++;
  }
  t.equal(same, 2000, 'hash() and hashWords() alike');
  t.throws(() => h.hash(0, 10), RangeError, 'a range outside the loaded bytes');
  t.throws(() => h.hashWords(0, 10), RangeError);
  // Growing the wasm memory: a buffer larger than any before.
  const big = new Uint8Array(5 << 20).fill(3);
  t.equal(BigInt.asUintN(64, h.hashBytes(big)), api.h64Raw(big));
  h.hashWords(1, big.length - 1); // the words' view survives the memory growing
  t.equal((BigInt(h.hi) << 32n) | BigInt(h.lo), api.h64Raw(big.subarray(1, big.length - 1)));
  t.equal(BigInt.asUintN(64, h.hashBytes(new Uint8Array(0))), api.h64Raw(new Uint8Array(0)));
});
