/**
 * dedup: replica dedup throughput, one core. 10k series × 2 h at 15 s = 480 samples per series per replica,
 * from 2 or 3 HA replicas (stores), each replica scraping at its own phase with a few ms of jitter, and a
 * few gaps (a replica restart on 1 series in 50, a lost scrape now and then). Per round: the replicas'
 * sorted series streams → loser-tree k-way merge → grouping of equal labels → penalty dedup of the
 * decoded samples into output arrays. Figure = input samples (all replicas) per second.
 * Thanos's own iterator costs 25–35 ns per sample (thanos.md §8.1); our target is ≥ 30 M samples/s.
 *
 * dedup_pipeline_2x is the whole per-query path on the same data as XOR chunks (≤ 120 samples, no store
 * hashes, so every chunk is hashed): merge → chunk dedup → overlap split → decode → penalty → trim, i.e.
 * what the querier pays per sample on top of the network. Same unit: input samples per second.
 */
import { Labels } from '../src/model/index.js';
import { encodeChunks } from '../src/chunkenc/index.js';
import { DedupSeriesSet, seriesSamples, type ReplicaSeries } from '../src/query/dedup/index.js';
import {
  LoserTree,
  ResponseDeduplicator,
  arraySource,
  compareSeriesLabels,
  loadChunkHasher,
  type ChunkHasher,
  type StoreSeries,
} from '../src/query/merge/index.js';
import { measureRate, type BenchResult } from './measure.js';

export const name = 'dedup';

const SERIES = 10_000;
const SAMPLES = 480; // 2 h at 15 s
const START = 1_704_067_200_000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** One replica's view of every series, in label order. Replica r of series s scrapes at its own phase. */
function replica(labels: readonly Labels[], r: number, seed: number): { series: ReplicaSeries[]; samples: number } {
  const rnd = mulberry32(seed);
  const series: ReplicaSeries[] = [];
  let total = 0;
  for (let s = 0; s < labels.length; s++) {
    const phase = Math.floor(rnd() * 15_000);
    // 1 series in 50: this replica was down for 10–40 minutes somewhere in the window.
    const down = rnd() < 0.02 ? Math.floor(rnd() * SAMPLES) : -1;
    const downLen = 40 + Math.floor(rnd() * 120);
    const t = new Float64Array(SAMPLES);
    const v = new Float64Array(SAMPLES);
    let n = 0;
    let counter = Math.floor(rnd() * 1e6);
    for (let i = 0; i < SAMPLES; i++) {
      counter += Math.floor(rnd() * 100);
      if (down >= 0 && i >= down && i < down + downLen) continue;
      if (rnd() < 0.002) continue; // a lost scrape
      t[n] = START + i * 15_000 + phase + Math.round((rnd() - 0.5) * 10);
      v[n] = counter + r; // replicas see nearly the same counter
      n++;
    }
    total += n;
    series.push({ labels: labels[s], samples: { t, v, n } });
  }
  return { series, samples: total };
}

function seriesLabels(): Labels[] {
  const labels: Labels[] = [];
  for (let s = 0; s < SERIES; s++) {
    labels.push(Labels.from({ __name__: 'http_requests_total', instance: `10.0.${s >> 8}.${s & 255}:9090`, job: 'api' }));
  }
  return labels.sort(Labels.compare);
}

function bench(replicas: number): BenchResult {
  const labels = seriesLabels();
  const stores = Array.from({ length: replicas }, (_, r) => replica(labels, r, 1000 + r));
  const input = stores.reduce((a, s) => a + s.samples, 0);
  let out = 0;
  const rate = measureRate(
    () => {
      const tree = new LoserTree(
        stores.map((s) => arraySource(s.series)),
        compareSeriesLabels,
      );
      const set = new DedupSeriesSet(tree, 'penalty', 'rate');
      let n = 0;
      while (set.next() === true) n += set.at().timestamps.length;
      out = n;
    },
    input,
    { warmupMs: 1000, roundMs: 300, rounds: 7 },
  );
  if (out < SERIES * SAMPLES * 0.9) throw new Error(`dedup produced only ${out} samples`);
  return { name: `dedup_penalty_${replicas}x`, value: Math.round(rate), unit: 'samples/s' };
}

function benchPipeline(hasher: ChunkHasher): BenchResult {
  const labels = seriesLabels();
  const decoded = [replica(labels, 0, 1000), replica(labels, 1, 1001)];
  const input = decoded[0].samples + decoded[1].samples;
  const stores: StoreSeries[][] = decoded.map((d) =>
    d.series.map((s) => ({ labels: s.labels, chunks: encodeChunks(s.samples.t, s.samples.v, 0, s.samples.n) })),
  );
  const mint = START;
  const maxt = START + SAMPLES * 15_000;
  let out = 0;
  const rate = measureRate(
    () => {
      const merged = new ResponseDeduplicator(
        new LoserTree(
          stores.map((s) => arraySource(s)),
          compareSeriesLabels,
        ),
        hasher,
      );
      let n = 0;
      while (merged.next() === true) n += seriesSamples(merged.at(), { algorithm: 'penalty', func: 'rate', mint, maxt }).timestamps.length;
      out = n;
    },
    input,
    { warmupMs: 1000, roundMs: 300, rounds: 5 },
  );
  if (out < SERIES * SAMPLES * 0.9) throw new Error(`pipeline produced only ${out} samples`);
  return { name: 'dedup_pipeline_2x', value: Math.round(rate), unit: 'samples/s' };
}

export async function run(): Promise<BenchResult[]> {
  return [bench(2), bench(3), benchPipeline(await loadChunkHasher())];
}
