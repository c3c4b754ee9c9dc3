// Per-sample functions: Go math and time semantics where they differ from JavaScript's.
import t from 'tap';
import { VALUE_FUNCTIONS, goMax, goMin } from '../../../src/promql/functions/index.js';

// params default to [] so the one-argument functions read naturally below.
const V: Record<string, (v: number, params?: number[]) => number> = Object.fromEntries(
  Object.entries(VALUE_FUNCTIONS).map(([name, f]) => [name, (v: number, params: number[] = []) => f(v, params)]),
);

t.test('Go math.Max/Min: an infinity beats NaN, signed zeros ordered', async (t) => {
  t.equal(goMax(NaN, Infinity), Infinity, 'JS Math.max would give NaN');
  t.equal(goMin(NaN, -Infinity), -Infinity);
  t.ok(Number.isNaN(goMax(NaN, 1)));
  t.ok(Object.is(goMax(-0, 0), 0));
  t.ok(Object.is(goMin(0, -0), -0));
});

t.test('clamp, clamp_min, clamp_max', async (t) => {
  t.equal(V.clamp(5, [0, 3]), 3);
  t.equal(V.clamp(-5, [0, 3]), 0);
  t.equal(V.clamp(2, [0, 3]), 2);
  t.ok(Number.isNaN(V.clamp(NaN, [0, 3])));
  t.equal(V.clamp_min(NaN, [Infinity]), Infinity, 'Go Max(NaN, +Inf) = +Inf');
  t.equal(V.clamp_max(NaN, [-Infinity]), -Infinity);
  t.equal(V.clamp_min(1, [2]), 2);
  t.equal(V.clamp_max(1, [0.5]), 0.5);
});

t.test('round: ties go up, via the inverse of toNearest', async (t) => {
  t.equal(V.round(2.5, []), 3);
  t.equal(V.round(-2.5, []), -2, 'floor(−2.5 + 0.5) = −2');
  t.equal(V.round(1.234, [0.1]), 1.2); // floor(12.34 + 0.5)/10
  t.equal(V.round(17, [5]), 15); // floor(3.4 + 0.5)/0.2 = 3/0.2
  t.equal(V.round(Infinity, []), Infinity);
  t.ok(Number.isNaN(V.round(NaN, [])));
});

t.test('logs: exact powers of two in log2, Go\'s Log10 formula', async (t) => {
  t.equal(V.log2(8), 3);
  t.equal(V.log2(0.125), -3);
  t.equal(V.log2(5e-324), -1074, 'subnormal: Frexp normalises first');
  t.equal(V.log2(0), -Infinity);
  t.ok(Number.isNaN(V.log2(-8)));
  t.equal(V.log2(Infinity), Infinity);
  t.ok(Math.abs(V.log2(10) - 3.321928094887362) < 1e-15);
  t.equal(V.log10(1000), 3); // the Debian Prometheus 2.42 answers 3 too (promtool test rules)
  t.equal(V.ln(1), 0);
});

t.test('sgn, deg, rad, abs, ceil, floor', async (t) => {
  t.equal(V.sgn(-3), -1);
  t.equal(V.sgn(0.1), 1);
  t.ok(Object.is(V.sgn(-0), -0));
  t.ok(Number.isNaN(V.sgn(NaN)));
  t.equal(V.deg(Math.PI), 180);
  t.equal(V.rad(180), Math.PI);
  t.equal(V.abs(-2), 2);
  t.equal(V.ceil(1.1), 2);
  t.equal(V.floor(-1.1), -2);
  t.ok(Number.isNaN(V.sqrt(-1)));
  t.ok(Number.isNaN(V.acos(2)));
  t.equal(V.atanh(1), Infinity);
});

t.test('date functions on ordinary timestamps (checked with GNU date -u)', async (t) => {
  // 1700000000 = 2023-11-14 22:13:20 UTC, a Tuesday, day 318.
  const s = 1700000000;
  t.same([V.year(s), V.month(s), V.day_of_month(s), V.day_of_week(s), V.day_of_year(s), V.hour(s), V.minute(s), V.days_in_month(s)],
    [2023, 11, 14, 2, 318, 22, 13, 30]);
  t.same([V.year(0), V.day_of_week(0), V.hour(0)], [1970, 4, 0]);
  // 951782400 = 2000-02-29 (leap: divisible by 400); -2203891200 = 1900-03-01 (1900 is not a leap year).
  t.same([V.month(951782400), V.day_of_month(951782400), V.days_in_month(951782400), V.day_of_year(951782400)], [2, 29, 29, 60]);
  t.same([V.month(-2203891200), V.day_of_year(-2203891200), V.days_in_month(-2203891200 - 86400)], [3, 60, 28]);
  // int64() truncates toward zero: −1.5 → −1 = 1969-12-31 23:59:59 (Debian Prometheus: year 1969).
  t.same([V.year(-1.5), V.hour(-1.5), V.minute(-1.5), V.day_of_year(-1.5)], [1969, 23, 59, 365]);
  // 253402300799 = 9999-12-31 23:59:59, a Friday; -62135596800 = 0001-01-01, a Monday.
  t.same([V.year(253402300799), V.day_of_week(253402300799)], [9999, 5]);
  t.same([V.year(-62135596800), V.day_of_week(-62135596800), V.day_of_year(-62135596800)], [1, 1, 1]);
});

t.test('date functions on NaN, ±Inf and beyond int64: Go amd64 semantics', async (t) => {
  // Measured on the Debian Prometheus 2.42 with promtool test rules: year(vector(NaN)) = 292277026596,
  // month 12, day_of_month 4, day_of_week 0, day_of_year 339, hour 15, minute 30, days_in_month 31;
  // year(vector(-Inf)) and year(vector(-9223372036854775808)) are the same 292277026596.
  for (const v of [NaN, Infinity, -Infinity, 1e19, -1e19, -9223372036854775808]) {
    t.same([V.year(v), V.month(v), V.day_of_month(v), V.day_of_week(v), V.day_of_year(v), V.hour(v), V.minute(v), V.days_in_month(v)],
      [292277026596, 12, 4, 0, 339, 15, 30, 31], String(v));
  }
  // Just above Go's wrap point nothing wraps (Debian Prometheus: -292277022399 and -292277022123).
  t.equal(V.year(-9.2233720287e18), -292277022399);
  t.equal(V.year(-9.22337202e18), -292277022123);
});
