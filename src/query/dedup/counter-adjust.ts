/**
 * A leaf of the replica dedup: an iterator over one pseudo-replica's decoded samples, optionally with the
 * counter adjustment (Thanos `counterErrAdjustSeriesIterator`, thanos.md §2.6).
 *
 * Why the adjustment: two replicas scrape the same counter at different moments, and the samples the
 * penalty iterator stitches together can come from both. When it switches from replica a to replica b
 * and b's next value is below a's last one, rate()/increase() see a counter reset and count b's whole
 * value as increase: the spikes of Thanos #2401. A counter cannot go down across a switch, so b's values
 * from then on are raised by the difference:
 *
 *   value                                      emitted without       with adjustment
 *    100 ┤           a●                        90, 95, 100,          90, 95, 100,
 *     98 ┤                          b○         95  ← "reset":        95+5 = 100,
 *     95 ┤     a●          b○ ← first b after   rate counts +95      98+5 = 103
 *     90 ┤ a●                 the switch (a has a gap here)
 *        └──┬─────┬─────┬─────┬─────┬──── t
 *           0    15    30    45    60
 *
 *   at the switch: last = 100 (a), b now = 95 → errAdjust_b += 100 − 95 = 5; b's later values carry +5.
 *
 * The adjustment only ever grows and only for the four counter functions (isCounterFunc); for anything
 * else (a gauge may legitimately go down across a switch) it is never applied.
 */
import type { AdjustableIterator, ReplicaSamples } from './sample-iterator.js';

/** PromQL functions whose argument is a counter (Thanos `isCounter` at the reference HEAD). */
export function isCounterFunc(func: string | undefined): boolean {
  return func === 'rate' || func === 'increase' || func === 'irate' || func === 'resets';
}

export class ReplicaCursor implements AdjustableIterator {
  readonly #t: Float64Array;
  readonly #v: Float64Array;
  readonly #n: number;
  readonly #counter: boolean;
  #i = -1;
  /** Added to every value read (counter mode only); grows at replica switches. */
  #errAdjust = 0;

  constructor(samples: ReplicaSamples, counter: boolean) {
    this.#t = samples.t;
    this.#v = samples.v;
    this.#n = samples.n;
    this.#counter = counter;
  }

  next(): boolean {
    if (this.#i < this.#n) this.#i++;
    return this.#i < this.#n;
  }

  seek(t: number): boolean {
    let i = this.#i < 0 ? 0 : this.#i;
    const ts = this.#t;
    const n = this.#n;
    while (i < n && ts[i] < t) i++;
    this.#i = i;
    return i < n;
  }

  atT(): number {
    return this.#t[this.#i];
  }

  /**
   * The value plus the counter adjustment. A NaN (the staleness marker above all) is returned untouched:
   * arithmetic on the marker, a signalling NaN, would quieten it into an ordinary NaN.
   */
  at(): number {
    const v = this.#v[this.#i];
    const adj = this.#errAdjust;
    return adj === 0 || v !== v ? v : v + adj;
  }

  adjustAtValue(lastValue: number): void {
    if (!this.#counter) return;
    const v = this.at();
    if (lastValue > v) this.#errAdjust += lastValue - v;
  }
}
