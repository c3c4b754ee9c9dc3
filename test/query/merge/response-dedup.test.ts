import t from 'tap';
import { Labels, StorageError } from '../../../src/model/index.js';
import {
  LoserTree,
  ResponseDeduplicator,
  arraySource,
  chunkKey,
  collect,
  compareSeriesLabels,
  loadChunkHasher,
  sortWithoutLabels,
  type StoreChunk,
  type StoreSeries,
} from '../../../src/query/merge/index.js';

const enc = new TextEncoder();
const chunk = (minTime: number, maxTime: number, bytes: string, hash?: bigint | string): StoreChunk => ({
  minTime,
  maxTime,
  data: enc.encode(bytes),
  hash,
});
const series = (ls: Record<string, string>, chunks: StoreChunk[]): StoreSeries => ({ labels: Labels.from(ls), chunks });
const show = (s: StoreSeries) =>
  `${s.labels.toString()} ${s.chunks.map((c) => `[${c.minTime},${c.maxTime}:${new TextDecoder().decode(c.data)}]`).join('')}`;

t.test('xxhash64 matches the reference values of the algorithm', async (t) => {
  const h = await loadChunkHasher();
  // Published XXH64 (seed 0) test vectors.
  t.equal(h.h64(new Uint8Array(0)), 0xef46db3751d8e999n, 'empty input');
  t.equal(h.h64(enc.encode('abc')), 0x44bc2cf5ad770999n, '"abc"');
  t.equal(await loadChunkHasher(), h, 'initialised once, shared');
});

t.test('chunk key: the store hash when given (string or bigint), else the hash of the bytes', async (t) => {
  const h = await loadChunkHasher();
  const abc = 0x44bc2cf5ad770999n;
  const cases: [string, StoreChunk, bigint][] = [
    ['no hash → xxhash of data', chunk(0, 1, 'abc'), abc],
    ["'0' means not computed", chunk(0, 1, 'abc', '0'), abc],
    ['0n means not computed', chunk(0, 1, 'abc', 0n), abc],
    ['decimal string', chunk(0, 1, 'abc', '123'), 123n],
    ['bigint', chunk(0, 1, 'abc', 123n), 123n],
    ['full uint64 string', chunk(0, 1, 'x', '18446744073709551615'), 18446744073709551615n],
  ];
  for (const [name, c, want] of cases) t.equal(chunkKey(c, h), want, name);
  t.throws(() => chunkKey(chunk(0, 1, 'abc', '12ab'), h), StorageError, 'corrupt hash string is a StorageError');
});

t.test('chunk dedup drops identical chunks from two stores and sorts by (minTime, maxTime, bytes)', async (t) => {
  const h = await loadChunkHasher();
  // Store A and store B both hold the chunk "X" over [0,100] (separate byte arrays, no hash sent), B
  // also has an overlapping "Z", A a later "Y". Expected, by hand: X once, then Z (minTime 50), then Y.
  const a = [series({ a: '1' }, [chunk(0, 100, 'X'), chunk(101, 200, 'Y')]), series({ a: '2' }, [chunk(0, 10, 'Q')])];
  const b = [series({ a: '1' }, [chunk(0, 100, 'X'), chunk(50, 150, 'Z')])];
  const merged = await collect(new ResponseDeduplicator(new LoserTree([arraySource(a), arraySource(b)], compareSeriesLabels), h));
  t.same(merged.map(show), ['{a="1"} [0,100:X][50,150:Z][101,200:Y]', '{a="2"} [0,10:Q]']);
});

t.test('chunk dedup by the store hash: equal hashes are one chunk, as string or bigint', async (t) => {
  const h = await loadChunkHasher();
  const merged = await collect(
    new ResponseDeduplicator(
      arraySource([series({ a: '1' }, [chunk(0, 100, 'X', '42')]), series({ a: '1' }, [chunk(0, 100, 'X', 42n), chunk(0, 100, 'W', '43')])]),
      h,
    ),
  );
  // Same (minTime, maxTime): bytes decide, "W" < "X".
  t.same(merged.map(show), ['{a="1"} [0,100:W][0,100:X]']);
});

t.test('a lone series passes through; its chunks are put in order if a store sent them unsorted', async (t) => {
  const h = await loadChunkHasher();
  const sorted = series({ a: '1' }, [chunk(0, 10, 'A'), chunk(11, 20, 'B')]);
  const unsorted = series({ a: '2' }, [chunk(11, 20, 'B'), chunk(0, 10, 'A')]);
  const merged = await collect(new ResponseDeduplicator(arraySource([sorted, unsorted]), h));
  t.equal(merged[0], sorted, 'same object');
  t.same(merged.map(show), ['{a="1"} [0,10:A][11,20:B]', '{a="2"} [0,10:A][11,20:B]']);
});

t.test('sortWithoutLabels removes replica labels and restores label order', async (t) => {
  // Sorted WITH the replica label, {a=1,replica=0,z=1} comes first (replica 0 < 1); without it,
  // z=0 < z=1 puts the other first. The two {a=1,z=1} end up adjacent, ready for chunk dedup.
  const input = [
    series({ a: '1', replica: '0', z: '1' }, [chunk(0, 1, 'p')]),
    series({ a: '1', replica: '1', z: '0' }, [chunk(0, 1, 'q')]),
    series({ a: '1', replica: '1', z: '1' }, [chunk(0, 1, 'r')]),
  ];
  const out = sortWithoutLabels(input, ['replica']);
  t.same(out.map(show), ['{a="1", z="0"} [0,1:q]', '{a="1", z="1"} [0,1:p]', '{a="1", z="1"} [0,1:r]']);
  t.equal(input[0].labels.get('replica'), '0', 'input untouched');
  t.same(sortWithoutLabels(input, []).map((s) => s.labels.get('z')), ['1', '0', '1'], 'nothing removed: already sorted');
});
