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

/** Decodes a non-overlapping run of chunks (one pseudo-replica) into one pair of fresh arrays. */
export function decodeReplica(chunks: readonly StoreChunk[]): ReplicaSamples {
  const total = countSamples(chunks);
  return decodeInto(chunks, new Float64Array(total), new Float64Array(total));
}

/** One merged series → one Series. Throws StorageError naming the series when a chunk is malformed. */
export function seriesSamples(series: StoreSeries, opts: SeriesSamplesOptions): Series {
  let s: ReplicaSamples;
  try {
    const split = overlapSplit(series.chunks);
    if (split.length <= 1) {
      s = decodeReplica(split.length === 0 ? [] : split[0]);
    } else {
      // Pseudo-replicas only live until dedup has copied the chosen samples out, so they are decoded into
      // reused scratch arrays: two fewer allocations per replica per series, which the GC notices.
      const replicas = split.map((chunks, j) => {
        const buf = scratchFor(j, countSamples(chunks));
        return decodeInto(chunks, buf.t, buf.v);
      });
      s = opts.algorithm === null ? chainMerge(replicas) : dedupReplicas(replicas, opts.algorithm, opts.func);
    }
  } catch (cause) {
    throw new StorageError(`decode chunks of series ${series.labels.toString()}`, { cause });
  }
  return { labels: series.labels, ...trim(s, opts.mint ?? -Infinity, opts.maxt ?? Infinity) };
}

function countSamples(chunks: readonly StoreChunk[]): number {
  let total = 0;
  for (const c of chunks) total += xorNumSamples(c.data);
  return total;
}

function decodeInto(chunks: readonly StoreChunk[], t: Float64Array, v: Float64Array): ReplicaSamples {
  let n = 0;
  for (const c of chunks) n += decodeXOR(c.data, t, v, n);
  return { t, v, n };
}

/**
 * Scratch arrays per pseudo-replica index, grown to the largest series seen and kept (module state is
 * safe: decoding and dedup are synchronous). Series beyond MAX_SCRATCH samples get one-off arrays so one
 * huge series does not pin memory for the life of the process.
 */
const MAX_SCRATCH = 1 << 16;
const scratch: { t: Float64Array; v: Float64Array }[] = [];

function scratchFor(j: number, size: number): { t: Float64Array; v: Float64Array } {
  if (size > MAX_SCRATCH) return { t: new Float64Array(size), v: new Float64Array(size) };
  let s = scratch[j];
  if (s === undefined || s.t.length < size) {
    let cap = 1024;
    while (cap < size) cap *= 2;
    s = { t: new Float64Array(cap), v: new Float64Array(cap) };
    scratch[j] = s;
  }
  return s;
}

/** The samples with mint ≤ t ≤ maxt, as views (no copy). */
function trim(s: ReplicaSamples, mint: number, maxt: number): { timestamps: Float64Array; values: Float64Array } {
  let lo = 0;
  while (lo < s.n && s.t[lo] < mint) lo++;
  let hi = s.n;
  while (hi > lo && s.t[hi - 1] > maxt) hi--;
  return { timestamps: s.t.subarray(lo, hi), values: s.v.subarray(lo, hi) };
}
