// Classic-bucket histogram_quantile / histogram_fraction arithmetic, by hand (Prometheus 3 BucketQuantile).
import t from 'tap';
import { bucketQuantile, bucketFraction, almostEqual } from '../../../src/promql/functions/index.js';

// Cumulative counts: le=0.1 → 10, le=0.5 → 30, le=1 → 40, le=+Inf → 50.
const q = (phi: number, ub: number[], c: number[]) => bucketQuantile(phi, Float64Array.from(ub), Float64Array.from(c), ub.length);
const UB = [0.1, 0.5, 1, Infinity];
const C = [10, 30, 40, 50];

t.test('interpolates inside the bucket holding rank φ·total', async (t) => {
  // φ 0.5: rank 25 falls in (0.1, 0.5] holding 20 (10→30), 15 into it: 0.1 + 0.4·15/20 = 0.4.
  t.equal(q(0.5, UB, C).value, 0.1 + 0.4 * (15 / 20));
  // φ 0.1: rank 5 in the lowest bucket, which starts at 0 because 0.1 > 0: 0.1·5/10 = 0.05.
  t.equal(q(0.1, UB, C).value, 0.05);
  // φ 0.9: rank 45 is in the +Inf bucket: the highest finite bound, 1.
  t.equal(q(0.9, UB, C).value, 1);
  // φ 0.8: rank 40 reaches le=1 exactly: 0.5 + 0.5·10/10 = 1.
  t.equal(q(0.8, UB, C).value, 1);
  t.equal(q(0, UB, C).value, 0);
});

t.test('φ outside [0, 1] and NaN', async (t) => {
  t.equal(q(-1, UB, C).value, -Infinity);
  t.equal(q(1.5, UB, C).value, Infinity);
  t.ok(Number.isNaN(q(NaN, UB, C).value));
});

t.test('input order does not matter; duplicate bounds are merged', async (t) => {
  t.equal(q(0.5, [Infinity, 0.5, 1, 0.1], [50, 30, 40, 10]).value, 0.4);
  // le=0.5 split in two series (e.g. from two sources) 12 + 18 = 30.
  t.equal(q(0.5, [0.1, 0.5, 0.5, 1, Infinity], [10, 12, 18, 40, 50]).value, 0.4);
});

t.test('a lowest bucket with a bound ≤ 0 returns that bound', async (t) => {
  t.equal(q(0.1, [-1, 0, Infinity], [10, 20, 30]).value, -1);
  // rank 15 in (−1, 0]: −1 + 1·5/10 = −0.5.
  t.equal(q(0.5, [-1, 0, Infinity], [10, 20, 30]).value, -0.5);
});

t.test('NaN cases: no +Inf bucket, a single bucket, no observations, no buckets', async (t) => {
  t.ok(Number.isNaN(q(0.5, [0.1, 0.5, 1], [10, 30, 40]).value));
  t.ok(Number.isNaN(q(0.5, [Infinity], [10]).value));
  t.ok(Number.isNaN(q(0.5, [Infinity, Infinity], [4, 6]).value), 'two +Inf series merge into one bucket');
  t.ok(Number.isNaN(q(0.5, [1, Infinity], [0, 0]).value));
  t.ok(Number.isNaN(q(0.5, [], []).value));
});

t.test('decreasing counts are forced monotonic and reported', async (t) => {
  // le=1 dropped to 25: raised to 30, so (0.5, 1] is empty and +Inf holds 20.
  // φ 0.5 → rank 25: first count ≥ 25 is le=0.5 (30) → 0.1 + 0.4·15/20 = 0.4.
  const r = q(0.5, [0.1, 0.5, 1, Infinity], [10, 30, 25, 50]);
  t.equal(r.value, 0.4);
  t.equal(r.forcedMonotonic, true);
  t.equal(r.fixedPrecision, false);
  t.equal(q(0.5, UB, C).forcedMonotonic, false);
});

t.test('differences within 1e-12 relative are smoothed as float noise, not forced', async (t) => {
  const r = q(0.5, [0.1, 0.5, 1, Infinity], [10, 30, 30 * (1 - 1e-14), 50]);
  t.equal(r.forcedMonotonic, false);
  t.equal(r.fixedPrecision, true);
  t.ok(almostEqual(1, 1 + 1e-13, 1e-12));
  t.notOk(almostEqual(1, 1 + 1e-11, 1e-12));
  t.ok(almostEqual(NaN, NaN, 1e-12));
  t.notOk(almostEqual(0, 1e-300, 1e-12), 'against zero the tolerance is absolute, scaled by the smallest normal');
});

t.test('bucketFraction: linear inside buckets, lowest bucket from 0', async (t) => {
  const f = (lo: number, hi: number, ub = UB, c = C) => bucketFraction(lo, hi, Float64Array.from(ub), Float64Array.from(c), ub.length);
  // [0, 0.5]: 30 of 50.
  t.equal(f(0, 0.5), 0.6);
  // [0.3, 0.75]: rank(0.3) = 10 + 20·(0.2/0.4) = 20, rank(0.75) = 30 + 10·(0.25/0.5) = 35 → 15/50.
  t.equal(f(0.3, 0.75), 0.3);
  // [0.05, 0.1]: lowest bucket from 0: rank(0.05) = 5, rank(0.1) = 10 → 5/50.
  t.equal(f(0.05, 0.1), 0.1);
  t.equal(f(-Infinity, Infinity), 1);
  t.equal(f(-5, 0), 0, 'nothing below 0 when the lowest bound is positive');
  // Above the highest finite bound nothing is interpolated: the +Inf bucket's 10 count only with upper = +Inf.
  t.equal(f(0, 100), 0.8);
  t.equal(f(1, Infinity), 0.2);
  t.equal(f(0.5, 0.5), 0);
  t.equal(f(0.6, 0.5), 0);
  t.ok(Number.isNaN(f(NaN, 1)));
  t.ok(Number.isNaN(f(0, 1, [0.1, 1], [1, 2])), 'no +Inf bucket');
  t.ok(Number.isNaN(f(0, 1, [1, Infinity], [0, 0])), 'no observations');
});
