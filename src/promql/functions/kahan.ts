/**
 * Kahan–Neumaier compensated summation, exactly as Prometheus 3's `kahanSumInc` (promql/functions.go).
 *
 * Go returns the pair (sum, c); returning an array per call would allocate per sample, so the running pair
 * lives in two parallel arrays at an index. The engine keeps one slot per aggregation group
 * (`sums[g]`, `cs[g]`); functions here use a two-slot scratch. The final value is `sum + c`, except that an
 * infinite `sum` is returned as is (adding a finite `c` changes nothing, and Go keeps `c = 0` once the sum
 * overflows so the pair never turns into NaN).
 *
 * Why compensate: `1e16 + 1 + -1e16` sums naively to 0 (1e16 + 1 rounds back to 1e16), while the
 * compensation term remembers the lost 1 and the result is exactly 1.
 */

/** Adds `inc` to the running pair `(sums[i], cs[i])` in place. */
export function kahanSumInc(inc: number, sums: Float64Array, cs: Float64Array, i: number): void {
  const sum = sums[i]!;
  const t = sum + inc;
  if (t === Infinity || t === -Infinity) {
    cs[i] = 0;
  } else if (Math.abs(sum) >= Math.abs(inc)) {
    // Neumaier's improvement: the smaller of the two operands is the one that lost bits.
    cs[i]! += sum - t + inc;
  } else {
    cs[i]! += inc - t + sum;
  }
  sums[i] = t;
}

/** The pair's value as Prometheus reads it: `sum + c`, or the infinite sum alone. */
export function kahanResult(sum: number, c: number): number {
  return sum === Infinity || sum === -Infinity ? sum : sum + c;
}

/**
 * A single running compensated sum, for loops that keep one total. Same arithmetic as `kahanSumInc`.
 */
export class KahanSum {
  sum = 0;
  c = 0;

  add(inc: number): void {
    const sum = this.sum;
    const t = sum + inc;
    if (t === Infinity || t === -Infinity) {
      this.c = 0;
    } else if (Math.abs(sum) >= Math.abs(inc)) {
      this.c += sum - t + inc;
    } else {
      this.c += inc - t + sum;
    }
    this.sum = t;
  }

  /** `sum + c`, or the infinite sum alone. */
  value(): number {
    return kahanResult(this.sum, this.c);
  }
}
