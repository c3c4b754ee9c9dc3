/**
 * From one merged series of chunks (the response deduplicator's output) to the engine's `Series`:
 * overlap split → decode each pseudo-replica → replica dedup → trim to the query range. This is the
 * per-series step of the querier's Queryable; decoding happens only here, after chunk dedup.
 */
import { decodeXOR, xorNumSamples } from '../../chunkenc/index.js';
import { StorageError } from '../../model/index.js';
import type { Series } from '../../storage/index.js';
import type { StoreChunk, StoreSeries } from '../merge/index.js';
import { chainMerge } from './chain.js';
import { dedupReplicas, type DedupAlgorithm } from './dedup-series-set.js';
import { overlapSplit } from './overlap-split.js';
import type { ReplicaSamples } from './sample-iterator.js';

export interface SeriesSamplesOptions {
  /**
   * Replica dedup algorithm, or null with dedup off. With dedup off, a series can still hold overlapping
   * chunks (two stores with overlapping blocks of the same series); those are chain-merged, which is how
   * Prometheus merges overlapping series (ChainedSeriesMerge), so samples stay in time order.
   */
  algorithm: DedupAlgorithm | null;
  /** SelectHints.func: the counter adjustment applies for rate, increase, irate, resets. */
  func?: string;
  /** Inclusive query range, ms; chunks may extend beyond it (StoreAPI contract), samples outside are cut. */
  mint?: number;
  maxt?: number;
}

/** Decodes a non-overlapping run of chunks (one pseudo-replica) into one pair of arrays. */
export function decodeReplica(chunks: readonly StoreChunk[]): ReplicaSamples {
  let total = 0;
  for (const c of chunks) total += xorNumSamples(c.data);
  const t = new Float64Array(total);
  const v = new Float64Array(total);
  let n = 0;
  for (const c of chunks) n += decodeXOR(c.data, t, v, n);
  return { t, v, n };
}

/** One merged series → one Series. Throws StorageError naming the series when a chunk is malformed. */
export function seriesSamples(series: StoreSeries, opts: SeriesSamplesOptions): Series {
  let replicas: ReplicaSamples[];
  try {
    replicas = overlapSplit(series.chunks).map(decodeReplica);
  } catch (cause) {
    throw new StorageError(`decode chunks of series ${series.labels.toString()}`, { cause });
  }
  let s: ReplicaSamples;
  if (replicas.length === 0) s = { t: new Float64Array(0), v: new Float64Array(0), n: 0 };
  else if (replicas.length === 1) s = replicas[0];
  else s = opts.algorithm === null ? chainMerge(replicas) : dedupReplicas(replicas, opts.algorithm, opts.func);
  return { labels: series.labels, ...trim(s, opts.mint ?? -Infinity, opts.maxt ?? Infinity) };
}

/** The samples with mint ≤ t ≤ maxt, as views (no copy). */
function trim(s: ReplicaSamples, mint: number, maxt: number): { timestamps: Float64Array; values: Float64Array } {
  let lo = 0;
  while (lo < s.n && s.t[lo] < mint) lo++;
  let hi = s.n;
  while (hi > lo && s.t[hi - 1] > maxt) hi--;
  return { timestamps: s.t.subarray(lo, hi), values: s.v.subarray(lo, hi) };
}
