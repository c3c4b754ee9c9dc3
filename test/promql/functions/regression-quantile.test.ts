// deriv, predict_linear, quantile_over_time, mad_over_time, double_exponential_smoothing: by hand.
import t from 'tap';
import { WINDOW_FUNCTIONS, quantileOf } from '../../../src/promql/functions/index.js';
import { ExecutionError } from '../../../src/model/index.js';
import { win } from './window.js';

const F = WINDOW_FUNCTIONS as Required<typeof WINDOW_FUNCTIONS>;

t.test('deriv: least-squares slope per second', async (t) => {
  t.equal(F.deriv(win([0, 10, 20], [0, 10, 20], 0, 30), []), 1);
  // 1@0s 2@10s 4@20s: x = 0,10,20 (from the first sample). Σx=30 Σy=7 Σxy=100 Σx²=500, n=3.
  // cov = 100 − 30·7/3 = 30, var = 500 − 900/3 = 200, slope = 0.15.
  t.equal(F.deriv(win([0, 10, 20], [1, 2, 4], 0, 30), []), 0.15);
  // Unix-time magnitudes do not hurt: x is relative to the first sample.
  t.equal(F.deriv(win([1.7e9, 1.7e9 + 10, 1.7e9 + 20], [1, 2, 4], 1.7e9 - 30, 1.7e9 + 30), []), 0.15);
  t.equal(F.deriv(win([0], [1], 0, 30), []), undefined);
});

t.test('deriv of a constant series is exactly 0; of a constant infinite one NaN', async (t) => {
  t.equal(F.deriv(win([0, 10, 20], [3, 3, 3], 0, 30), []), 0);
  t.ok(Number.isNaN(F.deriv(win([0, 10], [Infinity, Infinity], 0, 30), [])!));
});

t.test('predict_linear anchors the line at the evaluation time', async (t) => {
  // Same 1,2,4 at 0,10,20s, evaluated at 30s: x = −30,−20,−10, Σx = −60, Σy = 7.
  // slope 0.15; intercept = 7/3 − 0.15·(−60)/3 = 7/3 + 3 = 16/3. In 60s: 0.15·60 + 16/3 = 14.333…
  const w = win([0, 10, 20], [1, 2, 4], 0, 30);
  t.ok(Math.abs(F.predict_linear(w, [60])! - (9 + 16 / 3)) < 1e-12);
  // With an offset the window ends earlier than the evaluation time, passed as the second param:
  // the same window read at 90s predicts from x = −90,−80,−70: intercept 7/3 + 0.15·80 = 14.333…, +0 s.
  t.ok(Math.abs(F.predict_linear(w, [0, 90_000])! - (7 / 3 + 12)) < 1e-12);
  t.equal(F.predict_linear(win([0, 10, 20], [5, 5, 5], 0, 30), [1000]), 5, 'flat line predicts itself');
});

t.test('quantile_over_time: rank φ·(n−1), linear interpolation', async (t) => {
  const w = win([1, 2, 3, 4], [4, 1, 3, 2], 0, 5);
  t.equal(F.quantile_over_time(w, [0.5]), 2.5); // rank 1.5 between 2 and 3
  t.equal(F.quantile_over_time(w, [0.9]), 3.7); // rank 2.7: 3·0.3 + 4·0.7
  t.equal(F.quantile_over_time(w, [0]), 1);
  t.equal(F.quantile_over_time(w, [1]), 4);
  t.equal(F.quantile_over_time(w, [-0.1]), -Infinity);
  t.equal(F.quantile_over_time(w, [1.1]), Infinity);
  t.ok(Number.isNaN(F.quantile_over_time(w, [NaN])!));
  t.same(Array.from(w.values), [4, 1, 3, 2], 'input left unsorted');
});

t.test('quantile_over_time: NaN samples sort first, as Prometheus sorts them', async (t) => {
  const w = win([1, 2, 3], [2, NaN, 1], 0, 5);
  t.ok(Number.isNaN(F.quantile_over_time(w, [0])!)); // sorted: NaN, 1, 2
  t.equal(F.quantile_over_time(w, [1]), 2);
  t.equal(F.quantile_over_time(w, [0.75]), 1.5); // rank 1.5 between 1 and 2
  t.ok(Number.isNaN(F.quantile_over_time(w, [0.25])!)); // between NaN and 1
  // φ = 1 with +Inf on top: Inf·1 + Inf·0 = NaN in IEEE arithmetic, as in Prometheus.
  t.ok(Number.isNaN(F.quantile_over_time(win([1, 2], [1, Infinity], 0, 5), [1])!));
  t.equal(quantileOf(0.5, [3, 1, 2]), 2);
});

t.test('mad_over_time: median of absolute deviations from the median', async (t) => {
  // 1,2,3,4,100: median 3; |x−3| = 2,1,0,1,97 → sorted 0,1,1,2,97 → median 1.
  t.equal(F.mad_over_time(win([1, 2, 3, 4, 5], [1, 2, 3, 4, 100], 0, 6), []), 1);
  // 1,2,3,4: median 2.5; deviations 1.5,0.5,0.5,1.5 → median 1.
  t.equal(F.mad_over_time(win([1, 2, 3, 4], [1, 2, 3, 4], 0, 6), []), 1);
  t.equal(F.mad_over_time(win([1], [42], 0, 6), []), 0);
});

t.test('double_exponential_smoothing', async (t) => {
  // 1,2,4 with sf = tf = 0.5: s = 1, trend b = 2−1 = 1.
  // step 1: x = 0.5·2 = 1, b stays 1, y = 0.5·(1+1) = 1 → s = 2.
  // step 2: x = 0.5·4 = 2, b = 0.5·(2−1) + 0.5·1 = 1, y = 0.5·(2+1) = 1.5 → s = 3.5.
  t.equal(F.double_exponential_smoothing(win([1, 2, 3], [1, 2, 4], 0, 5), [0.5, 0.5]), 3.5);
  t.equal(F.double_exponential_smoothing(win([1], [1], 0, 5), [0.5, 0.5]), undefined);
});

t.test('double_exponential_smoothing: factors outside (0, 1) fail with Prometheus\'s message', async (t) => {
  const w = win([1, 2], [1, 2], 0, 5);
  t.throws(() => F.double_exponential_smoothing(w, [1, 0.5]), new ExecutionError('invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000'));
  t.throws(() => F.double_exponential_smoothing(w, [0, 0.5]), { message: 'invalid smoothing factor. Expected: 0 < sf < 1, got: 0.000000' });
  t.throws(() => F.double_exponential_smoothing(w, [0.5, -2.5]), { message: 'invalid trend factor. Expected: 0 < tf < 1, got: -2.500000' });
  t.throws(() => F.double_exponential_smoothing(w, [Infinity, 0.5]), { message: 'invalid smoothing factor. Expected: 0 < sf < 1, got: +Inf' });
  // Go's %f rounds an exact tie to even: 1.0078125 → 1.007812 (toFixed would say 1.007813).
  t.throws(() => F.double_exponential_smoothing(w, [1.0078125, 0.5]), { message: 'invalid smoothing factor. Expected: 0 < sf < 1, got: 1.007812' });
  // NaN passes Go's `sf <= 0 || sf >= 1` check and just yields NaN.
  t.ok(Number.isNaN(F.double_exponential_smoothing(w, [NaN, 0.5])!));
});
