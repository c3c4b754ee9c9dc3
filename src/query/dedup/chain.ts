/**
 * The `chain` replica dedup (`--deduplication.func=chain`, Thanos #7807/PR #7808): Prometheus
 * `storage.ChainedSeriesMerge` semantics — every sample of every replica, merged by timestamp, one sample
 * per timestamp. Meant for setups where replicas hold different parts of the data (receivers), where
 * the penalty algorithm would drop real samples.
 *
 * Equal timestamps: Prometheus's chain sample iterator keeps the sample of whichever iterator comes first
 * in its heap order and skips the others (`currT == lastT` → ignored). Its heap compares only timestamps,
 * so which replica that is on a tie is an accident of heap layout. We make it deterministic: the replica
 * listed first wins (pseudo-replicas are listed in overlap-split order, so the one opened first).
 * Replicas normally agree on a shared timestamp, so the choice rarely matters.
 *
 * Works on whole arrays rather than through an iterator tree: there are no penalties to honour, and the
 * few replicas of a series are scanned linearly for the smallest head.
 */
import { NO_SAMPLES, type ReplicaSamples } from './sample-iterator.js';

export function chainMerge(replicas: readonly ReplicaSamples[]): ReplicaSamples {
  const k = replicas.length;
  if (k === 0) return NO_SAMPLES;
  if (k === 1) return replicas[0];
  let total = 0;
  for (const r of replicas) total += r.n;
  const t = new Float64Array(total);
  const v = new Float64Array(total);
  const pos = new Int32Array(k);
  let n = 0;
  for (;;) {
    // The smallest head timestamp; strict < keeps the first-listed replica on a tie.
    let best = -1;
    let bestT = 0;
    for (let i = 0; i < k; i++) {
      const r = replicas[i];
      if (pos[i] < r.n && (best < 0 || r.t[pos[i]] < bestT)) {
        best = i;
        bestT = r.t[pos[i]];
      }
    }
    if (best < 0) break;
    t[n] = bestT;
    v[n] = replicas[best].v[pos[best]];
    n++;
    // Collapse: every head at this timestamp is consumed, the chosen one's sample was emitted.
    for (let i = 0; i < k; i++) {
      const r = replicas[i];
      if (pos[i] < r.n && r.t[pos[i]] === bestT) pos[i]++;
    }
  }
  return { t: t.subarray(0, n), v: v.subarray(0, n), n };
}
