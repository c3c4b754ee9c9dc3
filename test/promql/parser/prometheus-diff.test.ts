// Differential check against the real Prometheus parser: `promtool check rules` parses every rule's
// expression and prints each parse error. Every invalid query of cases.ts must get the same message from
// promtool and from us, and every query of `validInBoth` must be accepted by both. Skips without promtool
// (Debian 2.42), so only syntax that 2.42 and 3.x share is asked about.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadDataError } from '../../../src/model/index.js';
import { parse } from '../../../src/promql/parser/index.js';
import { needBinary } from '../../helpers/peers.js';
import { fromPrometheus } from './cases.js';

const validInBoth = [
  'foo', 'foo{a="b", c!="d", e=~"f.*", g!~"h"}', '{job="api"}', '{__name__="foo"}', 'foo[5m]', 'foo[1h30m]',
  'foo[1d2h3m4s5ms]', 'foo[1y2w]', 'foo offset 5m', 'foo offset -5m', 'foo @ 10', 'foo @ start()', 'foo @ end()',
  'foo offset 5m @ 10', 'foo[5m] @ 10 offset 1m', 'rate(foo[5m])', 'rate(foo[5m])[30m:1m]', 'foo[5m:]',
  'max_over_time(rate(foo[5m])[1h:1m] offset 10m)', 'sum(foo)', 'sum by (job) (foo)', 'sum(foo) by (job)',
  'SUM BY (job) (foo)', 'sum without () (foo)', 'topk(5, foo)', 'count_values("v", foo)', 'quantile(0.9, foo)',
  'foo + on(a) group_left(b) bar', 'foo * ignoring(a) group_right bar', 'foo * on() group_left bar',
  'foo > bool 1', '1 < bool 2', 'foo and bar', 'foo or on(a) bar', 'foo unless ignoring(a) bar', '(1 + 2) * 3',
  '2 ^ 3 ^ 2', '-foo', '- -1', '1e3', '0x1f', '010', 'Inf', '-inf', 'NaN', '"a\\tb"', "'it\\'s'", '`raw\\n`',
  'foo # comment\n + bar', 'time()', 'round(foo)', 'round(foo, 5)', 'day_of_week()', 'label_join(foo, "d", ",", "a", "b")',
  'label_replace(foo, "dst", "$1", "src", "(.*)")', 'histogram_quantile(0.9, sum by (le) (rate(foo_bucket[5m])))',
  'foo - foo offset 1d', 'a * b + c @ 10', 'sum', 'rate', 'job:rate5m:sum', 'foo atan2 bar', 'scalar(foo) * 2',
  'absent_over_time(foo[5m])', 'clamp(foo, 0, 1)', 'predict_linear(foo[5m], 60)', 'vector(1) + on() group_left foo',
];

interface Verdict {
  query: string;
  /** null when accepted. */
  error: string | null;
}

/** Runs promtool over all queries at once (one rule each) and returns its verdict per query. */
function promtoolVerdicts(promtool: string, queries: string[]): Verdict[] {
  const dir = mkdtempSync(join(tmpdir(), 'promfed-parser-'));
  try {
    const rules = queries.map((q, i) => `  - record: r${i}\n    expr: ${JSON.stringify(q)}`).join('\n');
    const file = join(dir, 'rules.yml');
    writeFileSync(file, `groups:\n- name: g\n  rules:\n${rules}\n`);
    const out = spawnSync(promtool, ['check', 'rules', file], { encoding: 'utf8', timeout: 30_000 });
    const errors = new Map<number, string>();
    for (const line of `${out.stdout}\n${out.stderr}`.split('\n')) {
      const m = /rule (\d+), "r\d+": could not parse expression: (.*)$/.exec(line);
      if (m) errors.set(Number(m[1]) - 1, m[2]!);
    }
    return queries.map((query, i) => ({ query, error: errors.get(i) ?? null }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function ours(query: string): string | null {
  try {
    parse(query);
    return null;
  } catch (err) {
    if (err instanceof BadDataError) return err.message;
    throw err;
  }
}

t.test('promtool and our parser agree', async (t) => {
  const promtool = needBinary(t, 'promtool');
  if (!promtool) return;
  const invalid = Object.values(fromPrometheus).flat();
  // Queries with newlines would shift promtool's YAML positions; cases.ts has none.
  const verdicts = promtoolVerdicts(promtool, [...invalid.map(([q]) => q), ...validInBoth]);
  t.equal(verdicts.length, invalid.length + validInBoth.length);
  for (const v of verdicts.slice(0, invalid.length)) {
    t.not(v.error, null, `promtool rejects ${JSON.stringify(v.query)}`);
    t.equal(ours(v.query), v.error, `same message for ${JSON.stringify(v.query)}`);
  }
  for (const v of verdicts.slice(invalid.length)) {
    t.equal(v.error, null, `promtool accepts ${JSON.stringify(v.query)}`);
    t.equal(ours(v.query), null, `we accept ${JSON.stringify(v.query)}`);
  }
});
