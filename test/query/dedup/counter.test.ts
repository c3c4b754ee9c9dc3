/**
 * The counter adjustment at replica switches (thanos.md §2.6). Expected outputs traced by hand; the data
 * is the worked example drawn in src/query/dedup/replica-cursor.ts.
 */
import t from 'tap';
import { STALE_NAN, isStaleNaN } from '../../../src/model/index.js';
import { dedupReplicas, isCounterFunc } from '../../../src/query/dedup/index.js';
import { pairs, samples } from './helpers.js';

// a: 90, 95, 100 at 0, 15, 30 s, then a gap until 75 s. b scrapes at 4 s + 15 s·k and lags in value:
// at 64 s it reads 97, below a's 100 at 30 s.
const a = samples([
  [0, 90],
  [15000, 95],
  [30000, 100],
  [75000, 115],
  [90000, 120],
]);
const b = samples([
  [4000, 80],
  [19000, 85],
  [34000, 90],
  [49000, 95],
  [64000, 97],
  [79000, 102],
  [94000, 107],
]);
// Trace: 0 a (penB 5000; b.seek(5001)=19000 > 15000) → 15000 a (penB 30000) → 30000 a (b.seek(45001) = 49000)
// → a.seek(30001) = 75000, b.seek(60001) = 64000 → switch to b, penA = 2·34000 = 68000
// → a.seek(132001) exhausted → b 79000, 94000.
const times = [0, 15000, 30000, 64000, 79000, 94000];
// Counter: at the switch last = 100 > b's 97 → errAdjust_b = 3, so b's samples read 100, 105, 110.
const adjusted = [90, 95, 100, 100, 105, 110];
// Otherwise the raw values, with the drop 100 → 97 that rate() would take for a counter reset.
const raw = [90, 95, 100, 97, 102, 107];

t.test('regression: counter reset across replica switch', async (t) => {
  const out = dedupReplicas([a, b], 'penalty', 'rate');
  t.same(pairs(out), times.map((ts, i) => [ts, adjusted[i]]));
  for (let i = 1; i < out.n; i++) t.ok(out.v[i] >= out.v[i - 1], `monotonic at ${out.t[i]}`);
});

t.test('the adjustment applies only under the counter functions', async (t) => {
  const cases: [string | undefined, number[]][] = [
    ['rate', adjusted],
    ['increase', adjusted],
    ['irate', adjusted],
    ['resets', adjusted],
    ['delta', raw],
    ['max_over_time', raw],
    ['sum', raw],
    [undefined, raw],
  ];
  for (const [func, want] of cases) {
    t.same(
      pairs(dedupReplicas([a, b], 'penalty', func)),
      times.map((ts, i) => [ts, want[i]]),
      String(func),
    );
    t.equal(isCounterFunc(func), want === adjusted, `isCounterFunc(${String(func)})`);
  }
});

t.test('chain never adjusts', async (t) => {
  // chain is every sample by time, whatever the function: 0 a, 4 b, 15 a, 19 b, ...
  const out = pairs(dedupReplicas([a, b], 'chain', 'rate'));
  t.same(out.slice(0, 4), [
    [0, 90],
    [4000, 80],
    [15000, 95],
    [19000, 85],
  ]);
});

t.test('not applied before the first emitted sample (deliberate difference from Thanos #9034)', async (t) => {
  // b's first sample (0) precedes a's (10000) → b first. Thanos would compare a's unemitted first value
  // 100 with b's 95 and raise b by 5; we emit 95. Then a.seek(5001) = 10000 < b.seek(1) = 15000 → switch
  // to a; last = 95 < 100 → no adjustment; b.seek(10001 + 20000) exhausted → a 25000.
  const a2 = samples([
    [10000, 100],
    [25000, 105],
  ]);
  const b2 = samples([
    [0, 95],
    [15000, 100],
    [30000, 105],
  ]);
  t.same(pairs(dedupReplicas([a2, b2], 'penalty', 'rate')), [
    [0, 95],
    [10000, 100],
    [25000, 105],
  ]);
});

t.test('three replicas: the outer switch to a lagging third replica adjusts it', async (t) => {
  // inner = dedup(r0, r1), identical timestamps until r0 ends at 20 s:
  //   0 tie → r0, penB 5000 | 10000 tie → r0, penB 20000 | 20000 r0 (r1 sought to 30001 → 40000), penB 20000
  //   r0 exhausted, r1.seek(40001) → 50000 (its 40000 is skipped by the penalty): last 12 < 15, no adjustment.
  //   inner = 0:10, 10000:11, 20000:12, 50000:15.
  // outer = dedup(inner, r2), r2 lagging far behind in value:
  //   0 inner (r2 at 25000), penB 5000 | 10000 inner, penB 20000 | 20000 inner (r2 sought to 30001 → 35000)
  //   inner.seek(20001) → 50000, r2.seek(40001) → 45000 → switch to r2: last 12 > 3 → errAdjust_r2 = 9,
  //   emit 45000: 12; penA = 2·25000 → inner.seek(95001) runs out → r2 alone: 75000: 4 + 9 = 13.
  //   The inner side gets adjustAtValue(12) too, reaching r1 (15 ≥ 12: unchanged).
  const r0 = samples([
    [0, 10],
    [10000, 11],
    [20000, 12],
  ]);
  const r1 = samples([
    [0, 10],
    [10000, 11],
    [20000, 12],
    [40000, 14],
    [50000, 15],
  ]);
  const r2 = samples([
    [25000, 1],
    [35000, 2],
    [45000, 3],
    [75000, 4],
  ]);
  t.same(pairs(dedupReplicas([r0, r1, r2], 'penalty', 'increase')), [
    [0, 10],
    [10000, 11],
    [20000, 12],
    [45000, 12],
    [75000, 13],
  ]);
  t.same(pairs(dedupReplicas([r0, r1, r2], 'penalty')).map((p) => p[1]), [10, 11, 12, 3, 4], 'unadjusted without a counter function');
});

t.test('three replicas: an outer switch adjusts the inner replica it returns to', async (t) => {
  // r0 alone inside (r1 empty), r2 outer. r0: 0→100, 10→110, then a gap; r2 lags: 5→50 ... 35→80.
  // outer: 0 r0 (penB 5000: r2.seek(5001) → 15000); 10 r0 (penB 20000); r0.seek(10001) = 60000,
  // r2.seek(30001) = 35000 → switch to r2: last 110 > 80 → errAdjust_r2 = 30 → emit 110;
  // penA = 2·25000 = 50000: r0.seek(85001) exhausted → r2 alone, exhausted too → end.
  const r0 = samples([
    [0, 100],
    [10000, 110],
    [60000, 160],
  ]);
  const r1 = samples([]);
  const r2 = samples([
    [5000, 50],
    [15000, 60],
    [25000, 70],
    [35000, 80],
  ]);
  t.same(pairs(dedupReplicas([r0, r1, r2], 'penalty', 'rate')), [
    [0, 100],
    [10000, 110],
    [35000, 110],
  ]);
});

t.test('staleness marker in an adjusted replica stays bit-exact (no arithmetic on it)', async (t) => {
  // Same trace as the regression case: b carries errAdjust = 3 from 64000 on; its 79000 sample is a
  // marker. Adding 3 to it would quieten the signalling NaN into an ordinary NaN (checked below).
  const b2 = samples(pairs(b));
  (b2.v as Float64Array)[5] = STALE_NAN; // b's 79000; written into the typed array, not a plain array
  const out = dedupReplicas([a, b2], 'penalty', 'rate');
  t.same(Array.from(out.t), times);
  t.ok(isStaleNaN(out.v[4]), 'marker kept');
  t.equal(out.v[5], 110, 'adjustment still applied after it');
  const probe = new Float64Array(1);
  probe[0] = STALE_NAN;
  t.notOk(isStaleNaN(probe[0] + out.v[5] - out.v[5]), 'arithmetic would have destroyed it');
});
