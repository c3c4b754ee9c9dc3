/**
 * dedup: replica dedup — turns the replicas of one series (HA Prometheus pairs, already merged into one
 * series of overlapping chunks by ../merge) into one series. Overlap split deals chunks into
 * pseudo-replicas; `penalty` (default, exactly Thanos's iterator, with the counter adjustment for rate,
 * increase, irate and resets) or `chain` (Prometheus ChainedSeriesMerge) merges their decoded samples.
 *
 * It does not drop identical chunks (that is chunk dedup, ../merge), talk to stores or know PromQL beyond
 * the function name hint. Samples live in Float64Arrays throughout; staleness markers pass bit-exact.
 *
 *   // per merged series from ../merge's ResponseDeduplicator:
 *   const s = seriesSamples(merged, { algorithm: 'penalty', func: hints.func, mint, maxt });  // → Series
 *   // the steps inside: overlapSplit(chunks) → decodeReplica each → dedupReplicas(replicas, 'penalty', func)
 *   // or, over a stream of decoded pseudo-replicas: new DedupSeriesSet(source, 'penalty', hints.func)
 */
export type { ReplicaSamples, SampleIterator } from './sample-iterator.js';
export { drainSamples, NO_SAMPLES } from './sample-iterator.js';
export { isCounterFunc } from './counter-adjust.js';
export { PenaltyDedupIterator, INITIAL_PENALTY_MS } from './penalty.js';
export { chainMerge } from './chain.js';
export { overlapSplit } from './overlap-split.js';
export { DedupSeriesSet, dedupReplicas, type DedupAlgorithm, type ReplicaSeries } from './dedup-series-set.js';
export { seriesSamples, decodeReplica, type SeriesSamplesOptions } from './series-samples.js';
