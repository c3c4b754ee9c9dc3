import t from 'tap';
import { encodeChunks } from '../../../src/chunkenc/index.js';
import { Labels, StorageError } from '../../../src/model/index.js';
import { seriesSamples } from '../../../src/query/dedup/index.js';
import { LoserTree, ResponseDeduplicator, arraySource, collect, compareSeriesLabels, loadChunkHasher, type StoreSeries } from '../../../src/query/merge/index.js';
import { samples } from './helpers.js';

const labels = Labels.from({ __name__: 'up', job: 'api' });
function store(pairs: [number, number][], perChunk: number): StoreSeries {
  const s = samples(pairs);
  return { labels, chunks: encodeChunks(s.t, s.v, 0, s.n, perChunk) };
}
// The "gap = 3×" case of penalty.test.ts: a every 10 s missing 40 and 50, b 5 s later.
const aPairs: [number, number][] = [0, 10, 20, 30, 60, 70].map((s) => [s * 1000, s]);
const bPairs: [number, number][] = [5, 15, 25, 35, 45, 55, 65, 75].map((s) => [s * 1000, 100 + s]);

async function merged(...stores: StoreSeries[]): Promise<StoreSeries> {
  const h = await loadChunkHasher();
  const out = await collect(new ResponseDeduplicator(new LoserTree(stores.map((s) => arraySource([s])), compareSeriesLabels), h));
  if (out.length !== 1) throw new Error(`expected one merged series, got ${out.length}`);
  return out[0];
}

t.test('chunks of two replicas plus a duplicate store → split, decoded, deduplicated', async (t) => {
  // 3 samples per chunk: a = [0–20] [30–70], b = [5–25] [35–55] [65–75]. Sorted by minTime and split:
  // a's chunks form pseudo-replica 0 (20 < 30), b's pseudo-replica 1; the third store repeats a's chunks
  // byte for byte and chunk dedup drops them. Penalty result as traced in penalty.test.ts.
  const m = await merged(store(aPairs, 3), store(bPairs, 3), store(aPairs, 3));
  t.equal(m.chunks.length, 5, 'duplicate chunks dropped');
  const s = seriesSamples(m, { algorithm: 'penalty' });
  t.same(Array.from(s.timestamps), [0, 10000, 20000, 30000, 55000, 65000, 75000]);
  t.same(Array.from(s.values), [0, 10, 20, 30, 155, 165, 175]);
  t.equal(s.labels, labels);
});

t.test('trimmed to the query range, inclusive at both ends', async (t) => {
  const m = await merged(store(aPairs, 3), store(bPairs, 3));
  const s = seriesSamples(m, { algorithm: 'penalty', mint: 10000, maxt: 55000 });
  t.same(Array.from(s.timestamps), [10000, 20000, 30000, 55000]);
});

t.test('dedup off: overlapping chunks are chain-merged, every sample once in time order', async (t) => {
  const m = await merged(store(aPairs, 3), store(bPairs, 3));
  const s = seriesSamples(m, { algorithm: null });
  t.same(Array.from(s.timestamps), [0, 5, 10, 15, 20, 25, 30, 35, 45, 55, 60, 65, 70, 75].map((x) => x * 1000));
});

t.test('a malformed chunk is a StorageError naming the series', async (t) => {
  const bad: StoreSeries = { labels, chunks: [{ minTime: 0, maxTime: 1, data: new Uint8Array([0, 5, 1]) }] };
  t.throws(() => seriesSamples(bad, { algorithm: 'penalty' }), StorageError);
  t.throws(() => seriesSamples(bad, { algorithm: 'penalty' }), /up\{job="api"\}/);
  t.same(Array.from(seriesSamples({ labels, chunks: [] }, { algorithm: 'penalty' }).timestamps), []);
});
