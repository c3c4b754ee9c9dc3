/**
 * The penalty replica dedup iterator (Thanos `dedupSeriesIterator`, thanos.md §2.5): merges two replicas
 * of a series into one series no denser than either, sticking to one replica and falling over to the
 * other only when the active one has a gap of more than about twice its sample interval.
 *
 * How: both sides are sought to `lastT + 1 + pen`; the earlier sample wins (ties go to a); the side not
 * chosen gets a penalty of twice the gap between the last two emitted samples, so its samples that would
 * sit between the chosen replica's samples are skipped. Three or more replicas are a left fold,
 * `dedup(dedup(r0, r1), r2)`, where the inner iterator is sought through `next()` so its penalties hold.
 *
 * Deliberate difference from Thanos (at the reference HEAD): the counter adjustment is not applied before
 * the first sample has been emitted. Thanos compares against replica a's first value even when replica b
 * is chosen first, raising b's whole series by a difference that never was a reset (#9034, fixed upstream
 * by PR #9041); we skip that comparison.
 */
import type { AdjustableIterator } from './sample-iterator.js';

/**
 * With no previous sample there is no interval to double yet. 5000 ms: timestamps are in milliseconds and
 * scrape intervals are typically several seconds, so samples of the other replica within 5 s of the first
 * chosen one are almost surely the same scrape round and are skipped (Thanos `initialPenalty`).
 */
export const INITIAL_PENALTY_MS = 5000;

/** lastT before anything was emitted (Thanos math.MinInt64); `-Infinity + 1 + pen` stays -Infinity. */
const NONE = Number.NEGATIVE_INFINITY;

export class DedupPenaltyIterator implements AdjustableIterator {
  readonly #a: AdjustableIterator;
  readonly #b: AdjustableIterator;
  readonly #counter: boolean;
  /** Whether a / b still hold a sample (Thanos aval/bval ≠ ValNone). */
  #aok: boolean;
  #bok: boolean;
  #lastT = NONE;
  #penA = 0;
  #penB = 0;
  #useA = true;
  /** Result of the last next(); undefined before the first. */
  #ok: boolean | undefined;

  /** `counter`: apply the counter adjustment at replica switches (isCounterFunc of the query's function). */
  constructor(a: AdjustableIterator, b: AdjustableIterator, counter: boolean) {
    this.#a = a;
    this.#b = b;
    this.#counter = counter;
    this.#aok = a.next();
    this.#bok = b.next();
  }

  next(): boolean {
    // The value emitted last, for the counter adjustment if this step switches replicas.
    const useA = this.#useA;
    const adjust = this.#counter && this.#lastT !== NONE && (useA ? this.#aok : this.#bok);
    const lastVal = adjust ? (useA ? this.#a.at() : this.#b.at()) : 0;

    const ok = this.#step();

    if (adjust && this.#useA !== useA) this.adjustAtValue(lastVal);
    this.#ok = ok;
    return ok;
  }

  #step(): boolean {
    const a = this.#a;
    const b = this.#b;
    // Advance both to at least the next timestamp plus their penalty.
    if (this.#aok) this.#aok = a.seek(this.#lastT + 1 + this.#penA);
    if (this.#bok) this.#bok = b.seek(this.#lastT + 1 + this.#penB);

    if (!this.#aok) {
      this.#useA = false;
      if (!this.#bok) return false;
      this.#lastT = b.atT();
      this.#penB = 0;
      return true;
    }
    if (!this.#bok) {
      this.#useA = true;
      this.#lastT = a.atT();
      this.#penA = 0;
      return true;
    }
    const ta = a.atT();
    const tb = b.atT();
    if (ta <= tb) {
      this.#useA = true;
      this.#penB = this.#lastT !== NONE ? 2 * (ta - this.#lastT) : INITIAL_PENALTY_MS;
      this.#penA = 0;
      this.#lastT = ta;
    } else {
      this.#useA = false;
      this.#penA = this.#lastT !== NONE ? 2 * (tb - this.#lastT) : INITIAL_PENALTY_MS;
      this.#penB = 0;
      this.#lastT = tb;
    }
    return true;
  }

  /**
   * Never the children's own seek: step with next() until the timestamp is reached, so the penalties
   * decide which samples exist (a direct seek on both children could land on a sample the penalty skips).
   */
  seek(t: number): boolean {
    if (this.#ok === undefined && !this.next()) return false;
    if (!this.#ok) return false;
    while (this.atT() < t) if (!this.next()) return false;
    return true;
  }

  atT(): number {
    return this.#useA ? this.#a.atT() : this.#b.atT();
  }

  at(): number {
    return this.#useA ? this.#a.at() : this.#b.at();
  }

  /** Passes a switch of an outer fold level down to both sides that still hold a sample. */
  adjustAtValue(lastValue: number): void {
    if (this.#aok) this.#a.adjustAtValue(lastValue);
    if (this.#bok) this.#b.adjustAtValue(lastValue);
  }
}

/** Left fold over replicas: r0 alone passes through; else dedup(…dedup(dedup(r0, r1), r2)…, rn). */
export function penaltyFold(replicas: readonly AdjustableIterator[], counter: boolean): AdjustableIterator {
  let it = replicas[0];
  for (let i = 1; i < replicas.length; i++) it = new DedupPenaltyIterator(it, replicas[i], counter);
  return it;
}
