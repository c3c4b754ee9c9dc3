/**
 * Selection mechanics: lookback at the edges of its left-open window, staleness markers, offset (negative
 * too), @ with a time / start() / end(), range windows `(t-range, t]`, subquery step alignment, one select
 * per selector node with hints covering what it reads, and native-histogram refusal.
 */
import t from 'tap';
import { NotSupportedError, type Matcher } from '../../../src/model/index.js';
import { arraySeriesSet, type Queryable, type SelectHints, type Series } from '../../../src/storage/index.js';
import { Labels } from '../../../src/model/index.js';
import { engine, instant, load, m, range, s } from './helpers.js';

// x: one sample a minute from 0 to 10m with value = minute; y: samples at 0 and 1m only.
const db = load(m, {
  'x{a="1"}': [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  'y{a="1"}': [100, 101],
  'st{a="1"}': [1, 2, 'stale', null, 5],
});

t.test('instant selection with the 5m lookback', async (t) => {
  const cases: [string, string, number, Record<string, number>][] = [
    ['exactly at a sample', 'x', 3 * m, { 'x{a="1"}': 3 }],
    ['between samples takes the latest before', 'x', 3 * m + 30 * s, { 'x{a="1"}': 3 }],
    // y's last sample is at 1m: still visible at 6m - 1ms, gone at exactly 6m since (6m-5m, 6m] excludes 1m.
    ['last sample just inside the window', 'y', 6 * m - 1, { 'y{a="1"}': 101 }],
    ['window is open on the left', 'y', 6 * m, {}],
    ['before the first sample', 'x', -1, {}],
  ];
  for (const [name, q, at, want] of cases) t.same(await instant(db, q, at), want, name);
});

t.test('per-query lookback override', async (t) => {
  // With 1m lookback, y (last sample 1m) is visible until 2m - 1ms only.
  t.same(await instant(db, 'y', 2 * m - 1, engine(), { lookbackDeltaMs: m }), { 'y{a="1"}': 101 });
  t.same(await instant(db, 'y', 2 * m, engine(), { lookbackDeltaMs: m }), {});
  t.same(await instant(db, 'y', 2 * m, engine({ lookbackDeltaMs: m })), {}, 'engine default');
});

t.test('staleness markers', async (t) => {
  // st: 1@0, 2@1m, stale@2m, nothing@3m, 5@4m.
  t.same(await instant(db, 'st', 1 * m + 30 * s), { 'st{a="1"}': 2 });
  t.same(await instant(db, 'st', 2 * m), {}, 'a marker as the latest sample hides the series at once');
  t.same(await instant(db, 'st', 3 * m + 59 * s), {}, 'and keeps it hidden while it is the latest');
  t.same(await instant(db, 'st', 4 * m), { 'st{a="1"}': 5 }, 'a new sample brings it back');
  // Range windows drop the marker: (0, 4m] holds 2, 5 → count 2.
  t.same(await instant(db, 'count_over_time(st[4m])', 4 * m), { '{a="1"}': 2 });
  const r = await engine().instantQuery(db, 'st[4m]', 4 * m);
  t.equal(r.value.resultType, 'matrix');
  if (r.value.resultType === 'matrix') {
    t.same([...r.value.result[0].timestamps], [m, 4 * m], 'instant range selection: (0, 4m] without the marker');
  }
});

t.test('offset and @', async (t) => {
  const cases: [string, number, Record<string, number>][] = [
    ['x offset 2m', 5 * m, { 'x{a="1"}': 3 }],
    ['x offset -2m', 5 * m, { 'x{a="1"}': 7 }],
    ['x @ 120', 9 * m, { 'x{a="1"}': 2 }],
    ['x @ 120 offset 1m', 9 * m, { 'x{a="1"}': 1 }],
    ['x offset 1m @ 120', 9 * m, { 'x{a="1"}': 1 }],
    // Window (4m, 7m] shifted by 1m → (3m, 6m]: samples 4, 5, 6.
    ['sum_over_time(x[3m] offset 1m)', 7 * m, { '{a="1"}': 15 }],
    ['sum_over_time(x[3m] @ 360)', 10 * m, { '{a="1"}': 15 }],
    ['x @ start()', 4 * m, { 'x{a="1"}': 4 }],
  ];
  for (const [q, at, want] of cases) t.same(await instant(db, q, at), want, q);
});

t.test('@ pins every step of a range query; start() and end() are the range query bounds', async (t) => {
  t.same(await range(db, 'x @ 120', 0, 4 * m, 2 * m), { 'x{a="1"}': [[0, 2], [120, 2], [240, 2]] });
  t.same(await range(db, 'x @ end()', 0, 4 * m, 2 * m), { 'x{a="1"}': [[0, 4], [120, 4], [240, 4]] });
  t.same(await range(db, 'x - x @ start()', 2 * m, 4 * m, m), { '{a="1"}': [[120, 0], [180, 1], [240, 2]] });
  // A subquery pinned with @: max over (3m, 5m] at 1m steps = max(4, 5) whatever the step.
  t.same(await range(db, 'max_over_time(x[2m:1m] @ 300)', 0, 2 * m, m), { '{a="1"}': [[0, 5], [60, 5], [120, 5]] });
});

t.test('subquery steps are aligned to absolute multiples of the step', async (t) => {
  // At 7m30s, x[5m:1m] covers (2m30s, 7m30s] → inner points at 3m,4m,5m,6m,7m → values 3..7.
  t.same(await instant(db, 'count_over_time(x[5m:1m])', 7 * m + 30 * s), { '{a="1"}': 5 });
  t.same(await instant(db, 'sum_over_time(x[5m:1m])', 7 * m + 30 * s), { '{a="1"}': 25 });
  // Aligned end: (2m, 7m] → 3m..7m, the point at 2m is excluded (left-open).
  t.same(await instant(db, 'count_over_time(x[5m:1m])', 7 * m), { '{a="1"}': 5 });
  // foo[1m:1m] at an aligned time holds exactly one point (Prometheus 3 migration guide).
  t.same(await instant(db, 'count_over_time(x[1m:1m])', 7 * m), { '{a="1"}': 1 });
  // Default resolution is the engine's noStepSubqueryIntervalMs: 2m → (2m30s, 7m30s] has 4m and 6m.
  t.same(await instant(db, 'count_over_time(x[5m:])', 7 * m + 30 * s, engine({ noStepSubqueryIntervalMs: 2 * m })), { '{a="1"}': 2 });
  // Offset applies to the subquery window: (1m30s, 6m30s] → 2m..6m → 2+3+4+5+6.
  t.same(await instant(db, 'sum_over_time(x[5m:1m] offset 1m)', 7 * m + 30 * s), { '{a="1"}': 20 });
  // Nested: inner rate over 2m at each minute, outer max over 3m.
  // rate(x[2m]) at t: samples at t-1m, t (x grows 1/min, no extrapolation gap) → 1/60 per second.
  const nested = await instant(db, 'max_over_time(rate(x[2m])[3m:1m])', 8 * m);
  t.ok(Math.abs(nested['{a="1"}'] - 1 / 60) < 1e-12, 'nested subquery with a range function inside');
  // In a range query the subquery is evaluated once over all steps: same values as instants.
  t.same(await range(db, 'sum_over_time(x[2m:1m])', 3 * m + 30 * s, 5 * m + 30 * s, m), {
    '{a="1"}': [[210, 2 + 3], [270, 3 + 4], [330, 4 + 5]],
  });
});

/** A Queryable that records its calls and serves `series`. */
function recording(series: Series[]): { q: Queryable; calls: { matchers: readonly Matcher[]; hints: SelectHints }[] } {
  const calls: { matchers: readonly Matcher[]; hints: SelectHints }[] = [];
  return {
    calls,
    q: {
      select(matchers, hints) {
        calls.push({ matchers, hints });
        return arraySeriesSet(series);
      },
    },
  };
}

t.test('one select per selector node, with hints covering lookback, range, offset and subquery', async (t) => {
  const r = recording([]);
  await engine().rangeQuery(r.q, 'sum by (job) (rate(x[5m] offset 1m)) + x', 10 * m, 20 * m, m);
  t.equal(r.calls.length, 2);
  const [rate, plain] = r.calls;
  // rate: windows end at 9m..19m (offset), each 5m long, left-open → data from 4m + 1ms.
  t.same({ ...rate.hints }, { mint: 4 * m + 1, maxt: 19 * m, step: m, range: 5 * m, func: 'rate' });
  // The aggregation's grouping is a hint only for a selector directly inside it.
  t.same({ ...plain.hints }, { mint: 5 * m + 1, maxt: 20 * m, step: m, range: 0 });
  const r2 = recording([]);
  await engine().instantQuery(r2.q, 'sum by (job) (x)', 10 * m);
  t.same(r2.calls[0].hints, { mint: 5 * m + 1, maxt: 10 * m, step: 0, range: 0, func: 'sum', by: true, grouping: ['job'] });
  const r3 = recording([]);
  await engine().instantQuery(r3.q, 'max_over_time(x[10m:1m] offset 1m)', 30 * m);
  // Subquery (19m, 29m] → inner steps 20m..29m → lookback from 15m + 1ms.
  t.same({ mint: r3.calls[0].hints.mint, maxt: r3.calls[0].hints.maxt }, { mint: 15 * m + 1, maxt: 29 * m });
});

t.test('a histogram sample from storage is refused, never answered as a float', async (t) => {
  const series = {
    labels: Labels.from({ __name__: 'h' }),
    timestamps: new Float64Array([0]),
    values: new Float64Array([0]),
    histograms: [{}],
  } as Series;
  const q: Queryable = { select: () => arraySeriesSet([series]) };
  await t.rejects(engine().instantQuery(q, 'h', 0), NotSupportedError);
  await t.rejects(engine().instantQuery(q, 'h', 0), { message: 'native histograms are not supported yet' });
});
