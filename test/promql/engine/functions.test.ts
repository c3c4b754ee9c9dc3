/**
 * Functions as the engine applies them: rate extrapolation worked through, the counter info, label_replace
 * and label_join (RE2, Go template expansion, errors), absent, histogram_quantile/fraction over `le`
 * buckets with their annotations, sort order, timestamp, clamp, date functions without argument, and
 * which functions keep `__name__`.
 */
import t from 'tap';
import { ExecutionError } from '../../../src/model/index.js';
import { engine, instant, instantOrder, load, m, range, s } from './helpers.js';

t.test('rate/increase extrapolation, worked through', async (t) => {
  const d = load(15 * s, {
    // 10, 25, 40, 55 at 0s, 15s, 30s, 45s (shifted by 10s below).
    'c_total{k="steady"}': [10, 25, 40, 55],
    'c_total{k="reset"}': [10, 20, 5, 15],
  }, 10 * s);
  const gap = load(15 * s, { 'g_total': [100, 115, 130] }, 30 * s);
  // steady, rate[60s] at 60s: window (0s, 60s], samples 10s..55s, increase 45 over 45s.
  // To the start: 10s < 1.1 × 15s, extrapolate fully; the counter would reach 0 after 45·10/45 = 10s back, no cap.
  // To the end: 5s. Increase = 45 × (45 + 10 + 5) / 45 = 60 → rate 60 / 60 = 1.
  const r = await instant(d, 'rate(c_total{k="steady"}[60s])', 60 * s);
  t.ok(Math.abs(r['{k="steady"}'] - 1) < 1e-12, `steady rate ${r['{k="steady"}']}`);
  // reset: 10, 20, 5, 15 → 15 - 10 + 20 (the drop adds the previous value) = 25 over 45s.
  // Window (10s, 70s] at 70s: samples 25s..55s only (10s is excluded, left-open) → 20, 5, 15: 15 - 20 + 20 = 15 over 30s.
  // To start 15s (< 16.5s, full; zero point 30·20/15 = 40s away, no cap), to end 15s: 15 × (30 + 15 + 15) / 30 = 30.
  t.ok(Math.abs((await instant(d, 'increase(c_total{k="reset"}[60s])', 70 * s))['{k="reset"}'] - 30) < 1e-9);
  // gap: 100, 115, 130 at 30s, 45s, 60s; rate[2m] at 60s, window (-60s, 60s]: 90s to the start ≥ 16.5s,
  // so only half an interval (7.5s) is added; increase = 30 × (30 + 7.5) / 30 = 37.5 → 37.5 / 120 = 0.3125.
  t.same(await instant(gap, 'rate(g_total[2m])', 60 * s), { '{}': 0.3125 });
  t.same(await instant(gap, 'rate(g_total[2m])', 30 * s), {}, 'one sample: no rate');
});

t.test('rate on a name without a counter suffix adds an info', async (t) => {
  const d = load(15 * s, { 'temp': [1, 2, 3, 4], 'ok_total': [1, 2, 3, 4] });
  const r = await engine().instantQuery(d, 'rate(temp[1m]) + rate(ok_total[1m])', 45 * s);
  t.same(r.infos, ['PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "temp" (1:6)']);
  t.same((await engine().instantQuery(d, 'delta(temp[1m])', 45 * s)).infos, [], 'only rate and increase');
});

t.test('quantile_over_time warns about φ outside [0, 1] where it ran', async (t) => {
  const d = load(m, { 'g': [1, 2, 3] });
  const r = await engine().instantQuery(d, 'quantile_over_time(2, g[5m])', 2 * m);
  t.same(r.warnings, ['PromQL warning: quantile value should be between 0 and 1, got 2 (1:20)']);
  t.same((await engine().instantQuery(d, 'quantile_over_time(2, nope[5m])', 2 * m)).warnings, [], 'no window, no call, no warning');
});

t.test('which functions keep the metric name', async (t) => {
  const d = load(m, { 'g{k="1"}': [4, 9] });
  t.same(await instant(d, 'last_over_time(g[5m])', m), { 'g{k="1"}': 9 });
  t.same(await instant(d, 'first_over_time(g[5m])', m), { 'g{k="1"}': 4 });
  t.same(await instant(d, 'max_over_time(g[5m])', m), { '{k="1"}': 9 });
  t.same(await instant(d, 'sqrt(g)', m), { '{k="1"}': 3 });
  t.same(await instant(d, 'sort(g)', m), { 'g{k="1"}': 9 });
  t.same(await instant(d, 'label_replace(g, "x", "y", "", "")', m), { 'g{k="1", x="y"}': 9 });
  // Delayed removal: label_replace still sees the name of sqrt's input.
  t.same(await instant(d, 'label_replace(sqrt(g), "was", "$1", "__name__", "(.*)")', m), { '{k="1", was="g"}': 3 });
});

t.test('label_replace', async (t) => {
  const d = load(m, { 'up{instance="host:9090", job="j"}': [1], 'up{instance="other", job="j"}': [1] });
  t.same(await instant(d, 'label_replace(up, "port", "$2", "instance", "(.*):(.*)")', 0), {
    'up{instance="host:9090", job="j", port="9090"}': 1,
    'up{instance="other", job="j"}': 1, // no match: unchanged
  });
  t.same(await instant(d, 'label_replace(up{instance="other"}, "a", "$1x|${1}x|$$", "instance", "(.)(.*)")', 0), {
    'up{a="|ox|$", instance="other", job="j"}': 1, // $1x is the (missing) group "1x"
  });
  t.same(await instant(d, 'label_replace(up{instance="other"}, "a", "$name", "instance", "(?P<name>o.h).*")', 0), {
    'up{a="oth", instance="other", job="j"}': 1,
  });
  t.same(await instant(d, 'label_replace(up, "a", "b", "instance", "oth")', 0), {
    'up{instance="host:9090", job="j"}': 1,
    'up{instance="other", job="j"}': 1,
  }, 'anchored: "oth" does not match "other"');
  t.same(await instant(d, 'label_replace(up, "job", "", "instance", ".*")', 0), {
    'up{instance="host:9090"}': 1,
    'up{instance="other"}': 1,
  }, 'an empty value deletes the label');
  await t.rejects(instant(d, 'label_replace(up, "a", "b", "instance", "(.*")', 0), new ExecutionError('invalid regular expression in label_replace(): (.*'));
  await t.rejects(instant(d, 'label_replace(up, "", "b", "instance", ".*")', 0), new ExecutionError('invalid destination label name in label_replace(): '));
  await t.rejects(instant(d, 'label_replace(up, "instance", "same", "job", ".*")', 0), new ExecutionError('vector cannot contain metrics with the same labelset'));
});

t.test('label_join', async (t) => {
  const d = load(m, { 'x{a="1", b="2"}': [1] });
  t.same(await instant(d, 'label_join(x, "j", "-", "a", "b", "missing")', 0), { 'x{a="1", b="2", j="1-2-"}': 1 });
  t.same(await instant(d, 'label_join(x, "a", ",")', 0), { 'x{b="2"}': 1 }, 'no sources: empty value, label removed');
  await t.rejects(instant(d, 'label_join(x, "j", "-", "")', 0), new ExecutionError('invalid source label name in label_join(): '));
});

t.test('absent and absent_over_time', async (t) => {
  const d = load(m, { 'here{job="a"}': [1, null, null, null, null, null, null, null] });
  t.same(await instant(d, 'absent(here)', 0), {});
  t.same(await instant(d, 'absent(nope{job="a", env=~"p.*", x="1", x="2"})', 0), { '{job="a"}': 1 }, 'only single equality matchers');
  t.same(await instant(d, 'absent(sum(nope))', 0), { '{}': 1 });
  t.same(await instant(d, 'absent_over_time(here{job="a"}[2m])', 2 * m), { '{job="a"}': 1 }, 'window (0, 2m] misses the sample at 0');
  t.same(await instant(d, 'absent_over_time(here{job="a"}[2m])', m), {});
  t.same(await range(d, 'absent(here)', 0, 10 * m, 5 * m), { '{}': [[300, 1], [600, 1]] }, 'per step: lookback ends at 5m');
});

t.test('histogram_quantile and histogram_fraction over le buckets', async (t) => {
  const d = load(m, {
    'h_bucket{job="a", le="0.1"}': [10],
    'h_bucket{job="a", le="0.5"}': [20],
    'h_bucket{job="a", le="1"}': [30],
    'h_bucket{job="a", le="+Inf"}': [40],
    'h_bucket{job="b", le="1"}': [5],
    'h_bucket{job="b", le="+Inf"}': [4], // decreasing: fixed to 5, 5
    'h_bucket{job="c", le="x"}': [1],
  });
  // job a, q=0.5: rank 20 → bucket (0.1, 0.5] holding 10, rank 10 inside it → 0.1 + 0.4 × 10/10 = 0.5.
  // q=0.25: rank 10 → first bucket (0, 0.1] → 0.1. q=0.9: rank 36 falls in +Inf → highest finite bound 1.
  const q = (phi: number) => engine().instantQuery(d, `histogram_quantile(${phi}, h_bucket{job="a"})`, 0);
  for (const [phi, want] of [[0.5, 0.5], [0.25, 0.1], [0.9, 1]]) {
    const r = await q(phi);
    t.same(r.value.resultType === 'vector' ? r.value.result.map((x) => [x.labels.toString(), x.v]) : null, [['{job="a"}', want]], `q=${phi}`);
  }
  const all = await engine().instantQuery(d, 'histogram_quantile(0.5, h_bucket)', 0);
  t.same(all.warnings, ['PromQL warning: bucket label "le" is missing or has a malformed value of "x" for metric name "h_bucket" (1:25)']);
  t.same(all.infos, [
    'PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name "h_bucket" (1:25)',
  ]);
  // job b after the fix: 5, 5 → rank 2.5 in the first bucket (0, 1] → 0.5.
  t.same(await instant(d, 'histogram_quantile(0.5, h_bucket{job="b"})', 0), { '{job="b"}': 0.5 });
  t.same((await engine().instantQuery(d, 'histogram_quantile(1.5, h_bucket{job="a"})', 0)).warnings, [
    'PromQL warning: quantile value should be between 0 and 1, got 1.5 (1:20)',
  ]);
  // Fraction in [0, 0.5]: 20 of 40 observations.
  t.same(await instant(d, 'histogram_fraction(0, 0.5, h_bucket{job="a"})', 0), { '{job="a"}': 0.5 });
  t.same(await instant(d, 'histogram_count(h_bucket)', 0), {}, 'native-histogram functions ignore floats');
});

t.test('sort family orders instant results only', async (t) => {
  const d = load(m, { 'v{k="a"}': [2], 'v{k="b"}': [NaN], 'v{k="c"}': [1], 'v{k="d"}': [3] });
  t.same(await instantOrder(d, 'sort(v)', 0), ['v{k="c"}', 'v{k="a"}', 'v{k="d"}', 'v{k="b"}'], 'NaN last');
  t.same(await instantOrder(d, 'sort_desc(v)', 0), ['v{k="d"}', 'v{k="a"}', 'v{k="c"}', 'v{k="b"}'], 'NaN last too');
  const n = load(m, { 'n{x="10"}': [1], 'n{x="9"}': [1], 'n{x="a"}': [1] });
  t.same(await instantOrder(n, 'sort_by_label(n, "x")', 0), ['n{x="9"}', 'n{x="10"}', 'n{x="a"}'], 'natural order');
  t.same(await instantOrder(n, 'sort_by_label_desc(n, "x")', 0), ['n{x="a"}', 'n{x="10"}', 'n{x="9"}']);
});

t.test('timestamp, clamp, round, date functions, scalar/vector/time', async (t) => {
  const d = load(m, { 'g{k="1"}': [1.25, 7.5], 'g{k="2"}': [-3] });
  t.same(await instant(d, 'timestamp(g)', 90 * s), { '{k="1"}': 60, '{k="2"}': 0 }, 'the sample time, not the eval time');
  t.same(await instant(d, 'timestamp(g * 1)', 90 * s), { '{k="1"}': 90, '{k="2"}': 90 }, 'computed: the eval time');
  t.same(await instant(d, 'timestamp(g @ 30)', 90 * s), { '{k="1"}': 0, '{k="2"}': 0 });
  t.same(await instant(d, 'clamp(g, 0, 5)', 60 * s), { '{k="1"}': 5, '{k="2"}': 0 });
  t.same(await instant(d, 'clamp(g, 5, 0)', 60 * s), {}, 'min > max: nothing');
  t.same(await instant(d, 'round(g)', 0), { '{k="1"}': 1, '{k="2"}': -3 });
  t.same(await instant(d, 'round(g, 0.5)', 0), { '{k="1"}': 1.5, '{k="2"}': -3 }, '1.25 / 0.5 = 2.5 rounds half up to 3 → 1.5');
  // 1970-01-01T03:25:00Z → hour 3, minute 25; day_of_week 4 (Thursday).
  const at = (3 * 60 + 25) * m;
  t.same(await instant(d, 'hour()', at), { '{}': 3 });
  t.same(await instant(d, 'minute()', at), { '{}': 25 });
  t.same(await instant(d, 'day_of_week()', at), { '{}': 4 });
  t.same(await instant(d, 'year(vector(1e9))', 0), { '{}': 2001 }, '1e9 s is 2001-09-09');
  t.same(await instant(d, 'scalar(g)', 0), { scalar: NaN }, 'two series: NaN');
  t.same(await instant(d, 'scalar(g{k="2"})', 0), { scalar: -3 });
  t.same(await instant(d, 'vector(time())', 42 * s), { '{}': 42 });
  t.same(await range(d, 'time()', 0, 2 * m, m), { '{}': [[0, 0], [60, 60], [120, 120]] }, 'a scalar range result is one series');
});

t.test('info() adds data labels from target_info by instance and job (experimental)', async (t) => {
  const d = load(m, {
    'req_total{instance="a", job="api"}': [1, 2, 3],
    'req_total{instance="b", job="api"}': [5, 5, 5],
    'target_info{instance="a", job="api", region="eu", version="1"}': [1, 1, 1],
    'build_info{instance="a", job="api", revision="abc"}': [1, 1, 1],
    // A newer target_info for b replaces an older one at 2m (the newest sample per identity wins).
    'target_info{instance="b", job="api", region="us"}': [1, null, null],
    'target_info{instance="b", job="api", region="ap"}': [null, null, 1],
  });
  t.same(await instant(d, 'info(req_total)', 0), {
    'req_total{instance="a", job="api", region="eu", version="1"}': 1,
    'req_total{instance="b", job="api", region="us"}': 5,
  });
  t.same(await instant(d, 'info(req_total)', 2 * m), {
    'req_total{instance="a", job="api", region="eu", version="1"}': 3,
    'req_total{instance="b", job="api", region="ap"}': 5,
  }, 'at 2m both b infos are in the lookback; the one sampled at 2m is newer');
  t.same(await instant(d, 'info(req_total, {region="eu"})', 0), {
    'req_total{instance="a", job="api", region="eu"}': 1,
  }, 'only the selected data labels; series without a matching info are dropped');
  t.same(await instant(d, 'info(req_total, {__name__="build_info"})', 0), {
    'req_total{instance="a", job="api", revision="abc"}': 1,
    'req_total{instance="b", job="api"}': 5,
  }, 'another info metric by name');
  t.same(await instant(d, 'info(target_info{instance="a"})', 0), {
    'target_info{instance="a", job="api", region="eu", version="1"}': 1,
  }, 'info series are not enriched');
});
