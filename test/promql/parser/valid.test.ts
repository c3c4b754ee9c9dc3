// Valid PromQL: each input with its canonical printout, derived by hand from Prometheus's String() format
// (printer.go: `sum by (job) (x)`, `on (a) group_left (b)`, `@ 10.000` before ` offset 5m`, model.Duration
// units, FormatFloat 'f' -1), plus AST-shape checks for what a printout cannot show, and the round trip
// parse(print(parse(x))) == parse(x).
import t from 'tap';
import { MatchType } from '../../../src/model/index.js';
import { parse, printExpr } from '../../../src/promql/parser/index.js';
import type { Expr } from '../../../src/promql/ast.js';

/** The AST without positions, matchers as plain tuples and functions by name: what a round trip must keep. */
function stripPositions(e: unknown): unknown {
  return JSON.parse(
    JSON.stringify(e, (k, v: unknown) => {
      if (k === 'pos') return undefined;
      if (k === 'func') return (v as { name: string }).name;
      if (v && typeof v === 'object' && 'matches' in v) {
        const m = v as unknown as { type: number; name: string; value: string };
        return [m.type, m.name, m.value];
      }
      return v;
    }),
  );
}

const canonical: [behaviour: string, input: string, printed: string][] = [
  ['bare metric name', 'foo', 'foo'],
  ['empty braces after a name', 'foo{}', 'foo'],
  ['name with colons', 'job:rate5m:sum', 'job:rate5m:sum'],
  ['aggregator word as a metric name', 'sum', 'sum'],
  ['function name as a metric name', 'rate', 'rate'],
  ['one matcher', 'foo{a="b"}', 'foo{a="b"}'],
  ['all four matcher types, single quotes, trailing comma', `foo{a='b', c!="d", e=~"f.*", g!~'h',}`, 'foo{a="b", c!="d", e=~"f.*", g!~"h"}'],
  ['matchers only', '{job="api"}', '{job="api"}'],
  ['__name__ matcher stays inside the braces', '{__name__="foo", a="b"}', '{__name__="foo", a="b"}'],
  ['__name__ regex matcher', '{__name__=~"foo|bar"}', '{__name__=~"foo|bar"}'],
  ['quoted UTF-8 metric name', '{"my.metric"}', '{"my.metric"}'],
  ['quoted UTF-8 metric and label names', '{"my.metric", "label.name"="x"}', '{"my.metric", "label.name"="x"}'],
  ['quoted legacy label name', '{"job"="x"}', '{job="x"}'],
  ['backtick matcher value', 'foo{a=`x\\y`}', 'foo{a="x\\\\y"}'],
  ['range', 'foo[5m]', 'foo[5m]'],
  ['range with two units', 'foo[1h30m]', 'foo[1h30m]'],
  ['range normalised to larger units', 'foo[90m]', 'foo[1h30m]'],
  ['7d prints as a week', 'foo[7d]', 'foo[1w]'],
  ['8d stays days (weeks only when exact)', 'foo[8d]', 'foo[8d]'],
  ['365d prints as a year', 'foo[365d]', 'foo[1y]'],
  ['ms', 'foo[1500ms]', 'foo[1s500ms]'],
  ['bare number range is seconds', 'foo[90]', 'foo[1m30s]'],
  ['duration arithmetic folded', 'foo[5m+30s]', 'foo[5m30s]'],
  ['offset', 'foo offset 5m', 'foo offset 5m'],
  ['negative offset', 'foo offset -5m', 'foo offset -5m'],
  ['offset expression folded', 'foo offset (1h/2)', 'foo offset 30m'],
  ['@ timestamp', 'foo @ 10', 'foo @ 10.000'],
  ['@ fractional', 'foo @ 1.5', 'foo @ 1.500'],
  ['@ negative', 'foo @ -1', 'foo @ -1.000'],
  ['@ start()', 'foo @ start()', 'foo @ start()'],
  ['@ end()', 'foo @ end()', 'foo @ end()'],
  ['offset then @ prints @ first', 'foo offset 5m @ 10', 'foo @ 10.000 offset 5m'],
  ['@ then offset', 'foo @ 10 offset 5m', 'foo @ 10.000 offset 5m'],
  ['range with modifiers', 'foo[5m] offset 1m @ end()', 'foo[5m] @ end() offset 1m'],
  ['function', 'rate(foo[5m])', 'rate(foo[5m])'],
  ['function with several arguments', 'label_replace(foo, "dst", "$1", "src", "(.*)")', 'label_replace(foo, "dst", "$1", "src", "(.*)")'],
  ['optional argument omitted', 'round(foo)', 'round(foo)'],
  ['optional argument given', 'round(foo, 5)', 'round(foo, 5)'],
  ['date function without argument', 'day_of_week()', 'day_of_week()'],
  ['variadic label_join', 'label_join(foo, "d", ",", "a", "b", "c")', 'label_join(foo, "d", ",", "a", "b", "c")'],
  ['subquery', 'rate(foo[5m])[30m:1m]', 'rate(foo[5m])[30m:1m]'],
  ['subquery default step', 'rate(foo[5m])[30m:]', 'rate(foo[5m])[30m:]'],
  ['subquery with modifiers', 'foo[5m:1m] @ 100 offset 1m', 'foo[5m:1m] @ 100.000 offset 1m'],
  ['nested subquery', 'max_over_time(rate(foo[5m])[1h:1m] offset 10m)', 'max_over_time(rate(foo[5m])[1h:1m] offset 10m)'],
  ['subquery of a subquery', 'min_over_time(max_over_time(foo[5m:])[1h:5m])', 'min_over_time(max_over_time(foo[5m:])[1h:5m])'],
  ['sum', 'sum(foo)', 'sum(foo)'],
  ['sum by', 'sum by (job) (foo)', 'sum by (job) (foo)'],
  ['grouping after the body', 'sum(foo) by (job, instance)', 'sum by (job, instance) (foo)'],
  ['keywords in any case', 'SUM BY (job) (foo)', 'sum by (job) (foo)'],
  ['without', 'sum without (job) (foo)', 'sum without (job) (foo)'],
  ['empty without is kept', 'sum without () (foo)', 'sum without () (foo)'],
  ['empty by is dropped', 'sum by () (foo)', 'sum(foo)'],
  ['quoted grouping label', 'sum by ("my.label") (foo)', 'sum by ("my.label") (foo)'],
  ['topk', 'topk(5, foo)', 'topk(5, foo)'],
  ['bottomk with grouping', 'bottomk by (a) (2, foo)', 'bottomk by (a) (2, foo)'],
  ['quantile', 'quantile(0.9, foo)', 'quantile(0.9, foo)'],
  ['count_values', `count_values('value', foo)`, 'count_values("value", foo)'],
  ['group', 'group(foo)', 'group(foo)'],
  ['stddev/stdvar', 'stddev(foo) + stdvar(foo)', 'stddev(foo) + stdvar(foo)'],
  ['arithmetic', 'foo + bar', 'foo + bar'],
  ['atan2', 'foo atan2 bar', 'foo atan2 bar'],
  ['on', 'foo + on(a, b) bar', 'foo + on (a, b) bar'],
  ['empty on', 'foo + on() bar', 'foo + on () bar'],
  ['ignoring', 'foo + ignoring(a) bar', 'foo + ignoring (a) bar'],
  ['group_left with labels', 'foo * on(a) group_left(b) bar', 'foo * on (a) group_left (b) bar'],
  ['group_right without labels', 'foo * on(a) group_right bar', 'foo * on (a) group_right () bar'],
  ['group_left with empty on()', 'foo * on() group_left bar', 'foo * on () group_left () bar'],
  ['comparison with bool', 'foo > bool 1', 'foo > bool 1'],
  ['bool and matching', 'foo == bool on(a) bar', 'foo == bool on (a) bar'],
  ['scalar comparison with bool', '1 < bool 2', '1 < bool 2'],
  ['vector comparison filter', 'foo != 0', 'foo != 0'],
  ['and', 'foo and bar', 'foo and bar'],
  ['or with on', 'foo or on(a) bar', 'foo or on (a) bar'],
  ['unless with ignoring', 'foo unless ignoring(a) bar', 'foo unless ignoring (a) bar'],
  ['parentheses kept', '(1 + 2) * 3', '(1 + 2) * 3'],
  ['unary minus', '-foo', '-foo'],
  ['unary plus', '+foo', '+foo'],
  ['negative number folded', '-1', '-1'],
  ['double negation folded', '- -1', '1'],
  ['negative base of a power is a unary minus', '-2 ^ 2', '-2 ^ 2'],
  ['exponent', '1e3', '1000'],
  ['hex', '0x1f', '31'],
  ['octal', '010', '8'],
  ['digit separators', '1_000_000', '1000000'],
  ['duration as a number', '5m', '300'],
  ['large number without exponent', '1e21', '1000000000000000000000'],
  ['small number without exponent', '1e-7', '0.0000001'],
  ['Inf', 'Inf', '+Inf'],
  ['-Inf', '-inf', '-Inf'],
  ['NaN', 'nan', 'NaN'],
  ['double-quoted string', '"foo"', '"foo"'],
  ['single-quoted string', `'foo'`, '"foo"'],
  ['raw string with a quote', '`a"b`', '"a\\"b"'],
  ['string with escapes', '"a\\tb\\x07"', '"a\\tb\\a"'],
  ['comment', 'foo # the metric\n + bar', 'foo + bar'],
  ['comments everywhere', '# lead\nsum # a\n by # b\n (job) # c\n (x # d\n) # end', 'sum by (job) (x)'],
  ['time()', 'time()', 'time()'],
  ['vector(1)', 'vector(1)', 'vector(1)'],
  ['scalar in arithmetic', 'scalar(foo) * 2', 'scalar(foo) * 2'],
  ['aggregation in a comparison', 'sum(rate(foo[5m])) by (job) > 0', 'sum by (job) (rate(foo[5m])) > 0'],
  ['histogram_quantile', 'histogram_quantile(0.9, sum by (le) (rate(foo_bucket[5m])))', 'histogram_quantile(0.9, sum by (le) (rate(foo_bucket[5m])))'],
  ['offset on the right operand', 'foo - foo offset 1d', 'foo - foo offset 1d'],
  ['offsets on both operands', 'foo offset 1m + bar offset 2m', 'foo offset 1m + bar offset 2m'],
  ['@ on the right operand', 'a * b + c @ 10', 'a * b + c @ 10.000'],
  ['subquery inside a call after a binary', 'max_over_time((a + b)[5m:])', 'max_over_time((a + b)[5m:])'],
  ['newlines and tabs', 'sum(\n\trate(foo[5m])\n)', 'sum(rate(foo[5m]))'],
];

t.test('canonical printout', async (t) => {
  for (const [name, input, printed] of canonical) t.equal(printExpr(parse(input)), printed, `${name}: ${JSON.stringify(input)}`);
});

t.test('round trip: parse(print(parse(x))) equals parse(x)', async (t) => {
  for (const [name, input] of canonical) {
    const once = parse(input);
    t.same(stripPositions(parse(printExpr(once))), stripPositions(once), name);
  }
});

function at<T extends Expr['type']>(e: Expr, type: T): Extract<Expr, { type: T }> {
  if (e.type !== type) throw new Error(`expected ${type}, got ${e.type}`);
  return e as Extract<Expr, { type: T }>;
}

t.test('AST shapes', async (t) => {
  t.test('selector matchers: the outside name is appended last, as Go does', async (t) => {
    const vs = at(parse('foo{a="b", c=~"d"}'), 'VectorSelector');
    t.equal(vs.name, 'foo');
    t.same(vs.matchers.map((m) => [m.type, m.name, m.value]), [[MatchType.EQ, 'a', 'b'], [MatchType.RE, 'c', 'd'], [MatchType.EQ, '__name__', 'foo']]);
    t.equal(vs.offsetMs, 0);
    t.equal(vs.at, null);
  });
  t.test('quoted metric name is an equality matcher on __name__', async (t) => {
    const vs = at(parse('{"my.metric", "a.b"!="x"}'), 'VectorSelector');
    t.equal(vs.name, 'my.metric');
    t.same(vs.matchers.map((m) => [m.type, m.name, m.value]), [[MatchType.EQ, '__name__', 'my.metric'], [MatchType.NEQ, 'a.b', 'x']]);
  });
  t.test('offset and @ fold into the selector under a range', async (t) => {
    const ms = at(parse('foo[5m] offset -1h @ 100'), 'MatrixSelector');
    t.equal(ms.rangeMs, 300_000);
    t.equal(ms.vectorSelector.offsetMs, -3_600_000);
    t.same(ms.vectorSelector.at, { kind: 'time', ms: 100_000 });
  });
  t.test('subquery fields', async (t) => {
    const sq = at(parse('rate(foo[5m])[1h:30s] offset 2m @ start()'), 'SubqueryExpr');
    t.equal(sq.rangeMs, 3_600_000);
    t.equal(sq.stepMs, 30_000);
    t.equal(sq.offsetMs, 120_000);
    t.same(sq.at, { kind: 'start' });
    t.equal(at(parse('foo[1h:]'), 'SubqueryExpr').stepMs, 0);
  });
  t.test('precedence: * over +, ^ right-associative, unary minus below ^', async (t) => {
    const add = at(parse('1 + 2 * 3'), 'BinaryExpr');
    t.equal(add.op, '+');
    t.equal(at(add.rhs, 'BinaryExpr').op, '*');
    const pow = at(parse('2 ^ 3 ^ 2'), 'BinaryExpr');
    t.equal(at(pow.lhs, 'NumberLiteral').value, 2);
    t.equal(at(pow.rhs, 'BinaryExpr').op, '^');
    // -a ^ b is -(a ^ b) in Prometheus.
    const neg = at(parse('-foo ^ 2'), 'UnaryExpr');
    t.equal(at(neg.expr, 'BinaryExpr').op, '^');
    // Also for a number: lezer's signed literal `-2` must not become the base. Prometheus 2.42 answers
    // -2 ^ 2 = -4 (test/promql/pending/operators_arith.test).
    const negPow = at(parse('-2 ^ 2'), 'UnaryExpr');
    t.equal(negPow.op, '-');
    const inner = at(negPow.expr, 'BinaryExpr');
    t.equal(at(inner.lhs, 'NumberLiteral').value, 2);
    t.equal(at(inner.rhs, 'NumberLiteral').value, 2);
    t.same(negPow.pos, { start: 0, end: 6 });
    t.same(inner.lhs.pos, { start: 1, end: 2 });
    const spaced = at(at(parse('- 3 ^ 2'), 'UnaryExpr').expr, 'BinaryExpr');
    t.equal(at(spaced.lhs, 'NumberLiteral').value, 3);
    const nested = at(parse('2 ^ -2 ^ 2'), 'BinaryExpr');
    t.equal(at(nested.rhs, 'UnaryExpr').op, '-', '2 ^ -(2 ^ 2)');
    t.equal(at(at(parse('1 + -2 ^ 2'), 'BinaryExpr').rhs, 'UnaryExpr').op, '-');
    t.equal(at(at(parse('-2 * 2'), 'BinaryExpr').lhs, 'NumberLiteral').value, -2, 'below ^ the sign still folds');
    const or = at(parse('a or b and c'), 'BinaryExpr');
    t.equal(or.op, 'or');
    t.equal(at(or.rhs, 'BinaryExpr').op, 'and');
    const cmp = at(parse('a + b > c - d'), 'BinaryExpr');
    t.equal(cmp.op, '>');
  });
  t.test('postfix forms bind to the rightmost operand', async (t) => {
    const b = at(parse('foo - foo offset 1d'), 'BinaryExpr');
    t.equal(at(b.lhs, 'VectorSelector').offsetMs, 0);
    t.equal(at(b.rhs, 'VectorSelector').offsetMs, 86_400_000);
    const c = at(parse('a * b + c @ 10'), 'BinaryExpr');
    t.same(at(c.rhs, 'VectorSelector').at, { kind: 'time', ms: 10_000 });
    t.equal(at(at(c.lhs, 'BinaryExpr').rhs, 'VectorSelector').at, null);
  });
  t.test('vector matching', async (t) => {
    const b = at(parse('foo * on(a) group_left(b, c) bar'), 'BinaryExpr');
    t.same(b.matching, { card: 'many-to-one', matchingLabels: ['a'], on: true, include: ['b', 'c'] });
    t.same(at(parse('foo / ignoring(x) group_right bar'), 'BinaryExpr').matching, {
      card: 'one-to-many', matchingLabels: ['x'], on: false, include: [],
    });
    t.same(at(parse('foo + bar'), 'BinaryExpr').matching, { card: 'one-to-one', matchingLabels: [], on: false, include: [] });
    t.equal(at(parse('foo and bar'), 'BinaryExpr').matching?.card, 'many-to-many', 'set operators are many-to-many');
    t.equal(at(parse('foo + 1'), 'BinaryExpr').matching, null, 'no matching unless both sides are vectors');
    t.equal(at(parse('1 + 1'), 'BinaryExpr').matching, null);
    t.equal(at(parse('foo > bool 1'), 'BinaryExpr').returnBool, true);
  });
  t.test('aggregations', async (t) => {
    const a = at(parse('topk without (a) (3, foo)'), 'AggregateExpr');
    t.equal(a.op, 'topk');
    t.equal(a.without, true);
    t.same(a.grouping, ['a']);
    t.equal(at(a.param!, 'NumberLiteral').value, 3);
    t.equal(at(a.expr, 'VectorSelector').name, 'foo');
    const s = at(parse('sum(foo)'), 'AggregateExpr');
    t.equal(s.param, null);
    t.same(s.grouping, []);
    t.equal(s.without, false);
    t.equal(at(at(parse('count_values("v", foo)'), 'AggregateExpr').param!, 'StringLiteral').value, 'v');
  });
  t.test('calls reference the signature table', async (t) => {
    const c = at(parse('clamp(foo, 0, 1)'), 'Call');
    t.equal(c.func.name, 'clamp');
    t.equal(c.func.returnType, 'vector');
    t.equal(c.args.length, 3);
  });
  t.test('experimental functions and aggregations parse when enabled', async (t) => {
    const opts = { enableExperimentalFunctions: true };
    t.equal(at(parse('sort_by_label(foo, "a", "b")', opts), 'Call').func.name, 'sort_by_label');
    t.equal(at(parse('mad_over_time(foo[5m])', opts), 'Call').func.name, 'mad_over_time');
    t.equal(at(parse('double_exponential_smoothing(foo[5m], 0.5, 0.5)', opts), 'Call').args.length, 3);
    t.equal(at(parse('limitk(2, foo)', opts), 'AggregateExpr').op, 'limitk');
    t.equal(at(parse('limit_ratio(0.5, foo)', opts), 'AggregateExpr').op, 'limit_ratio');
    t.equal(at(parse('step()', opts), 'Call').func.returnType, 'scalar');
  });
});
