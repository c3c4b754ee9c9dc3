// The store's block lifecycle and failure handling over real blocks: corrupt index/chunks, deletion marks,
// hostile regexes, index-header reuse after restart, relabel sharding, and sync picking up new/deleted blocks.
import t from 'tap';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { Labels, Matcher, MatchType } from '../../src/model/index.js';
import { FilesystemBucket } from '../../src/objstore/index.js';
import { parseRelabelConfig, relabel } from '../../src/store/index.js';
import { matchersToProto, millisToInt64, PartialResponseStrategy } from '../../src/storeapi/index.js';
import { writeBlock } from '../../src/tsdb/index.js';
import { needBinary } from '../helpers/peers.js';
import { CountingBucket } from './counting-bucket.js';
import { makeFixture, seriesOf, startTestStore, type Group } from './fixture.js';
import { genSeries, T0 } from './promtool-blocks.js';

const H = 3600_000;
const groups: Group[] = [
  { ext: { cluster: 'c1' }, series: genSeries({ name: 'g', job: 'api', n: 3, from: T0 + 15_000, to: T0 + 6 * H - 14_000, stepS: 60 }) },
  { ext: { cluster: 'c2' }, series: genSeries({ name: 'g', job: 'web', n: 2, from: T0 + 15_000, to: T0 + 2 * H - 14_000, stepS: 60 }) },
];
const ALL = { min_time: millisToInt64(T0), max_time: millisToInt64(T0 + 7 * H), matchers: matchersToProto([new Matcher(MatchType.RE, '__name__', '.+')]) };

async function metric(registry: Registry, name: string): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (!m) throw new Error(`no metric ${name}`);
  return (await m.get()).values.reduce((a, v) => a + v.value, 0);
}

const promtool = needBinary(t, 'promtool');

t.test('unit: relabel keep/drop/hashmod (hashmod vector from Prometheus relabel_test.go: md5("baz") % 1000 = 976)', async (t) => {
  const rules = parseRelabelConfig('- action: hashmod\n  source_labels: [c]\n  target_label: d\n  modulus: 1000\n');
  t.same(relabel(Labels.from({ a: 'foo', b: 'bar', c: 'baz' }), rules)?.toObject(), { a: 'foo', b: 'bar', c: 'baz', d: '976' });
  const keep = parseRelabelConfig('- action: keep\n  source_labels: [cluster]\n  regex: c1|c3\n');
  t.ok(relabel(Labels.from({ cluster: 'c1' }), keep));
  t.notOk(relabel(Labels.from({ cluster: 'c2' }), keep));
  const drop = parseRelabelConfig('- action: drop\n  source_labels: [__block_id]\n  regex: "01H.*"\n');
  t.notOk(relabel(Labels.from({ __block_id: '01HXYZ' }), drop));
  t.throws(() => parseRelabelConfig('- action: replace\n  source_labels: [a]\n'), /not allowed/);
  t.throws(() => parseRelabelConfig('- action: hashmod\n  source_labels: [a]\n  target_label: x\n'), /modulus/);
  t.throws(() => parseRelabelConfig('- action: keep\n  source_labels: [a]\n  regex: "("\n'), /invalid regular expression/);
});

if (promtool) {
  t.test('a corrupt index makes that block skipped and counted; the others are served', async (t) => {
    const fx = await makeFixture(promtool, groups);
    t.teardown(fx.cleanup);
    const victim = fx.blocks[0]![1]!; // c1, 2h–4h
    const p = join(fx.bucketDir, victim, 'index');
    const b = Buffer.from(await readFile(p));
    b[5 + 8 + 3] ^= 0xff; // inside the symbol table
    await writeFile(p, b);
    const s = await startTestStore(fx.bucketDir, join(fx.dir, 'data'));
    t.teardown(s.stop);
    t.equal(s.store.blocks.blocks().length, 3);
    t.notOk(s.store.blocks.blocks().some((x) => x.id === victim));
    t.equal(await metric(s.registry, 'promfed_store_block_load_failures_total'), 1);
    const got = await seriesOf(s.client, ALL);
    t.equal(got.series.length, 5, 'every series still there');
    const c1 = got.series.find((x) => x.labels.cluster === 'c1')!;
    t.notOk(c1.ts.some((ts) => ts >= T0 + 2 * H && ts < T0 + 4 * H), 'nothing from the corrupt block');
    t.ok(c1.ts.some((ts) => ts >= T0 + 4 * H), 'the later block is served');
  });

  t.test('a corrupt chunk: warning and the other blocks under WARN, an error under ABORT', async (t) => {
    const fx = await makeFixture(promtool, groups);
    t.teardown(fx.cleanup);
    const victim = fx.blocks[1]![0]!; // c2's only block
    const p = join(fx.bucketDir, victim, 'chunks', '000001');
    const b = Buffer.from(await readFile(p));
    b[40] ^= 0xff;
    await writeFile(p, b);
    const s = await startTestStore(fx.bucketDir, join(fx.dir, 'data'));
    t.teardown(s.stop);
    const got = await seriesOf(s.client, ALL);
    t.equal(got.warnings.length, 1);
    t.match(got.warnings[0], new RegExp(`block ${victim}: .*CRC32C`));
    t.same([...new Set(got.series.map((x) => x.labels.cluster))], ['c1'], 'c1 served; c2 series lost their only chunks');
    t.equal(got.series.length, 3);
    t.equal(await metric(s.registry, 'promfed_store_block_query_failures_total'), 1);
    await t.rejects(seriesOf(s.client, { ...ALL, partial_response_strategy: PartialResponseStrategy.ABORT }), /CRC32C/);
  });

  t.test('deletion marks, new and deleted blocks are picked up by sync', async (t) => {
    const fx = await makeFixture(promtool, groups);
    t.teardown(fx.cleanup);
    const [marked, , removed] = fx.blocks[0]!;
    await writeFile(join(fx.bucketDir, marked!, 'deletion-mark.json'), JSON.stringify({ id: marked, version: 1, deletion_time: Math.floor(Date.now() / 1000) }));
    // A block without meta.json is still being uploaded: not loaded, not a failure.
    const spare = fx.blocks[1]![0]!;
    await cp(join(fx.bucketDir, spare), join(fx.dir, 'spare'), { recursive: true });
    await rm(join(fx.bucketDir, spare, 'meta.json'));
    const s = await startTestStore(fx.bucketDir, join(fx.dir, 'data'));
    t.teardown(s.stop);
    t.same(s.store.blocks.blocks().map((b) => b.id).sort(), [fx.blocks[0]![1]!, removed!].sort());
    t.equal(await metric(s.registry, 'promfed_store_block_load_failures_total'), 0);
    t.notOk((await seriesOf(s.client, ALL)).series.some((x) => x.labels.cluster === 'c2'));

    // Upload completes (meta.json last) and another block is deleted.
    await writeFile(join(fx.bucketDir, spare, 'meta.json'), await readFile(join(fx.dir, 'spare', 'meta.json')));
    await rm(join(fx.bucketDir, removed!), { recursive: true });
    await s.store.sync();
    t.same(s.store.blocks.blocks().map((b) => b.id).sort(), [fx.blocks[0]![1]!, spare].sort());
    const got = await seriesOf(s.client, ALL);
    t.ok(got.series.some((x) => x.labels.cluster === 'c2'), 'new block served');
    t.notOk(got.series.some((x) => x.ts.some((ts) => ts >= T0 + 4 * H)), 'deleted block gone');
    t.equal(await metric(s.registry, 'promfed_store_block_drops_total'), 1);
  });

  t.test('index-header is reused after a restart: no index reads while loading', async (t) => {
    const fx = await makeFixture(promtool, groups);
    t.teardown(fx.cleanup);
    const dataDir = join(fx.dir, 'data');
    const first = await startTestStore(fx.bucketDir, dataDir);
    t.equal(await metric(first.registry, 'promfed_store_index_header_builds_total'), 4);
    const before = await seriesOf(first.client, ALL);
    await first.stop();

    const counting = new CountingBucket(new FilesystemBucket(fx.bucketDir));
    const second = await startTestStore(counting, dataDir);
    t.teardown(second.stop);
    t.equal(await metric(second.registry, 'promfed_store_index_header_builds_total'), 0);
    const indexReads = [...counting.rangesByObject].filter(([n]) => n.endsWith('/index')).length;
    t.equal(indexReads, 0, 'no ranged reads of any index during load');
    t.same((await seriesOf(second.client, ALL)).series, before.series, 'same answers');
  });

  t.test('relabel sharding: keep by external label; hashmod shards partition the blocks', async (t) => {
    const fx = await makeFixture(promtool, groups);
    t.teardown(fx.cleanup);
    const keep = await startTestStore(fx.bucketDir, join(fx.dir, 'd0'), { relabel: parseRelabelConfig('- action: keep\n  source_labels: [cluster]\n  regex: c2\n') });
    t.teardown(keep.stop);
    t.same(keep.store.blocks.blocks().map((b) => b.id), fx.blocks[1]);
    const all = [...fx.blocks[0]!, ...fx.blocks[1]!].sort();
    const shards: string[][] = [];
    for (const i of [0, 1]) {
      const cfg = `- action: hashmod\n  source_labels: [__block_id]\n  target_label: shard\n  modulus: 2\n- action: keep\n  source_labels: [shard]\n  regex: "${i}"\n`;
      const s = await startTestStore(fx.bucketDir, join(fx.dir, `s${i}`), { relabel: parseRelabelConfig(cfg) });
      t.teardown(s.stop);
      shards.push(s.store.blocks.blocks().map((b) => b.id));
    }
    t.same([...shards[0]!, ...shards[1]!].sort(), all, 'every block in exactly one shard');
  });

  t.test('a hostile regex against long label values returns promptly', async (t) => {
    const fx = await makeFixture(promtool, groups);
    t.teardown(fx.cleanup);
    const long = (c: string): string => c.repeat(40_000) + '!';
    writeBlock(
      fx.bucketDir,
      ['a', 'b'].map((c) => ({ labels: Labels.from({ __name__: 'evil', path: long(c) }), timestamps: Float64Array.of(T0 + 1000), values: Float64Array.of(1) })),
      { thanos: { labels: { cluster: 'c3' } } },
    );
    const s = await startTestStore(fx.bucketDir, join(fx.dir, 'data'));
    t.teardown(s.stop);
    for (const re of ['(a+)+$', '(a|aa)+b', '(a*)*b', '(.*a){20}']) {
      const start = performance.now();
      const got = await seriesOf(s.client, { ...ALL, matchers: matchersToProto([new Matcher(MatchType.RE, 'path', re)]) });
      const ms = performance.now() - start;
      t.ok(ms < 3000, `${re}: ${ms.toFixed(0)} ms`);
      // Matchers are anchored: only a value made entirely of a's (none here: both end in '!') could match these.
      t.equal(got.series.length, 0, re);
    }
    const ok = await seriesOf(s.client, { ...ALL, matchers: matchersToProto([new Matcher(MatchType.RE, 'path', 'b+!')]) });
    t.equal(ok.series.length, 1);
  });
}
