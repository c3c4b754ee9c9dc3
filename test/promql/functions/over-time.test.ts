// *_over_time, changes, resets: expected values by hand, with Prometheus 3's NaN rules.
import t from 'tap';
import { WINDOW_FUNCTIONS, KahanSum, kahanSumInc, kahanResult } from '../../../src/promql/functions/index.js';
import { win } from './window.js';

const F = WINDOW_FUNCTIONS as Required<typeof WINDOW_FUNCTIONS>;
const at = (values: number[]) => win(values.map((_, i) => 10 + 10 * i), values, 0, 10 * values.length + 10);

t.test('Kahan summation keeps 1e16 + 1 − 1e16 exact where the naive sum loses the 1', async (t) => {
  t.equal(1e16 + 1 - 1e16, 0, 'naive: 1e16 + 1 rounds back to 1e16');
  t.equal(F.sum_over_time(at([1e16, 1, -1e16]), []), 1);
  const k = new KahanSum();
  for (const x of [1e16, 1, -1e16]) k.add(x);
  t.equal(k.value(), 1);
  const sums = new Float64Array(2);
  const cs = new Float64Array(2);
  for (const x of [1e16, 1, -1e16]) kahanSumInc(x, sums, cs, 1);
  t.equal(kahanResult(sums[1]!, cs[1]!), 1);
  t.equal(sums[0], 0, 'other slots untouched');
});

t.test('Kahan: an infinite sum stays infinite (the compensation is reset, not NaN)', async (t) => {
  t.equal(F.sum_over_time(at([1, Infinity, 1]), []), Infinity);
  t.ok(Number.isNaN(F.sum_over_time(at([Infinity, -Infinity]), [])!));
  t.equal(F.sum_over_time(at([1.7976931348623157e308, 1.7976931348623157e308]), []), Infinity);
});

t.test('avg_over_time switches to the incremental mean when the sum overflows', async (t) => {
  // 1e308 + 1e308 overflows; the incremental mean is 1e308·(1/2) + 1e308/2 = 1e308.
  t.equal(F.avg_over_time(at([1e308, 1e308]), []), 1e308);
  t.equal(F.avg_over_time(at([1e308, 1e308, -1e308]), []), 1e308 / 3);
  t.equal(F.avg_over_time(at([1, 2, 3, 4]), []), 2.5);
  t.equal(F.avg_over_time(at([1e16, 1, -1e16]), []), 1 / 3, 'compensated: (0 + 1)/3');
  t.equal(F.avg_over_time(at([Infinity, 1]), []), Infinity);
  t.ok(Number.isNaN(F.avg_over_time(at([Infinity, -Infinity]), [])!));
  t.equal(F.avg_over_time(at([7]), []), 7);
});

t.test('stddev/stdvar: population variance', async (t) => {
  // 1,2,3,4: mean 2.5, squared deviations 2.25+0.25+0.25+2.25 = 5, /4 = 1.25.
  t.equal(F.stdvar_over_time(at([1, 2, 3, 4]), []), 1.25);
  t.equal(F.stddev_over_time(at([1, 2, 3, 4]), []), Math.sqrt(1.25));
  t.equal(F.stdvar_over_time(at([5]), []), 0);
  // Large offset: the compensated Welford still gives the exact 1.25 (naive Σx²−(Σx)²/n would not).
  t.equal(F.stdvar_over_time(at([1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4]), []), 1.25);
  t.ok(Number.isNaN(F.stdvar_over_time(at([1, NaN]), [])!));
});

t.test('min/max_over_time skip NaN unless every sample is NaN', async (t) => {
  t.equal(F.max_over_time(at([NaN, 3, 1]), []), 3);
  t.equal(F.max_over_time(at([3, NaN, 5]), []), 5);
  t.equal(F.min_over_time(at([NaN, 3, 1]), []), 1);
  t.equal(F.min_over_time(at([3, NaN, 5]), []), 3);
  t.ok(Number.isNaN(F.max_over_time(at([NaN, NaN]), [])!));
  t.equal(F.max_over_time(at([-Infinity, -5]), []), -5);
  t.equal(F.min_over_time(at([Infinity, -Infinity]), []), -Infinity);
});

t.test('ts_of_max/min: the last sample holding the extreme, in seconds', async (t) => {
  // at() puts samples at 10s, 20s, 30s, …
  t.equal(F.ts_of_max_over_time(at([1, 5, 5, 2]), []), 30);
  t.equal(F.ts_of_min_over_time(at([1, 5, 1, 2]), []), 30);
  t.equal(F.ts_of_max_over_time(at([NaN, 2, 1]), []), 20, 'a leading NaN is replaced');
  t.equal(F.ts_of_first_over_time(at([4, 5]), []), 10);
  t.equal(F.ts_of_last_over_time(at([4, 5]), []), 20);
});

t.test('first/last/count/present/absent', async (t) => {
  t.equal(F.first_over_time(at([4, 5, 6]), []), 4);
  t.equal(F.last_over_time(at([4, 5, 6]), []), 6);
  t.equal(F.count_over_time(at([4, NaN, 6]), []), 3, 'NaN samples count');
  t.equal(F.present_over_time(at([NaN]), []), 1);
  t.equal(F.absent_over_time(at([NaN]), []), undefined);
  t.equal(F.absent_over_time(at([]), []), 1);
});

t.test('an empty window gives no sample', async (t) => {
  for (const [name, fn] of Object.entries(F)) {
    if (name === 'absent_over_time') continue;
    const params = name === 'double_exponential_smoothing' ? [0.5, 0.5] : [0.5];
    t.equal(fn(at([]), params), undefined, name);
  }
});

t.test('changes: NaN→NaN is no change, anything else that differs is', async (t) => {
  // 1→1 no, 1→2 yes, 2→NaN yes, NaN→NaN no, NaN→2 yes.
  t.equal(F.changes(at([1, 1, 2, NaN, NaN, 2]), []), 3);
  t.equal(F.changes(at([5]), []), 0);
  t.equal(F.changes(at([0, -0]), []), 0, '0 and −0 are equal');
});

t.test('resets: decreases only; a drop across a NaN is not seen', async (t) => {
  t.equal(F.resets(at([3, 1, 2, 0]), []), 2);
  t.equal(F.resets(at([5, NaN, 3]), []), 0);
  t.equal(F.resets(at([5]), []), 0);
  t.equal(F.resets(at([Infinity, 1]), []), 1);
});
