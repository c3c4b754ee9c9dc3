// Chunk cutting: Prometheus's head rule worked by hand (the promtool test checks it against the real tool).
import t from 'tap';
import { headChunkStarts, encodeChunks, decodeXORAlloc, XorEncoder, xorNumSamples } from '../../src/chunkenc/index.js';

t.test('regular 15 s scrapes from a window start cut every 120 samples', async (t) => {
  const ts = Array.from({ length: 480 }, (_, i) => i * 15_000);
  // After 30 samples: n = trunc(7 200 000 / ((435 000 + 1) · 4)) = 4 → end = 1 800 000 = sample 120.
  // Next: n = trunc(5 400 000 / 1 740 004) = 3 → end = 3 600 000 = sample 240; and so on.
  t.same(headChunkStarts(ts), [0, 120, 240, 360]);
});

t.test('a rate increase inside a chunk is cut at 240 samples, then predicted again', async (t) => {
  const ts: number[] = [];
  for (let i = 0; i < 30; i++) ts.push(i * 60_000);
  for (let k = 1; k <= 370; k++) ts.push(29 * 60_000 + k * 1000);
  // Chunk 1: after 30 samples (29 min) n = trunc(7 200 000 / 6 960 004) = 1 → end = window end; cap at 240.
  // Chunk 2 starts at 1 951 000: n = trunc(5 249 000 / (29 001 · 4)) = 45 → end = 1 951 000 + 116 644 =
  // 2 067 644 → first sample at or after it is 2 068 000 = index 357.
  t.same(headChunkStarts(ts), [0, 240, 357]);
  t.same(headChunkStarts(ts, 0, ts.length, { capAtTwice: false }), [0]);
  t.same(headChunkStarts(ts, 0, 0), []);
});

t.test('a chunk never crosses the chunk-range window end', async (t) => {
  // 10 samples before the 2 h boundary, 10 after: the head cuts at the boundary whatever the count.
  const ts = Array.from({ length: 20 }, (_, i) => 7_200_000 - 10 * 15_000 + i * 15_000);
  t.same(headChunkStarts(ts), [0, 10]);
  t.same(headChunkStarts(ts, 0, ts.length, { chunkRange: 4 * 3_600_000 }), [0]);
});

t.test('encodeChunks output decodes back; XorEncoder.reset starts a new chunk', async (t) => {
  const ts = Array.from({ length: 300 }, (_, i) => 1_700_000_000_000 + i * 15_000 + (i % 3));
  const vs = Float64Array.from(ts, (_, i) => i * 0.25);
  const chunks = encodeChunks(ts, vs, 10, 300, 100);
  t.same(chunks.map((c) => xorNumSamples(c.data)), [100, 100, 90]);
  const back = chunks.flatMap((c) => Array.from(decodeXORAlloc(c.data).timestamps));
  t.same(back, ts.slice(10));
  t.throws(() => encodeChunks(ts, vs, 0, 10, 0), RangeError);

  const e = new XorEncoder();
  e.append(5, 1);
  e.append(6, 2);
  e.reset();
  t.equal(e.numSamples, 0);
  e.append(5, 1);
  const one = new XorEncoder();
  one.append(5, 1);
  t.same(Array.from(e.bytes()), Array.from(one.bytes()));
});
