// The store over GCS: the real @google-cloud/storage client (GcsBucket) against our GCS JSON-API test server,
// with promtool blocks uploaded to it. Same answers as from the generated data; index and chunks are only
// ever read with Range requests; transient 503s on media reads are retried under the store.
import t from 'tap';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Matcher, MatchType } from '../../src/model/index.js';
import { GcsBucket } from '../../src/objstore/index.js';
import { matchersToProto, millisToInt64 } from '../../src/storeapi/index.js';
import { GcsTestServer } from '../helpers/gcs-server.js';
import { needBinary } from '../helpers/peers.js';
import { expected, makeFixture, seriesOf, startTestStore, type Group } from './fixture.js';
import { genSeries, T0 } from './promtool-blocks.js';

const H = 3600_000;
const groups: Group[] = [
  { ext: { cluster: 'c1' }, series: genSeries({ name: 'g', job: 'api', n: 4, from: T0 + 15_000, to: T0 + 4 * H - 14_000, stepS: 30 }) },
  { ext: { cluster: 'c2' }, series: genSeries({ name: 'g', job: 'web', n: 2, from: T0 + 15_000, to: T0 + 2 * H - 14_000, stepS: 30, seed: 9 }) },
];

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

const promtool = needBinary(t, 'promtool');
if (promtool) {
  t.test('store over GCS (test server, real client)', async (t) => {
    const fx = await makeFixture(promtool, groups);
    t.teardown(fx.cleanup);
    const gcs = await GcsTestServer.start({ buckets: ['blocks'], maxPageSize: 2 });
    t.teardown(() => gcs.close());
    for (const f of await walk(fx.bucketDir)) gcs.putObject('blocks', relative(fx.bucketDir, f), await readFile(f));
    const bucket = new GcsBucket({ bucket: 'blocks', endpoint: gcs.endpoint, retry: { maxAttempts: 4, initialBackoffMs: 10 } });
    const s = await startTestStore(bucket, join(fx.dir, 'data'));
    t.teardown(s.stop);
    t.equal(s.store.blocks.blocks().length, 3, 'listing across pages of 2');

    const mat = [new Matcher(MatchType.RE, 'instance', 'i[013]')];
    const req = { min_time: millisToInt64(T0), max_time: millisToInt64(T0 + 5 * H), matchers: matchersToProto(mat) };
    gcs.inject({ op: 'media', times: 2, fault: { kind: 'status', status: 503 } });
    const got = await seriesOf(s.client, req);
    t.same(got.warnings, []);
    t.same(got.series.map((x) => ({ labels: x.labels, ts: x.ts, vs: x.vs })), expected(groups, (ls) => mat[0]!.matches(ls.get('instance'))));
    t.ok(gcs.requests.some((r) => r.status === 503), 'the faults were served and retried');

    const whole = gcs.requests.filter((r) => r.op === 'media' && r.range === undefined && /\/(index|chunks\/\d+)$/.test(r.object ?? ''));
    t.same(whole, [], 'no whole-object download of an index or chunk file');
    t.ok(gcs.requests.some((r) => r.op === 'media' && r.range !== undefined && /\/index$/.test(r.object ?? '')), 'index read by ranges');
    t.ok(gcs.requests.some((r) => r.op === 'media' && r.range !== undefined && /\/chunks\/000001$/.test(r.object ?? '')), 'chunks read by ranges');
  });
}
