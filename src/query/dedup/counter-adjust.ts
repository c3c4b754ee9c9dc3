/**
 * The counter adjustment of the penalty dedup (Thanos `counterErrAdjustSeriesIterator`, thanos.md §2.6):
 * when to apply it, and why. The arithmetic lives with the iterator (penalty.ts: leafAdjust and leafValue,
 * and the same lines inlined in drainPair).
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
/** PromQL functions whose argument is a counter (Thanos `isCounter` at the reference HEAD). */
export function isCounterFunc(func: string | undefined): boolean {
  return func === 'rate' || func === 'increase' || func === 'irate' || func === 'resets';
}
