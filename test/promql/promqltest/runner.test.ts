import t from 'tap';
import { parseScript, runScript, almostEqual, atModifierCases, formatFailure, type RunnerDeps } from '../../../src/promql/promqltest/index.js';
import type { Expr } from '../../../src/promql/ast.js';
import { fakeDeps, fakeParse } from './fake-engine.js';

const DATA = `
load 1m
  foo{a="1"} 1+1x10
  foo{a="2"} 10 20 stale
  bar 5 _x3 9
`;

async function run(src: string, deps: RunnerDeps = fakeDeps()) {
  return runScript(parseScript(DATA + '\n' + src), deps);
}

t.test('correct expectations pass, including the @ and range re-checks', async (t) => {
  const res = await run(`
eval instant at 90s foo
  foo{a="1"} 2
  foo{a="2"} 20

# foo{a="2"} went stale at 2m; bar is 5 until 4m (lookback) and 9 from 4m.
eval instant at 150s foo
  foo{a="1"} 3

eval instant at 4m bar
  bar 9

eval instant at 3m bar
  bar 5

eval instant at 10m 42
  42

eval range from 0 to 3m step 1m foo
  foo{a="1"} 1 2 3 4
  foo{a="2"} 10 20 _ _

eval instant at 2m foo[2m]
  expect range vector from 1m to 2m step 1m
  foo{a="1"} 2 3
  foo{a="2"} 20

eval instant at 1m nonsense(
  expect fail msg: 1:1: parse error: fake parser cannot read "nonsense("

eval_fail instant at 1m nonsense(
  expected_fail_regexp cannot read
`);
  t.same(res.failures, []);
  t.equal(res.passed, 9);
  t.equal(res.failed, 0);
});

t.test('a wrong value, a missing and an extra series each fail with a diff', async (t) => {
  const res = await run(`
eval instant at 90s foo
  foo{a="1"} 2.00001
  foo{a="2"} 20

eval instant at 90s foo
  foo{a="1"} 2

eval instant at 90s foo
  foo{a="1"} 2
  foo{a="2"} 20
  foo{a="3"} 1

eval range from 0 to 2m step 1m foo{a="1"}
  foo{a="1"} 1 2 4

eval range from 0 to 2m step 1m foo{a="1"}
  foo{a="1"} 1 2

eval instant at 90s foo{a="1"}
  foo{a="1",b="x"} 2
`);
  t.equal(res.passed, 0);
  t.equal(res.failed, 6);
  const [wrong, extra, missing, rangeWrong, rangeShort, labels] = res.failures;
  t.equal(wrong.line, 8);
  t.match(wrong.problems.join('\n'), /expected 2\.00001 for foo\{a="1"\} but got 2/);
  t.same(wrong.expected, ['foo{a="1"} 2.00001', 'foo{a="2"} 20']);
  t.same(wrong.got, ['foo{a="1"} 2', 'foo{a="2"} 20']);
  t.match(extra.problems.join('\n'), /unexpected series foo\{a="2"\} 20/);
  t.match(missing.problems.join('\n'), /expected series foo\{a="3"\} 1 not found/);
  t.match(rangeWrong.problems.join('\n'), /point 2 \(t=120s\) of foo\{a="1"\}: expected 4 but got 3/);
  t.match(rangeShort.problems.join('\n'), /expected 2 points .* but got 3/);
  t.match(labels.problems.join('\n'), /unexpected series foo\{a="1"\}/);
  const report = formatFailure('x.test', wrong);
  t.match(report, /^x\.test:8: foo\n  check: instant query at 1m30s\n/);
  t.match(report, /expected:\n    foo\{a="1"\} 2\.00001\n/);
});

t.test('tolerance is relative 1e-6 as in Prometheus almost.Equal', async (t) => {
  t.ok(almostEqual(1e9, 1e9 + 999), '~1e-6 relative of the sum passes');
  t.notOk(almostEqual(1, 1.000003));
  t.ok(almostEqual(NaN, NaN));
  t.notOk(almostEqual(NaN, 0));
  t.ok(almostEqual(Infinity, Infinity));
  t.notOk(almostEqual(Infinity, -Infinity));
  t.notOk(almostEqual(0, 1e-300), 'zero is compared absolutely');
  const res = await run(`
eval instant at 90s foo{a="1"}
  foo{a="1"} 2.000001
`);
  t.equal(res.passed, 1, '2 vs 2.000001: |diff|/(|a|+|b|) = 2.5e-7 < 1e-6');
});

t.test('the @ re-check catches an engine that ignores @', async (t) => {
  const res = await run(`
eval instant at 90s foo{a="1"}
  foo{a="1"} 2
`, fakeDeps({ ignoreAt: true }));
  t.equal(res.failed, 1);
  t.match(res.failures[0].check, /@ re-check: every selector pinned with @ 90, evaluated at -900s/);
  t.match(res.failures[0].problems.join('\n'), /expected series foo\{a="1"\} 2 not found/);
});

t.test('the range re-check catches an engine whose range mode differs', async (t) => {
  const res = await run(`
eval instant at 90s foo{a="1"}
  foo{a="1"} 2
`, fakeDeps({ skewRange: true }));
  t.equal(res.failed, 1);
  t.match(res.failures[0].check, /range re-check from 30s to 150s step 1m/);
  t.match(res.failures[0].problems.join('\n'), /expected 2 for foo\{a="1"\} but got 3/);
  const ordered = await run(`
eval instant at 90s foo{a="1"}
  expect ordered
  foo{a="1"} 2
`, fakeDeps({ skewRange: true }));
  t.equal(ordered.failed, 0, 'skipped for expect ordered, as in Prometheus');
});

t.test('annotations: unexpected warnings fail; expect warn needs one and checks msg', async (t) => {
  const deps = fakeDeps({ warning: 'PromQL warning: oops (1:1)' });
  const res = await run(`
eval instant at 90s bar
  bar 5

eval instant at 90s bar
  expect warn
  bar 5

eval instant at 90s bar
  expect warn msg: PromQL warning: oops (1:1)
  bar 5

eval instant at 90s bar
  expect warn regex: oo+ps
  bar 5

eval instant at 90s bar
  expect warn msg: PromQL warning: other
  bar 5
`, deps);
  t.same(res.failures.map((f) => f.line), [8, 23]);
  t.match(res.failures[0].problems[0], /unexpected warning annotations/);
  t.match(res.failures[1].problems[0], /expected a warning with message "PromQL warning: other"/);
  const none = await run(`
eval instant at 90s bar
  expect warn
  bar 5
`);
  t.match(none.failures[0].problems[0], /expected warning annotations but got none/);
});

t.test('expect fail on a query that succeeds, and errors that do not match', async (t) => {
  const res = await run(`
eval instant at 90s bar
  expect fail

eval instant at 90s nonsense(
  expect fail msg: something else

eval instant at 90s nonsense(
  bar 1
`);
  t.equal(res.failed, 3);
  t.match(res.failures[0].problems[0], /expected an error but the query succeeded with 1 series/);
  t.match(res.failures[1].problems[0], /expected an error with message "something else" but got: 1:1: parse error/);
  t.match(res.failures[2].problems[0], /unexpected error: 1:1: parse error/);
});

t.test('a scalar expectation against a vector result, and a matrix without expect range vector', async (t) => {
  const res = await run(`
eval instant at 90s bar
  5

eval instant at 2m foo[2m]
  foo{a="1"} 3
`);
  t.equal(res.failed, 2);
  t.match(res.failures[0].problems[0], /expected scalar 5 but got an instant vector/);
  t.match(res.failures[1].problems[0], /expected an instant vector but got a range vector/);
});

t.test('evals after a native-histogram load fail plainly until clear', async (t) => {
  const res = await runScript(
    parseScript(`
load 1m
  h {{schema:0 sum:1 count:1}}

eval instant at 1m h
  h 1

clear
load 1m
  bar 1

eval instant at 1m bar
  bar 1
`),
    fakeDeps(),
  );
  t.equal(res.passed, 1);
  t.equal(res.failed, 1);
  t.match(res.failures[0].problems[0], /native histograms are not supported yet/);
});

t.test('an out-of-order load is a file error with the line', async (t) => {
  await t.rejects(
    runScript(parseScript('load 1m\n  foo 1 2 3\n\nload 1m\n  foo 5\n'), fakeDeps()),
    { line: 5, message: /out of order/ },
  );
});

t.test('@ re-check cases: pinned selectors, times as in Go, none for @-unsafe functions', async (t) => {
  const e = fakeParse('foo{a="1"}');
  const cases = atModifierCases(e, 50_000);
  t.same(cases.map((c) => c.evalMs), [-500_000, 0, 10_000, 50_000, 500_000]);
  for (const c of cases) t.same(c.expr.type === 'VectorSelector' && c.expr.at, { kind: 'time', ms: 50_000 });
  t.equal((e as { at: unknown }).at, null, 'the original AST is not mutated');
  t.same(atModifierCases(e, 0).map((c) => c.evalMs), [-1000, 0, 1000]);
  const call: Expr = {
    type: 'Call',
    func: { name: 'timestamp', argTypes: ['vector'], variadic: 0, returnType: 'vector', experimental: false },
    args: [e],
    pos: { start: 0, end: 1 },
  };
  t.same(atModifierCases(call, 50_000), [], 'timestamp() is @-unsafe');
  const sub: Expr = { type: 'SubqueryExpr', expr: e, rangeMs: 60_000, stepMs: 0, offsetMs: 0, at: null, pos: { start: 0, end: 1 } };
  const pinned = atModifierCases(sub, 7000)[0].expr;
  t.same(pinned.type === 'SubqueryExpr' && [pinned.at, (pinned.expr as { at: unknown }).at], [{ kind: 'time', ms: 7000 }, null], 'inside a subquery stays unpinned');
});

t.test('@ start() / @ end() selectors are pinned too (Go sets Timestamp, which String() prefers)', async (t) => {
  const e = fakeParse('foo{a="1"}');
  const startSel: Expr = e.type === 'VectorSelector' ? { ...e, at: { kind: 'start' } } : e;
  const pinned = atModifierCases(startSel, 90_000)[0].expr;
  t.same(pinned.type === 'VectorSelector' && pinned.at, { kind: 'time', ms: 90_000 });
  const call: Expr = {
    type: 'Call',
    func: { name: 'start', argTypes: [], variadic: 0, returnType: 'scalar', experimental: true },
    args: [],
    pos: { start: 0, end: 7 },
  };
  t.same(atModifierCases(call, 90_000), [], 'start() depends on the query range: no @ re-check');
});
