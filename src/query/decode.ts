/**
 * From merged store series (raw XOR chunks, replicas' chunks together) to engine series: overlap split into
 * pseudo-replicas, decode each, merge them (penalty or chain), trim to the requested range.
 */
import { decodeXOR, xorNumSamples } from '../chunkenc/index.js';
import { TooManySamplesError } from '../model/index.js';
import type { Series } from '../storage/index.js';
import { chainMerge, dedupReplicas, overlapSplit, NO_SAMPLES, type DedupAlgorithm, type ReplicaSamples } from './dedup/index.js';
import type { StoreChunk, StoreSeries } from './merge/index.js';

export interface DecodeOptions {
  /** Replica dedup algorithm, or null when dedup is off (overlapping chunks are then chain-merged). */
  dedup: DedupAlgorithm | null;
  /** The PromQL function around the selector (counter adjustment for rate/increase/irate/resets). */
  func?: string;
  mint: number;
  maxt: number;
}

/** Counts decoded samples against `--query.max-samples`, so one huge selection cannot exhaust memory. */
export class SampleBudget {
  #used = 0;
  constructor(readonly limit: number) {}
  take(n: number): void {
    this.#used += n;
    if (this.#used > this.limit) throw new TooManySamplesError(this.limit);
  }
}

export function decodeStoreSeries(s: StoreSeries, opts: DecodeOptions, budget: SampleBudget): Series {
  if (s.chunks.length === 0) return { labels: s.labels, timestamps: NO_SAMPLES.t, values: NO_SAMPLES.v };
  const pseudo = overlapSplit(s.chunks);
  let merged: ReplicaSamples;
  if (pseudo.length === 1) merged = decodeChain(pseudo[0], budget);
  else {
    const replicas = pseudo.map((p) => decodeChain(p, budget));
    // Without dedup, overlapping chunks of one series (the same data from two stores) still must not
    // interleave into a zig-zag: chain-merge them by timestamp, as Prometheus merges overlapping blocks.
    merged = opts.dedup === null ? chainMerge(replicas) : dedupReplicas(replicas, opts.dedup, opts.func);
  }
  return trim(s, merged, opts.mint, opts.maxt);
}

/** Decodes non-overlapping chunks in time order into one pair of arrays. */
function decodeChain(chunks: readonly StoreChunk[], budget: SampleBudget): ReplicaSamples {
  let total = 0;
  for (const c of chunks) total += xorNumSamples(c.data);
  budget.take(total);
  const t = new Float64Array(total);
  const v = new Float64Array(total);
  let n = 0;
  for (const c of chunks) n += decodeXOR(c.data, t, v, n);
  return { t, v, n };
}

function trim(s: StoreSeries, r: ReplicaSamples, mint: number, maxt: number): Series {
  let lo = 0;
  while (lo < r.n && r.t[lo] < mint) lo++;
  let hi = r.n;
  while (hi > lo && r.t[hi - 1] > maxt) hi--;
  return { labels: s.labels, timestamps: r.t.subarray(lo, hi), values: r.v.subarray(lo, hi) };
}
