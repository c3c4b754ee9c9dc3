import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPromqlTest } from '../../../src/cli/promql-test.js';
import { fakeDeps } from './fake-engine.js';

const dir = mkdtempSync(join(tmpdir(), 'promql-test-cli-'));
const good = join(dir, 'good.test');
const bad = join(dir, 'bad.test');
const broken = join(dir, 'broken.test');
writeFileSync(good, 'load 1m\n  foo 1+1x5\n\neval instant at 90s foo\n  foo 2\n\neval range from 0 to 1m step 1m foo\n  foo 1 2\n');
writeFileSync(bad, 'load 1m\n  foo 1+1x5\n\neval instant at 90s foo\n  foo 5\n\neval instant at 90s foo\n  foo 2\n');
writeFileSync(broken, 'load 1m\n  foo 1\n\nbanana 1m foo\n');

async function run(files: string[]) {
  let out = '';
  let err = '';
  const code = await runPromqlTest(files, (s) => (out += s), (s) => (err += s), fakeDeps());
  return { code, out, err };
}

t.test('a passing file: summary line and exit 0', async (t) => {
  const r = await run([good]);
  t.equal(r.code, 0);
  t.equal(r.out, `${good}: 2 passed, 0 failed\n`);
  t.equal(r.err, '');
});

t.test('a failing case: file:line, query, diff, and exit 1', async (t) => {
  const r = await run([bad, good]);
  t.equal(r.code, 1);
  t.match(r.out, `${bad}:4: foo\n  check: instant query at 1m30s\n  - expected 5 for foo but got 2\n  expected:\n    foo 5\n  got:\n    foo 2\n`);
  t.match(r.out, `${bad}: 1 passed, 1 failed\n`);
  t.match(r.out, `${good}: 2 passed, 0 failed\n`, 'later files still run');
});

t.test('a file that does not parse: file:line on stderr and exit 1', async (t) => {
  const r = await run([broken, good]);
  t.equal(r.code, 1);
  t.equal(r.err, `${broken}:4: invalid command "banana 1m foo"\n`);
  t.match(r.out, `${good}: 2 passed, 0 failed`);
});

t.test('a missing file is reported, not thrown', async (t) => {
  const r = await run([join(dir, 'nope.test')]);
  t.equal(r.code, 1);
  t.match(r.err, /nope\.test: .*ENOENT/);
});
