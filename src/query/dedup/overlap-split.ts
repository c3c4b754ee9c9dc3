/**
 * Overlap split (Thanos `NewOverlapSplit`, thanos.md §2.3): after chunk dedup a series holds the chunks of
 * all its replicas, overlapping in time. Replica dedup needs replicas, i.e. time-ordered runs of samples,
 * so the chunks are dealt into pseudo-replicas: each chunk goes to the first pseudo-replica whose last
 * chunk ends before the chunk starts (`maxTime < minTime`), or opens a new one.
 *
 * Greedy and first-fit, so the pseudo-replicas are not necessarily the original stores: with one store's
 * chunk missing, the other store's next chunk may move into pseudo-replica 0. That is fine: the penalty
 * iterator only needs each pseudo-replica to be non-overlapping and sorted.
 */
import type { StoreChunk } from '../merge/index.js';

/** Chunks must be sorted by minTime (as the response deduplicator leaves them). */
export function overlapSplit(chunks: readonly StoreChunk[]): StoreChunk[][] {
  const replicas: StoreChunk[][] = [];
  for (const c of chunks) {
    let placed = false;
    for (const r of replicas) {
      if (r[r.length - 1].maxTime < c.minTime) {
        r.push(c);
        placed = true;
        break;
      }
    }
    if (!placed) replicas.push([c]);
  }
  return replicas;
}
