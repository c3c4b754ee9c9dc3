// Invalid PromQL: each input with the exact error Prometheus gives (cases.ts, from the Debian Prometheus
// 2.42), and `prometheus3` with messages of 3.x features, taken from promql/parser/parse.go.
// prometheus-diff.test.ts re-asks a real promtool about the first table when it is installed.
import tap from 'tap';
const t = tap;
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

function checkTable(t: typeof tap, table: Record<string, [string, string][]>): void {
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
t.test('errors of Prometheus 3 features', async (t) => checkTable(t, prometheus3));
