import t from 'tap';
import { join } from 'node:path';
import { Labels, Matcher, MatchType } from '../../src/model/index.js';
import { InfoClient, matchersToProto, millisToInt64, PartialResponseStrategy } from '../../src/storeapi/index.js';
import { needBinary } from '../helpers/peers.js';
import { expected, makeFixture, seriesOf, startTestStore, type Group } from './fixture.js';
import { genSeries, T0 } from './promtool-blocks.js';

const H = 3600_000;
// Group a: 6 h → three 2 h blocks holding the same 5 series (merged into one series each by the store).
// Group b: 4 h, another cluster. The data ends 15 s before a 2 h boundary so promtool cuts no 1 ms block.
const groups: Group[] = [
  { ext: { cluster: 'c1', replica: 'r0' }, series: genSeries({ name: 'demo_gauge', job: 'api', n: 5, from: T0 + 15_000, to: T0 + 6 * H - 14_000, stepS: 15 }) },
  { ext: { cluster: 'c2' }, series: genSeries({ name: 'demo_gauge', job: 'web', n: 3, from: T0 + 15_000, to: T0 + 4 * H - 14_000, stepS: 30, seed: 5 }) },
];
// A series whose own label clashes with an external one: the external value must win.
groups[1]!.series.push({ labels: { __name__: 'other', cluster: 'own', job: 'web' }, ts: [T0 + 60_000, T0 + 120_000], vs: [1, 2] });
// Non-ASCII label values, across all three blocks of group a.
const intl = genSeries({ name: 'demo_intl', job: 'x', n: 1, from: T0 + 15_000, to: T0 + 6 * H - 14_000, stepS: 60, seed: 3 })[0]!;
groups[0]!.series.push({ ...intl, labels: { __name__: 'demo_intl', job: `ápi ✓ 😀 ${'ü'.repeat(70)}` } }); // > 127 bytes: a 2-byte length

const m = (type: MatchType, name: string, value: string): Matcher => new Matcher(type, name, value);

t.test('bucket store over promtool blocks', async (t) => {
  const promtool = needBinary(t, 'promtool');
  if (!promtool) return;
  const fx = await makeFixture(promtool, groups);
  t.teardown(fx.cleanup);
  t.equal(fx.blocks[0]!.length, 3);
  t.equal(fx.blocks[1]!.length, 2);
  const s = await startTestStore(fx.bucketDir, join(fx.dir, 'data'));
  t.teardown(s.stop);
  t.equal(s.store.blocks.blocks().length, 5);

  const cases: { name: string; matchers: Matcher[] }[] = [
    { name: 'metric name', matchers: [m(MatchType.EQ, '__name__', 'demo_gauge')] },
    { name: 'set regex', matchers: [m(MatchType.RE, 'instance', 'i1|i3|i9')] },
    { name: 'not equal', matchers: [m(MatchType.EQ, '__name__', 'demo_gauge'), m(MatchType.NEQ, 'instance', 'i0')] },
    { name: 'regex enumerating values', matchers: [m(MatchType.RE, 'job', 'a.*|w.b')] },
    { name: 'negative regex', matchers: [m(MatchType.NRE, 'instance', 'i[0-2]')] },
    { name: 'label absent (="")', matchers: [m(MatchType.EQ, 'instance', '')] },
    { name: 'label present (!="")', matchers: [m(MatchType.NEQ, 'instance', '')] },
    { name: '=~".+"', matchers: [m(MatchType.RE, 'instance', '.+')] },
    { name: '=~".*" alone selects everything', matchers: [m(MatchType.RE, 'job', '.*')] },
    { name: '!~".*" selects nothing', matchers: [m(MatchType.NRE, 'job', '.*'), m(MatchType.EQ, '__name__', 'demo_gauge')] },
    { name: 'external label matcher', matchers: [m(MatchType.EQ, 'cluster', 'c2')] },
    { name: 'external label wins: the own value selects nothing', matchers: [m(MatchType.EQ, 'cluster', 'own')] },
    { name: 'external label wins: the series carries the external value', matchers: [m(MatchType.EQ, '__name__', 'other')] },
    { name: 'external regex and local', matchers: [m(MatchType.RE, 'cluster', 'c.'), m(MatchType.EQ, 'instance', 'i2')] },
    { name: 'unknown label', matchers: [m(MatchType.EQ, 'nope', 'x')] },
    { name: 'unknown value', matchers: [m(MatchType.EQ, 'instance', 'i99')] },
  ];
  for (const c of cases) {
    const got = await seriesOf(s.client, { min_time: millisToInt64(T0), max_time: millisToInt64(T0 + 7 * H), matchers: matchersToProto(c.matchers) });
    const want = expected(groups, (ls) => c.matchers.every((x) => x.matches(ls.get(x.name))));
    t.same(got.series.map((g) => ({ labels: g.labels, ts: g.ts, vs: g.vs })), want, c.name);
    t.same(got.warnings, [], `${c.name}: no warnings`);
    const expectEmpty = /nothing|unknown/.test(c.name);
    t.equal(want.length === 0, expectEmpty, `${c.name}: ${want.length} series expected`);
  }

  t.test('one series across three blocks is one series with all chunks in time order', async (t) => {
    const got = await seriesOf(s.client, { min_time: millisToInt64(T0), max_time: millisToInt64(T0 + 7 * H), matchers: matchersToProto([m(MatchType.EQ, 'instance', 'i0'), m(MatchType.EQ, 'cluster', 'c1')]) });
    t.equal(got.series.length, 1);
    const mins = got.series[0]!.chunkMins;
    t.same(mins, [...mins].sort((a, b) => a - b));
    t.ok(mins[0]! < T0 + 2 * H && mins[mins.length - 1]! >= T0 + 4 * H, 'chunks from the first and the last block');
  });

  t.test('non-ASCII label values: from several blocks (merged) and from one block (symbol bytes)', async (t) => {
    const mat = [m(MatchType.EQ, '__name__', 'demo_intl')];
    for (const [mint, maxt] of [
      [T0, T0 + 7 * H],
      [T0 + 4 * H + 1, T0 + 7 * H], // the last block of group a only
    ] as const) {
      const got = await seriesOf(s.client, { min_time: millisToInt64(mint), max_time: millisToInt64(maxt), matchers: matchersToProto(mat), response_batch_size: '4' });
      t.same(got.series.map((g) => ({ labels: g.labels, ts: g.ts, vs: g.vs })), expected(groups, (ls) => ls.get('__name__') === 'demo_intl', mint, maxt));
      t.equal(got.series[0]?.labels.job, `ápi ✓ 😀 ${'ü'.repeat(70)}`);
    }
  });

  t.test('time range: only overlapping chunks, samples inside the range match', async (t) => {
    const mint = T0 + 2 * H + 30 * 60_000;
    const maxt = T0 + 3 * H;
    const mat = [m(MatchType.EQ, '__name__', 'demo_gauge')];
    const got = await seriesOf(s.client, { min_time: millisToInt64(mint), max_time: millisToInt64(maxt), matchers: matchersToProto(mat) });
    t.same(got.series.map((g) => ({ labels: g.labels, ts: g.ts, vs: g.vs })), expected(groups, (ls) => ls.get('__name__') === 'demo_gauge', mint, maxt));
    for (const g of got.series) t.ok(g.chunks <= 3, `${g.labels.instance}: ${g.chunks} chunks, not the whole 6 h`);
  });

  t.test('without_replica_labels drops the external replica label', async (t) => {
    const mat = [m(MatchType.EQ, 'job', 'api')];
    const got = await seriesOf(s.client, { min_time: millisToInt64(T0), max_time: millisToInt64(T0 + 7 * H), matchers: matchersToProto(mat), without_replica_labels: ['replica'] });
    t.same(got.series.map((g) => g.labels), expected(groups, (ls) => ls.get('job') === 'api', -Infinity, Infinity, ['replica']).map((e) => e.labels));
    t.notOk(got.series.some((g) => 'replica' in g.labels));
  });

  t.test('skip_chunks, limit and batch frames', async (t) => {
    const mat = matchersToProto([m(MatchType.RE, '__name__', '.+')]);
    const all = expected(groups, () => true).map((e) => e.labels);
    const labelsOnly = await seriesOf(s.client, { min_time: millisToInt64(T0), max_time: millisToInt64(T0 + 7 * H), matchers: mat, skip_chunks: true });
    t.same(labelsOnly.series.map((g) => g.labels), all);
    t.ok(labelsOnly.series.every((g) => g.chunks === 0));
    const limited = await seriesOf(s.client, { min_time: millisToInt64(T0), max_time: millisToInt64(T0 + 7 * H), matchers: mat, limit: '3', response_batch_size: '2' });
    t.same(limited.series.map((g) => g.labels), all.slice(0, 3));
    // Labels only over a window only some series have chunks in (after 4 h only group a), as series frames
    // and as batches, with and without a limit.
    const late = { min_time: millisToInt64(T0 + 5 * H), max_time: millisToInt64(T0 + 7 * H), matchers: mat, skip_chunks: true };
    const lateWant = expected(groups, () => true, T0 + 5 * H, T0 + 7 * H).map((e) => e.labels);
    t.ok(lateWant.length > 0 && lateWant.length < all.length);
    for (const response_batch_size of ['0', '1', '2', '64']) {
      t.same((await seriesOf(s.client, { ...late, response_batch_size })).series.map((g) => g.labels), lateWant, `batch ${response_batch_size}`);
      t.same((await seriesOf(s.client, { ...late, response_batch_size, limit: '2' })).series.map((g) => g.labels), lateWant.slice(0, 2), `batch ${response_batch_size}, limit 2`);
    }
  });

  t.test('LabelNames / LabelValues', async (t) => {
    const full = { start: millisToInt64(T0), end: millisToInt64(T0 + 7 * H) };
    t.same((await s.client.labelNames({ ...full })).names, ['__name__', 'cluster', 'instance', 'job', 'replica']);
    t.same((await s.client.labelNames({ ...full, without_replica_labels: ['replica'] })).names, ['__name__', 'cluster', 'instance', 'job']);
    t.same((await s.client.labelNames({ ...full, matchers: matchersToProto([m(MatchType.EQ, '__name__', 'other')]) })).names, ['__name__', 'cluster', 'job']);
    t.same((await s.client.labelValues({ ...full, label: 'instance' })).values, ['i0', 'i1', 'i2', 'i3', 'i4']);
    t.same((await s.client.labelValues({ ...full, label: 'cluster' })).values, ['c1', 'c2']);
    t.same((await s.client.labelValues({ ...full, label: 'instance', matchers: matchersToProto([m(MatchType.EQ, 'job', 'web')]) })).values, ['i0', 'i1', 'i2']);
    t.same((await s.client.labelValues({ ...full, label: 'replica', without_replica_labels: ['replica'] })).values, []);
    // After 4 h only group a has data.
    const late = { start: millisToInt64(T0 + 5 * H), end: millisToInt64(T0 + 7 * H) };
    t.same((await s.client.labelValues({ ...late, label: 'cluster' })).values, ['c1']);
    t.same((await s.client.labelValues({ ...late, label: 'job', matchers: matchersToProto([m(MatchType.RE, 'instance', 'i[34]')]) })).values, ['api']);
  });

  t.test('Info: component, time range over blocks, one label set per external-label set', async (t) => {
    const info = new InfoClient(s.grpc.address);
    t.teardown(() => info.close());
    const r = await info.info();
    t.equal(r.ComponentType, 'store');
    t.equal(r.store!.min_time, String(T0 + 15_000));
    // maxTime of the last block: last sample + 1 ms (half-open).
    t.equal(r.store!.max_time, String(groups[0]!.series[0]!.ts.at(-1)! + 1));
    t.equal(r.store!.supports_without_replica_labels, true);
    t.same(r.label_sets.map((l) => Labels.from(l.labels.map((x) => [x.name, x.value] as [string, string])).toObject()).sort((a, b) => (a.cluster! < b.cluster! ? -1 : 1)), [
      { cluster: 'c1', replica: 'r0' },
      { cluster: 'c2' },
    ]);
  });

  t.test('a bad regex is INVALID_ARGUMENT', async (t) => {
    await t.rejects(seriesOf(s.client, { min_time: '0', max_time: millisToInt64(T0 + 7 * H), matchers: [{ type: 2, name: 'job', value: '(' }], partial_response_strategy: PartialResponseStrategy.ABORT }), /INVALID_ARGUMENT/);
  });
});
