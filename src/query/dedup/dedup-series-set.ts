/**
 * Replica dedup over a sorted stream of pseudo-replica series (Thanos `dedupSeriesSet`, thanos.md §2.4):
 * consecutive series with equal labels are replicas of one series; a lone one passes through, several are
 * merged by the chosen algorithm into one `Series` for the engine.
 */
import { assertNever, type Labels } from '../../model/index.js';
import type { Series } from '../../storage/index.js';
import { GroupedSource, type SortedSource } from '../merge/index.js';
import { chainMerge } from './chain.js';
import { isCounterFunc } from './counter-adjust.js';
import { PenaltyDedupIterator } from './penalty.js';
import type { ReplicaSamples } from './sample-iterator.js';

/** `--deduplication.func`. */
export type DedupAlgorithm = 'penalty' | 'chain';

/** One pseudo-replica of a series, decoded. */
export interface ReplicaSeries {
  readonly labels: Labels;
  readonly samples: ReplicaSamples;
}

/**
 * Merges the replicas of one series. `func` is the PromQL function around the selector (SelectHints.func):
 * for rate, increase, irate and resets the penalty algorithm applies the counter adjustment.
 */
export function dedupReplicas(replicas: readonly ReplicaSamples[], algorithm: DedupAlgorithm, func?: string): ReplicaSamples {
  if (replicas.length === 1) return replicas[0];
  switch (algorithm) {
    case 'chain':
      return chainMerge(replicas);
    case 'penalty':
      return new PenaltyDedupIterator(replicas, isCounterFunc(func)).drain();
    default:
      return assertNever(algorithm, 'deduplication algorithm');
  }
}

export class DedupSeriesSet implements SortedSource<Series> {
  readonly #groups: GroupedSource<ReplicaSeries>;
  readonly #algorithm: DedupAlgorithm;
  readonly #func: string | undefined;
  #cur: Series | undefined;

  /** `src` must be in label order with the pseudo-replicas of a series adjacent (overlap split output). */
  constructor(src: SortedSource<ReplicaSeries>, algorithm: DedupAlgorithm, func?: string) {
    this.#groups = new GroupedSource(src, (a, b) => a.labels.equals(b.labels));
    this.#algorithm = algorithm;
    this.#func = func;
  }

  at(): Series {
    return this.#cur as Series;
  }

  next(): boolean | Promise<boolean> {
    const r = this.#groups.next();
    if (typeof r === 'boolean') return this.#dedup(r);
    return r.then((ok) => this.#dedup(ok));
  }

  #dedup(ok: boolean): boolean {
    if (!ok) {
      this.#cur = undefined;
      return false;
    }
    const group = this.#groups.at();
    const s =
      group.length === 1
        ? group[0].samples
        : dedupReplicas(
            group.map((g) => g.samples),
            this.#algorithm,
            this.#func,
          );
    this.#cur = { labels: group[0].labels, timestamps: exact(s.t, s.n), values: exact(s.v, s.n) };
    return true;
  }
}

function exact(a: Float64Array, n: number): Float64Array {
  return a.length === n ? a : a.subarray(0, n);
}
