import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadDataError } from '../../src/model/index.js';
import { loadOpenMetrics, MemoryStorage } from '../../src/storage/index.js';
import { needBinary } from '../helpers/peers.js';

const SAMPLE = `# HELP demo_requests Requests served.
# TYPE demo_requests counter
demo_requests_total{code="200",path="/a\\"b"} 10 1704067215
demo_requests_total{code="200",path="/a\\"b"} 12.5 1704067230
demo_requests_total{code="500",path="/"} 1 1704067215.5
# TYPE demo_temperature gauge
demo_temperature{room="lab"} NaN 1704067215
demo_temperature{room="lab"} +Inf 1704067230
demo_temperature{room="lab"} -1e-3 1704067245
# EOF
`;

t.test('parses names, escaped label values, special values and second timestamps', async (t) => {
  const db = new MemoryStorage();
  const res = loadOpenMetrics(SAMPLE, db);
  t.same(res, { series: 3, samples: 6 });
  const all = db.allSeries();
  t.same(
    all.map((s) => s.labels.toString()),
    ['demo_requests_total{code="200", path="/a\\"b"}', 'demo_requests_total{code="500", path="/"}', 'demo_temperature{room="lab"}'],
  );
  t.same([...all[0].timestamps], [1704067215000, 1704067230000]);
  t.same([...all[0].values], [10, 12.5]);
  t.same([...all[1].timestamps], [1704067215500]);
  t.ok(Number.isNaN(all[2].values[0]));
  t.same([...all[2].values.subarray(1)], [Infinity, -0.001]);
});

t.test('malformed input is a BadDataError with the line number', async (t) => {
  const bad: [string, RegExp][] = [
    ['m{a="1"} notanumber 1\n', /line 1: bad value/],
    ['# HELP x\nm{a="1" 1 2\n', /line 2: /],
    ['m{a="1} 1 2\n', /line 1: unterminated label value/],
    ['m 1 2\n# EOF\nm 1 3\n', /line 3: data after # EOF/],
    ['m 1\n', /line 1: sample has no timestamp/],
    ['{a="1"} 1 2\n', /line 1: expected a metric name/],
  ];
  for (const [text, re] of bad) {
    const err = t.throws(() => loadOpenMetrics(text, new MemoryStorage())) as unknown;
    t.ok(err instanceof BadDataError, JSON.stringify(text));
    t.match((err as Error).message, re);
  }
});

t.test('agrees with promtool on what the file contains', async (t) => {
  const promtool = needBinary(t, 'promtool');
  if (!promtool) return;
  const dir = mkdtempSync(join(tmpdir(), 'promfed-om-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // Finite values only: promtool dump prints NaN/Inf in Go's format, compared separately above.
  const lines = ['# TYPE jobs gauge'];
  for (let s = 0; s < 3; s++) for (let i = 0; i < 50; i++) lines.push(`jobs{shard="${s}",zone="z\\\\${s}"} ${(s * 1000 + i * 1.25).toString()} ${1704067200 + i * 15 + s}`);
  lines.push('# EOF');
  const text = lines.join('\n') + '\n';
  writeFileSync(join(dir, 'in.om'), text);
  execFileSync(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'in.om'), join(dir, 'blocks')], { stdio: 'pipe' });
  mkdirSync(join(dir, 'blocks', 'wal'), { recursive: true }); // promtool dump needs a wal dir (peers.md)
  const dump = execFileSync(promtool, ['tsdb', 'dump', join(dir, 'blocks')], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const fromPromtool = dump
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .sort();
  const db = new MemoryStorage();
  loadOpenMetrics(text, db);
  const ours: string[] = [];
  for (const s of db.allSeries()) {
    // promtool dump prints `{labels} value ts_ms` with labels in Go's map order: __name__ first, then sorted.
    const l = s.labels.flat();
    const body = [];
    for (let i = 0; i < l.length; i += 2) body.push(`${l[i]}=${JSON.stringify(l[i + 1])}`);
    for (let i = 0; i < s.timestamps.length; i++) ours.push(`{${body.join(', ')}} ${s.values[i]} ${s.timestamps[i]}`);
  }
  t.equal(readdirSync(join(dir, 'blocks')).length > 0, true);
  t.same(ours.sort(), fromPromtool);
});
