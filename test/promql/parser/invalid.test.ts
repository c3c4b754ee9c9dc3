// Invalid PromQL: each input with the exact error Prometheus gives (cases.ts, from the Debian Prometheus
// 2.42), and `prometheus3` with messages of 3.x features, taken from promql/parser/parse.go.
// prometheus-diff.test.ts re-asks a real promtool about the first table when it is installed.
import t, { type Test } from 'tap';
import { BadDataError } from '../../../src/model/index.js';
import { parse } from '../../../src/promql/parser/index.js';
import { fromPrometheus } from './cases.js';

const prometheus3: Record<string, [query: string, message: string][]> = {
  'empty input': [
    ['', '1:1: parse error: no expression found in input'],
    ['   \n\t', '1:1: parse error: no expression found in input'],
    ['# only a comment', '1:1: parse error: no expression found in input'],
  ],
  'experimental functions need the feature flag': [
    ['sort_by_label(foo, "a")', '1:1: parse error: function "sort_by_label" is not enabled'],
    ['mad_over_time(foo[5m])', '1:1: parse error: function "mad_over_time" is not enabled'],
    ['double_exponential_smoothing(foo[5m], 0.5, 0.5)', '1:1: parse error: function "double_exponential_smoothing" is not enabled'],
    ['ts_of_max_over_time(foo[5m])', '1:1: parse error: function "ts_of_max_over_time" is not enabled'],
    ['step()', '1:1: parse error: function "step" is not enabled'],
    ['1 + info(foo)', '1:5: parse error: function "info" is not enabled'],
    ['limitk(2, foo)', '1:1: parse error: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions'],
    ['limit_ratio(0.5, foo)', '1:1: parse error: limit_ratio() is experimental and must be enabled with --enable-feature=promql-experimental-functions'],
  ],
  'UTF-8 names': [
    ['{"a.b"=""}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
    ['{"a.b"=~"x"} offset 1m offset 1m', '1:1: parse error: offset may not be set multiple times'],
  ],
  'metric name twice': [
    ['foo{"bar"}', '1:1: parse error: metric name must not be set twice: "foo" or "bar"'],
  ],
  'zero ranges and steps': [
    ['foo[0]', '1:5: parse error: duration must be greater than 0'],
    ['foo[5m-5m]', '1:5: parse error: duration must be greater than 0'],
    ['foo[5m:0]', '1:8: parse error: duration must be greater than 0'],
  ],
  'duration arithmetic': [
    ['foo[5m/0]', '1:5: parse error: division by zero'],
    ['foo[5m%0]', '1:5: parse error: modulo by zero'],
  ],
  'group modifiers need on/ignoring': [
    ['foo * group_left(a) bar', '1:7: parse error: unexpected <group_left>'],
    ['foo * bool group_right bar', '1:12: parse error: unexpected <group_right>'],
  ],
  '@ bounds (checked on Prometheus 2.42)': [
    ['foo @ 1e19', '1:1: parse error: timestamp out of bounds for @ modifier: 10000000000000000000.000000'],
    ['foo @ -1e19', '1:1: parse error: timestamp out of bounds for @ modifier: -10000000000000000000.000000'],
    ['foo @ NaN', '1:1: parse error: timestamp out of bounds for @ modifier: NaN'],
  ],
  'durations beyond int64 nanoseconds': [
    ['foo[1e20]', '1:5: parse error: duration out of range'],
    ['foo offset -1e10', '1:12: parse error: duration out of range'],
  ],
};

/** Grammar extensions lezer knows but promfed does not implement: a clear error, never a wrong answer. */
const notSupported: Record<string, [query: string, message: string][]> = {
  'step()/range() in durations depend on the query': [
    ['foo[step()]', '1:5: parse error: step() in duration expressions is not supported yet'],
    ['foo offset range()', '1:12: parse error: range() in duration expressions is not supported yet'],
  ],
  'experimental grammar': [
    ['foo[5m] anchored', '1:1: parse error: the "anchored" range modifier (promql-extended-range-selectors) is not supported'],
    ['foo[5m] smoothed', '1:1: parse error: the "smoothed" range modifier (promql-extended-range-selectors) is not supported'],
    ['foo + fill(0) bar', '1:7: parse error: fill modifiers (promql-binop-fill-modifiers) are not supported'],
    ['foo </ 1', '1:5: parse error: the histogram trim operator "</" is not supported'],
    ['min_of(1, 2)', '1:1: parse error: function "min_of" is not supported outside duration expressions'],
  ],
  'functions lezer knows that are missing from our table': [
    ['histogram_quantiles(foo, "q", 0.5)', '1:1: parse error: function "histogram_quantiles" is not enabled'],
  ],
};

const prometheus3More: Record<string, [query: string, message: string][]> = {
  'postfix forms bind tighter than operators': [
    ['a + b[5m:]', '1:5: parse error: binary expression must contain only scalar and instant vector types'],
    ['-foo[5m]', '1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "range vector"'],
    ['a * b[5m] + c', '1:5: parse error: binary expression must contain only scalar and instant vector types'],
  ],
};

function thrown(fn: () => unknown): Error | undefined {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  return undefined;
}

function checkTable(t: Test, table: Record<string, [string, string][]>): void {
  for (const [behaviour, cases] of Object.entries(table)) {
    t.test(behaviour, async (t) => {
      for (const [query, message] of cases) {
        const err = thrown(() => parse(query));
        t.ok(err instanceof BadDataError, `${JSON.stringify(query)} throws BadDataError`);
        t.equal(err?.message, message, JSON.stringify(query));
        // The byte position agrees with the column in the message (all these queries are one line).
        const col = Number(/^1:(\d+):/.exec(message)?.[1]);
        if (!query.includes('\n')) t.equal((err as BadDataError).position?.start, col - 1, `${JSON.stringify(query)} position`);
      }
    });
  }
}

t.test('errors Prometheus 2.42 gives word for word', async (t) => checkTable(t, fromPrometheus));
t.test('errors of Prometheus 3 features', async (t) => {
  checkTable(t, prometheus3);
  checkTable(t, prometheus3More);
});
t.test('clear errors for what is not supported', async (t) => checkTable(t, notSupported));
