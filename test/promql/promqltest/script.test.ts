import t from 'tap';
import { parseScript, ScriptSyntaxError, type EvalCommand, type LoadCommand } from '../../../src/promql/promqltest/index.js';

t.test('a file with every command and expect form', async (t) => {
  const cmds = parseScript(`
# comment
load 1m
  foo{a="1"} 1+1x2
  bar _ stale 3

eval instant at 1h30m sum(foo)
  expect warn msg: PromQL warning: something (1:1)
  expect no_info
  {} 3

eval range from 0 to 2m step 1m foo
  foo{a="1"} 1 _ 3

eval instant at 0 foo[2m]
  expect range vector from 0 to 2m step 1m
  foo{a="1"} 1 2 3

eval instant at 10s "hi"
  expect string "h\\"i"

eval instant at 5m 1 + 1
  2

eval instant at 1m nonsense(
  expect fail regex: parse error.*

eval_fail instant at 1m nonsense(
  expected_fail_message 1:10: parse error: unclosed left parenthesis

eval_ordered instant at 1m sort(foo)
  foo{a="1"} 2

clear
load_with_nhcb 1m
  h_bucket{le="1"} 1
`);
  t.same(cmds.map((c) => c.kind), ['load', 'eval', 'eval', 'eval', 'eval', 'eval', 'eval', 'eval', 'eval', 'clear', 'load']);
  const load = cmds[0] as LoadCommand;
  t.equal(load.line, 3);
  t.equal(load.intervalMs, 60_000);
  t.same(load.series.map((s) => s.line), [4, 5]);
  t.same(load.series[0].values, [1, 2, 3]);

  const e1 = cmds[1] as EvalCommand;
  t.equal(e1.line, 7);
  t.equal(e1.startMs, 90 * 60_000, '1h30m');
  t.equal(e1.expr, 'sum(foo)');
  t.ok(e1.warn.expected);
  t.same(e1.warn.matches, [{ kind: 'msg', text: 'PromQL warning: something (1:1)' }]);
  t.notOk(e1.info.expected);
  t.same(e1.expected[0].labels.toObject(), {});
  t.same(e1.expected[0].values, [3]);

  const e2 = cmds[2] as EvalCommand;
  t.equal(e2.instant, false);
  t.same([e2.startMs, e2.endMs, e2.stepMs], [0, 120_000, 60_000]);
  t.same(e2.expected[0].values, [1, null, 3]);

  const e3 = cmds[3] as EvalCommand;
  t.same(e3.rangeVector, { startMs: 0, endMs: 120_000, stepMs: 60_000 });
  t.same(e3.expected[0].values, [1, 2, 3], 'several values allowed after expect range vector');

  t.equal((cmds[4] as EvalCommand).expectedString, 'h"i');
  t.equal((cmds[5] as EvalCommand).expectedScalar, 2);
  t.equal((cmds[5] as EvalCommand).expr, '1 + 1');
  const f1 = cmds[6] as EvalCommand;
  t.ok(f1.fail);
  t.equal(f1.failMatch?.kind, 'regex');
  const f2 = cmds[7] as EvalCommand;
  t.ok(f2.fail);
  t.same(f2.failMatch, { kind: 'msg', text: '1:10: parse error: unclosed left parenthesis' });
  t.ok((cmds[8] as EvalCommand).ordered);
  t.match((cmds[10] as LoadCommand).unsupported, /native histograms are not supported yet/);
});

t.test('a native histogram value marks the load unsupported instead of failing the file', async (t) => {
  const [load] = parseScript('load 1m\n  h {{schema:0 sum:1 count:1}}\n') as LoadCommand[];
  t.match(load.unsupported, /line 2: native histograms are not supported yet/);
});

t.test('a comment ends a block, as in Prometheus getLines', async (t) => {
  t.throws(() => parseScript('load 1m\n  foo 1\n# c\n  bar 2\n'), { line: 4, message: /invalid command "bar 2"/ });
});

t.test('malformed files report the line', async (t) => {
  const bad: [string, number, RegExp][] = [
    ['load 1m\n  foo 1\n\nevl instant at 1m foo\n', 4, /invalid command/],
    ['load xyz\n', 1, /invalid load interval/],
    ['load 1m\n  foo{a=~"b"} 1\n', 2, /column 6: .*only =/],
    ['\n\neval instant at 1m foo\n  foo 1 2\n', 4, /multiple values in instant/],
    ['eval instant at 1m foo\n  expect sometimes\n', 2, /invalid expect/],
    ['eval instant at 1m foo\n  expect ordered msg: x\n', 2, /takes no msg/],
    ['eval instant at 1m foo\n  expect fail regex: (\n', 2, /bad regex/],
    ['eval instant at 1m foo\n  expect fail\n  foo 1\n', 1, /cannot also expect results/],
    ['eval range from 2m to 1m step 1m foo\n', 1, /end is before/],
    ['eval range from 0 to 1m step 0 foo\n', 1, /step must be positive/],
    ['eval instant at soon foo\n', 1, /invalid evaluation time/],
    ['eval instant at 1m foo\n  foo 1\n  foo 2\n', 3, /expected twice/],
    ['eval range from 0 to 1m step 1m foo\n  expect range vector from 0 to 1m step 1m\n', 2, /only valid for instant/],
  ];
  for (const [src, line, re] of bad) {
    try {
      parseScript(src);
      t.fail(`no error for ${JSON.stringify(src)}`);
    } catch (e) {
      t.ok(e instanceof ScriptSyntaxError, 'typed error');
      t.equal((e as ScriptSyntaxError).line, line, JSON.stringify(src));
      t.match((e as Error).message, re);
    }
  }
});

t.test('a stale marker cannot be expected in a result', async (t) => {
  t.throws(() => parseScript('eval range from 0 to 1m step 1m foo\n  foo 1 stale\n'), { line: 2, message: /cannot be expected/ });
});
