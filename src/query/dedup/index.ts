/**
 * dedup: replica dedup — turns the replicas of one series (HA Prometheus pairs, already merged into one
 * series of overlapping chunks by ../merge) into one series. Overlap split deals chunks into
 * pseudo-replicas; `penalty` (default, exactly Thanos's iterator, with the counter adjustment for rate,
 * increase, irate and resets) or `chain` (Prometheus ChainedSeriesMerge) merges their decoded samples.
 *
 * It does not decode chunks (chunkenc), drop identical chunks (that is chunk dedup, ../merge) or trim to
 * the query range. Samples live in Float64Arrays throughout; staleness markers pass bit-exact.
 *
 *   const pseudo = overlapSplit(merged.chunks);                    // StoreChunk[][]
 *   const replicas = pseudo.map(decodeChain);                      // → ReplicaSamples {t, v, n} each
 *   const out = dedupReplicas(replicas, 'penalty', hints.func);    // one ReplicaSamples
 *   // or, over a stream: new DedupSeriesSet(replicaSeriesSource, 'penalty', hints.func)
 */
export type { ReplicaSamples, SampleIterator } from './sample-iterator.js';
export { drainSamples, NO_SAMPLES } from './sample-iterator.js';
export { isCounterFunc } from './counter-adjust.js';
export { PenaltyDedupIterator, INITIAL_PENALTY_MS } from './penalty.js';
export { chainMerge } from './chain.js';
export { overlapSplit } from './overlap-split.js';
export { DedupSeriesSet, dedupReplicas, type DedupAlgorithm, type ReplicaSeries } from './dedup-series-set.js';
