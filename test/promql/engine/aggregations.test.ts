/**
 * Aggregations: grouping (by/without, name handling), the arithmetic edge cases Prometheus defines (NaN,
 * ±Inf, compensated sums, overflow-safe avg), topk/bottomk ties and NaN, count_values formatting,
 * quantile interpolation and bounds, limitk/limit_ratio, and empty input.
 */
import t from 'tap';
import { ExecutionError } from '../../../src/model/index.js';
import { engine, instant, instantOrder, load, m, range } from './helpers.js';

const db = load(m, {
  'r{job="a", i="1"}': [1],
  'r{job="a", i="2"}': [2],
  'r{job="a", i="3"}': [3],
  'r{job="b", i="4"}': [10],
  'w{job="a", i="1"}': [1],
});

t.test('by, without and the name', async (t) => {
  t.same(await instant(db, 'sum by (job) (r)', 0), { '{job="a"}': 6, '{job="b"}': 10 });
  t.same(await instant(db, 'sum without (i) (r)', 0), { '{job="a"}': 6, '{job="b"}': 10 }, 'without drops the name too');
  t.same(await instant(db, 'sum(r)', 0), { '{}': 16 });
  t.same(await instant(db, 'count by (__name__) ({job="a"})', 0), { 'r': 3, 'w': 1 }, 'by (__name__) keeps it');
  t.same(await instant(db, 'max by (job) (r)', 0), { '{job="a"}': 3, '{job="b"}': 10 });
  t.same(await instant(db, 'group by (job) (r)', 0), { '{job="a"}': 1, '{job="b"}': 1 });
  t.same(await instant(db, 'sum(nothing)', 0), {}, 'no input, no output');
  t.same(await instant(db, 'count by (nolabel) (r)', 0), { '{}': 4 }, 'a missing grouping label groups as empty');
});

t.test('NaN and infinities', async (t) => {
  const d = load(m, {
    'n{k="nan1"}': [NaN],
    'n{k="one"}': [1],
    'n{k="nan2"}': [NaN],
    'only{k="a"}': [NaN],
    'only{k="b"}': [NaN],
    'infs{k="p"}': [Infinity],
    'infs{k="n"}': [-Infinity],
    'infs{k="one"}': [1],
  });
  t.same(await instant(d, 'max(n)', 0), { '{}': 1 }, 'max ignores NaN unless all are NaN');
  t.same(await instant(d, 'min(n)', 0), { '{}': 1 });
  t.same(await instant(d, 'max(only)', 0), { '{}': NaN });
  t.same(await instant(d, 'sum(n)', 0), { '{}': NaN });
  t.same(await instant(d, 'sum(infs)', 0), { '{}': NaN }, '+Inf + -Inf');
  t.same(await instant(d, 'sum(infs{k!="n"})', 0), { '{}': Infinity });
  t.same(await instant(d, 'avg(infs{k!="n"})', 0), { '{}': Infinity });
  t.same(await instant(d, 'stddev(infs)', 0), { '{}': NaN });
  t.same(await instant(d, 'count(n)', 0), { '{}': 3 }, 'NaN samples still count');
});

t.test('compensated sum and overflow-safe average', async (t) => {
  // Naively 1e100 + 1 - 1e100 = 0; Kahan–Neumaier keeps the 1.
  const k = load(m, { 'k{i="1"}': [1e100], 'k{i="2"}': [1], 'k{i="3"}': [-1e100] });
  t.same(await instant(k, 'sum(k)', 0), { '{}': 1 });
  t.same(await instant(k, 'avg(k)', 0), { '{}': 1 / 3 });
  // 1.7e308 * 2 overflows a plain sum; the incremental mean gives (1.7e308 + 1.7e308) / 2 = 1.7e308.
  const big = load(m, { 'big{i="1"}': [1.7e308], 'big{i="2"}': [1.7e308] });
  t.same(await instant(big, 'avg(big)', 0), { '{}': 1.7e308 });
  t.same(await instant(big, 'sum(big)', 0), { '{}': Infinity });
});

t.test('stddev, stdvar and quantile', async (t) => {
  // job a: 1, 2, 3 → mean 2, population variance (1 + 0 + 1) / 3.
  t.same(await instant(db, 'stdvar by (job) (r)', 0), { '{job="a"}': 2 / 3, '{job="b"}': 0 });
  t.same(await instant(db, 'stddev by (job) (r)', 0), { '{job="a"}': Math.sqrt(2 / 3), '{job="b"}': 0 });
  // Sorted 1, 2, 3, 10; rank = φ·(n-1).
  const q = async (phi: string) => (await instant(db, `quantile(${phi}, r)`, 0))['{}'];
  t.equal(await q('0.5'), 2.5, 'rank 1.5: halfway between 2 and 3');
  const w = 0.9 * 3 - 2; // rank 2.7 → weight 0.7 (with float rounding, as in Go)
  t.equal(await q('0.9'), 3 * (1 - w) + 10 * w, 'rank 2.7: 3·0.3 + 10·0.7');
  t.equal(await q('0'), 1);
  t.equal(await q('1'), 10);
  t.equal(await q('-1'), -Infinity);
  t.equal(await q('2'), Infinity);
  t.ok(Number.isNaN(await q('NaN')));
  const r = await engine().instantQuery(db, 'quantile(2, r)', 0);
  t.same(r.warnings, ['PromQL warning: quantile value should be between 0 and 1, got 2 (1:10)']);
  // NaN sorts first (Prometheus): values NaN, 1 → q=0 gives NaN, q=1 gives 1.
  const n = load(m, { 'n{k="a"}': [NaN], 'n{k="b"}': [1] });
  t.ok(Number.isNaN((await instant(n, 'quantile(0, n)', 0))['{}']));
  t.equal((await instant(n, 'quantile(1, n)', 0))['{}'], 1);
});

t.test('topk and bottomk keep labels, order by value, and never prefer NaN', async (t) => {
  t.same(await instantOrder(db, 'topk(2, r)', 0), ['r{i="4", job="b"}', 'r{i="3", job="a"}']);
  t.same(await instantOrder(db, 'bottomk(2, r)', 0), ['r{i="1", job="a"}', 'r{i="2", job="a"}']);
  t.same(await instant(db, 'topk by (job) (1, r)', 0), { 'r{i="3", job="a"}': 3, 'r{i="4", job="b"}': 10 });
  t.same(await instant(db, 'topk(0, r)', 0), {});
  t.same(await instant(db, 'topk(2.9, r{job="a"})', 0), { 'r{i="3", job="a"}': 3, 'r{i="2", job="a"}': 2 }, 'k is truncated');
  t.same(await instant(db, 'topk(100, r{job="b"})', 0), { 'r{i="4", job="b"}': 10 });
  const n = load(m, { 'n{k="a"}': [NaN], 'n{k="b"}': [5], 'n{k="c"}': [NaN], 'n{k="d"}': [1] });
  t.same(await instant(n, 'topk(1, n)', 0), { 'n{k="b"}': 5 });
  t.same(await instant(n, 'bottomk(1, n)', 0), { 'n{k="d"}': 1 });
  t.same(await instantOrder(n, 'topk(3, n)', 0), ['n{k="b"}', 'n{k="d"}', 'n{k="a"}'], 'NaN only fills what is left, last');
  // Ties: the series seen first stays (a later equal value does not replace the heap root).
  const tie = load(m, { 'e{k="a"}': [7], 'e{k="b"}': [7], 'e{k="c"}': [7] });
  t.same(await instant(tie, 'topk(1, e)', 0), { 'e{k="a"}': 7 });
  // Past the first k, Go's heap decides: these were checked against Prometheus 2.42 (same heap code).
  const ties = load(m, { 'e{k="a"}': [7], 'e{k="b"}': [7], 'e{k="c"}': [7], 'e{k="d"}': [7], 'e{k="e"}': [5] });
  t.same(await instant(ties, 'bottomk(2, e)', 0), { 'e{k="e"}': 5, 'e{k="b"}': 7 });
  t.same(await instant(ties, 'topk(3, e)', 0), { 'e{k="a"}': 7, 'e{k="b"}': 7, 'e{k="c"}': 7 });
  await t.rejects(instant(db, 'topk(NaN, r)', 0), new ExecutionError('Scalar value NaN overflows int64'));
  await t.rejects(instant(db, 'topk(1e19, r)', 0), new ExecutionError('Scalar value 10000000000000000000 overflows int64'));
  // In a range query each step chooses for itself.
  const moving = load(m, { 'mv{k="a"}': [1, 3], 'mv{k="b"}': [2, 2] });
  t.same(await range(moving, 'topk(1, mv)', 0, m, m), { 'mv{k="a"}': [[60, 3]], 'mv{k="b"}': [[0, 2]] });
});

t.test('count_values prints values like Go FormatFloat(f, -1)', async (t) => {
  const d = load(m, { 'cv{k="a"}': [1e21], 'cv{k="b"}': [1e21], 'cv{k="c"}': [0.5], 'cv{k="d"}': [-Infinity], 'cv{k="e"}': [1e-7] });
  t.same(await instant(d, 'count_values("v", cv)', 0), {
    '{v="1000000000000000000000"}': 2, // never an exponent
    '{v="0.5"}': 1,
    '{v="-Inf"}': 1,
    '{v="0.0000001"}': 1,
  });
  t.same(await instant(db, 'count_values by (job) ("v", r)', 0), {
    '{job="a", v="1"}': 1,
    '{job="a", v="2"}': 1,
    '{job="a", v="3"}': 1,
    '{job="b", v="10"}': 1,
  });
  await t.rejects(instant(db, 'count_values("", r)', 0), new ExecutionError('invalid label name ""'));
});

t.test('limitk and limit_ratio (experimental)', async (t) => {
  t.same(await instant(db, 'limitk(2, r)', 0), { 'r{i="1", job="a"}': 1, 'r{i="2", job="a"}': 2 }, 'the first k in input order');
  const all = await instant(db, 'limit_ratio(1, r)', 0);
  t.equal(Object.keys(all).length, 4, 'ratio 1 keeps everything');
  t.same(await instant(db, 'limit_ratio(0, r)', 0), {});
  // r and -(1 - r) select complementary sets (hash offset < r vs ≥ r).
  const a = Object.keys(await instant(db, 'limit_ratio(0.5, r)', 0));
  const b = Object.keys(await instant(db, 'limit_ratio(-0.5, r)', 0));
  t.same([...a, ...b].sort(), Object.keys(all).sort());
  const capped = await engine().instantQuery(db, 'limit_ratio(1.5, r)', 0);
  t.same(capped.warnings, ['PromQL warning: ratio value should be between -1 and 1, got 1.5, capping to 1 (1:13)']);
  await t.rejects(engine({ enableExperimentalFunctions: false }).instantQuery(db, 'limitk(1, r)', 0), { name: 'BadDataError' });
});
