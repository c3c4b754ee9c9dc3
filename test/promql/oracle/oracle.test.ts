/**
 * The corpus against a real Prometheus 2.42: every case the oracle can run must agree with the file's
 * expectations (cases it cannot run are skipped with a reason, see oracle.ts). Also checks the oracle itself
 * notices a wrong expectation, so a green run means something.
 */
import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { needBinary } from '../../helpers/peers.js';
import { formatFailure } from '../../../src/promql/promqltest/index.js';
import { runOracle } from './oracle.js';

const prometheus = needBinary(t, 'prometheus');
const promtool = needBinary(t, 'promtool');

if (prometheus && promtool) {
  const bins = { prometheus, promtool };

  await t.test('the oracle flags a wrong expectation and skips what it cannot load', async (t) => {
    const cases = await runOracle(
      `load 1m
  foo{a="1"} 1+1x10

eval instant at 90s foo
  foo{a="1"} 2

eval instant at 90s foo
  foo{a="1"} 3

eval range from 30s to 150s step 1m foo * 2
  {a="1"} 2 4 7

eval instant at 90s foo +
  expect fail

clear
load 1m
  bar 1 stale

eval instant at 30s bar
  bar 1
`,
      bins,
    );
    t.same(
      cases.map((c) => [c.line, c.status]),
      [
        [4, 'agree'],
        [7, 'disagree'],
        [10, 'disagree'],
        [13, 'agree'],
        [20, 'skip'],
      ],
    );
    t.match(cases[1].failure?.problems.join('\n'), /expected 3 for foo\{a="1"\} but got 2/);
    t.match(cases[2].failure?.problems.join('\n'), /point 2 \(t=150s\) of \{a="1"\}: expected 7 but got 6/);
    t.match(cases[4].reason, /staleness markers cannot be imported/);
  });

  const dir = new URL('..', import.meta.url).pathname;
  // test/promql/pending/ exists only while some cases await an engine fix.
  const testFiles = (d: string) => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.test')).map((f) => join(d, f)) : []);
  const files = [...testFiles(dir), ...testFiles(join(dir, 'pending'))].sort();
  for (const file of files) {
    const name = file.slice(dir.length);
    await t.test(`Prometheus 2.42 agrees with ${name}`, async (t) => {
      const cases = await runOracle(readFileSync(file, 'utf8'), bins);
      for (const c of cases) if (c.status === 'disagree' && c.failure) t.fail(formatFailure(name, c.failure));
      const n = (s: string) => cases.filter((c) => c.status === s).length;
      t.pass(`${n('agree')} agree, ${n('skip')} skipped`);
    });
  }
}
