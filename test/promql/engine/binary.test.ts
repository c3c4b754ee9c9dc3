/**
 * Binary operators: arithmetic with Go semantics (% as math.Mod, ^ as math.Pow), comparisons as filters
 * and with bool, set operators, every vector-matching form, the many-to-one and duplicate errors worded as
 * Prometheus's, and which results keep `__name__`.
 */
import t from 'tap';
import { ExecutionError } from '../../../src/model/index.js';
import { instant, load, m } from './helpers.js';

const db = load(m, {
  'a{job="x", i="1"}': [10],
  'a{job="x", i="2"}': [20],
  'a{job="y", i="3"}': [30],
  'b{job="x", i="1"}': [2],
  'b{job="x", i="2"}': [4],
  'b{job="z", i="9"}': [8],
  'per_job{job="x", owner="ann"}': [100],
  'per_job{job="y", owner="bob"}': [1000],
  'dup{job="x", r="1"}': [1],
  'dup{job="x", r="2"}': [2],
  'nanv{i="1"}': [NaN],
  'rr{job="x", r="z"}': [1],
});

t.test('scalar arithmetic follows Go', async (t) => {
  const cases: [string, number][] = [
    ['7 % 3', 1],
    ['-7 % 3', -1], // math.Mod keeps the dividend's sign
    ['7 % -3', 1],
    ['5 % Inf', 5],
    ['2 ^ 10', 1024],
    ['1 ^ NaN', 1], // Go: Pow(1, y) = 1 for any y (JS Math.pow gives NaN)
    ['(-1) ^ Inf', 1], // Go: Pow(-1, ±Inf) = 1
    ['1 / 0', Infinity],
    ['0 / 0', NaN],
    ['1 atan2 1', Math.PI / 4],
    ['3 > bool 2', 1],
    ['NaN == bool NaN', 0],
    ['NaN != bool NaN', 1],
  ];
  for (const [q, want] of cases) t.same(await instant(db, q, 0), { scalar: want }, q);
});

t.test('vector and scalar', async (t) => {
  t.same(await instant(db, 'a{i="1"} * 2', 0), { '{i="1", job="x"}': 20 }, 'arithmetic drops the name');
  t.same(await instant(db, '2 - a{i="1"}', 0), { '{i="1", job="x"}': -8 }, 'scalar on the left');
  t.same(await instant(db, 'a > 15', 0), { 'a{i="2", job="x"}': 20, 'a{i="3", job="y"}': 30 }, 'filter keeps name and value');
  t.same(await instant(db, '15 < a', 0), { 'a{i="2", job="x"}': 20, 'a{i="3", job="y"}': 30 }, 'scalar left: value is still the vector\'s');
  t.same(await instant(db, 'a > bool 15', 0), { '{i="1", job="x"}': 0, '{i="2", job="x"}': 1, '{i="3", job="y"}': 1 }, 'bool drops the name');
  t.same(await instant(db, 'nanv == nanv', 0), {}, 'NaN never equals');
  t.same(await instant(db, '-a{i="1"}', 0), { '{i="1", job="x"}': -10 }, 'unary minus drops the name');
});

t.test('one-to-one matching', async (t) => {
  t.same(await instant(db, 'a / b', 0), { '{i="1", job="x"}': 5, '{i="2", job="x"}': 5 }, 'all labels but the name');
  t.same(await instant(db, 'a - on(i) b', 0), { '{i="1"}': 8, '{i="2"}': 16 }, 'on keeps only the listed labels');
  t.same(await instant(db, 'a - ignoring(i) group_left b{i="1"}', 0), { '{i="1", job="x"}': 8, '{i="2", job="x"}': 18 });
  t.same(await instant(db, 'a > on(i) b', 0), { '{i="1"}': 10, '{i="2"}': 20 }, 'a filtering comparison keeps the lhs value on the matched labels');
  t.same(await instant(db, 'a >= bool on(i, job) b', 0), { '{i="1", job="x"}': 1, '{i="2", job="x"}': 1 });
  t.same(await instant(db, 'a + nothing', 0), {}, 'empty side');
});

t.test('many-to-one and one-to-many with extra labels', async (t) => {
  // Each a joins its job's per_job series; group_left(owner) copies owner from the one side.
  t.same(await instant(db, 'a * on(job) group_left(owner) per_job', 0), {
    '{i="1", job="x", owner="ann"}': 1000,
    '{i="2", job="x", owner="ann"}': 2000,
    '{i="3", job="y", owner="bob"}': 30000,
  });
  t.same(await instant(db, 'per_job * on(job) group_right(owner) a', 0), {
    '{i="1", job="x", owner="ann"}': 1000,
    '{i="2", job="x", owner="ann"}': 2000,
    '{i="3", job="y", owner="bob"}': 30000,
  }, 'group_right: the many side is on the right, values still lhs op rhs');
  t.same(await instant(db, 'per_job - on(job) group_right a', 0), {
    '{i="1", job="x"}': 90, // 100 - 10: operand order is kept after the internal swap
    '{i="2", job="x"}': 80,
    '{i="3", job="y"}': 970,
  });
  t.same(await instant(db, 'a > on(job) group_left per_job', 0), {}, 'comparison filters per pair');
});

t.test('matching errors read like Prometheus', async (t) => {
  // Two a series with job="x" meet one per_job: needs group_left.
  await t.rejects(instant(db, 'a + on(job) per_job', 0), new ExecutionError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)'));
  await t.rejects(
    instant(db, 'a + on(job) group_left dup', 0),
    new ExecutionError(
      'found duplicate series for the match group {job="x"} on the right hand-side of the operation: ' +
        '[{__name__="dup", job="x", r="2"}, {__name__="dup", job="x", r="1"}];many-to-many matching not allowed: matching labels must be unique on one side',
    ),
  );
  await t.rejects(
    instant(db, 'dup + on(job) group_right a', 0),
    { message: /match group \{job="x"\} on the left hand-side/ },
  );
  await t.rejects(
    instant(db, 'a + ignoring(i) group_left b', 0),
    { message: /found duplicate series for the match group \{job="x"\} on the right hand-side/ },
  );
  // Grouping labels must make results unique: group_left(r) overwrites r="1"/r="2" with r="z", so both
  // dup series produce dup{job="x", r="z"}.
  await t.rejects(instant(db, 'dup * on(job) group_left(r) rr', 0), new ExecutionError('multiple matches for matching labels: grouping labels must ensure unique matches'));
  // Only steps where both sides have samples matter: the duplicates never overlap in time here.
  const staggered = load(m, { 'p{k="1", r="1"}': [1, null, null, null, null, null, null], 'p{k="1", r="2"}': [null, null, null, null, null, null, 2], 'q{k="1"}': [10, 10, 10, 10, 10, 10, 10] });
  t.same(await instant(staggered, 'q + on(k) p', 6 * m), { '{k="1"}': 12 }, 'no error when the duplicates are not present at the same step');
});

t.test('set operators', async (t) => {
  t.same(await instant(db, 'a and b', 0), { 'a{i="1", job="x"}': 10, 'a{i="2", job="x"}': 20 });
  t.same(await instant(db, 'a unless b', 0), { 'a{i="3", job="y"}': 30 });
  t.same(await instant(db, 'a and on(job) per_job{job="y"}', 0), { 'a{i="3", job="y"}': 30 });
  t.same(await instant(db, 'b or a', 0), {
    'b{i="1", job="x"}': 2,
    'b{i="2", job="x"}': 4,
    'b{i="9", job="z"}': 8,
    'a{i="3", job="y"}': 30, // a{i=1,2} share a signature with b and are left out
  });
  t.same(await instant(db, 'a or on(job) per_job', 0), { 'a{i="1", job="x"}': 10, 'a{i="2", job="x"}': 20, 'a{i="3", job="y"}': 30 });
  t.same(await instant(db, '(a * 2) and b', 0), { '{i="1", job="x"}': 20, '{i="2", job="x"}': 40 }, 'keeps the lhs name removal');
});

t.test('names dropped by arithmetic are gone before a duplicate check', async (t) => {
  const two = load(m, { 'u{k="1"}': [1], 'v{k="1"}': [2] });
  await t.rejects(instant(two, '{__name__=~"u|v"} * 2', 0), new ExecutionError('vector cannot contain metrics with the same labelset'));
  t.same(await instant(two, '{__name__=~"u|v"} > 0', 0), { 'u{k="1"}': 1, 'v{k="1"}': 2 }, 'filters keep the names, so no clash');
  t.same(await instant(two, 'sum({__name__=~"u|v"} * 2)', 0), { '{}': 6 }, 'an intermediate clash is fine (delayed name removal)');
});
