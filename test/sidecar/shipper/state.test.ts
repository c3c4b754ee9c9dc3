// The state file thanos.shipper.json: Thanos's format (thanos.md §7.2), read leniently (it is only a cache of
// what the bucket already says), written whole or not at all.
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Shipper, STATE_FILENAME, readState } from '../../../src/sidecar/shipper/index.js';
import { T0, tempDirs, writeTestBlock } from './fixtures.js';

const A = '01HQ3Z1Q1B7ZJ0Y8K6M2N4P5R6';
const B = '01HQ3Z1Q1B7ZJ0Y8K6M2N4P5R7';

t.test('readState', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'promfed-shipper-state-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cases: [string, string | undefined, string[], RegExp | undefined][] = [
    ['missing file: empty, no problem', undefined, [], undefined],
    ['as Thanos writes it', `{\n\t"version": 1,\n\t"uploaded": [\n\t\t"${A}",\n\t\t"${B}"\n\t]\n}\n`, [A, B], undefined],
    ['Go nil slice (null)', '{"version":1,"uploaded":null}', [], undefined],
    ['not JSON', '{"version":1,', [], /is not JSON/],
    ['another version', '{"version":2,"uploaded":[]}', [], /version 2, want 1/],
    ['not an object', '[1]', [], /not a JSON object/],
    ['uploaded not an array', '{"version":1,"uploaded":"x"}', [], /not an array/],
    ['entries that are not ULIDs are dropped', `{"version":1,"uploaded":["${A}","nope",7]}`, [A], /ignored 2 entries/],
  ];
  for (const [name, text, want, problem] of cases) {
    if (text === undefined) rmSync(join(dir, STATE_FILENAME), { force: true });
    else writeFileSync(join(dir, STATE_FILENAME), text);
    const r = await readState(dir);
    t.same(r.state.uploaded, want, name);
    if (problem) t.match(r.problem, problem, `${name}: problem`);
    else t.equal(r.problem, undefined, `${name}: no problem`);
  }
});

t.test('a corrupt state file is reported, then replaced by a good one; the bucket decides what is shipped', async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  const b = writeTestBlock(d.tsdb, { start: T0 });
  await new Shipper({ tsdbPath: d.tsdb, bucket: d.bucket, externalLabels: () => ({ cluster: 'c1' }) }).sync();
  writeFileSync(join(d.tsdb, STATE_FILENAME), 'garbage');
  const warnings: string[] = [];
  const log = { info() {}, debug() {}, error() {}, warn: (o: object, msg: string) => warnings.push(`${msg} ${JSON.stringify(o)}`) };
  const res = await new Shipper({ tsdbPath: d.tsdb, bucket: d.bucket, externalLabels: () => ({ cluster: 'c1' }), log }).sync();
  t.same(res.uploaded, [], 'not uploaded again');
  t.same(res.foundInBucket, [b.ulid]);
  t.match(warnings.join('\n'), /ignoring the shipper state file.*is not JSON/);
  t.same(JSON.parse(readFileSync(join(d.tsdb, STATE_FILENAME), 'utf8')), { version: 1, uploaded: [b.ulid] });
});

t.test('blocks Prometheus deleted drop out of the state file', async (t) => {
  const d = tempDirs();
  t.teardown(d.cleanup);
  const b = writeTestBlock(d.tsdb, { start: T0 });
  writeFileSync(join(d.tsdb, STATE_FILENAME), JSON.stringify({ version: 1, uploaded: [A, b.ulid] }));
  const res = await new Shipper({ tsdbPath: d.tsdb, bucket: d.bucket, externalLabels: () => ({ cluster: 'c1' }) }).sync();
  t.same(res.uploaded, [], `${b.ulid} is listed, so it is not checked or uploaded`);
  t.same(JSON.parse(readFileSync(join(d.tsdb, STATE_FILENAME), 'utf8')).uploaded, [b.ulid]);
  t.notOk(existsSync(join(d.tsdb, `${STATE_FILENAME}.tmp`)));
});
