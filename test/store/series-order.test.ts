// Series order when external labels are inserted into streamed batches (src/store/cursor.ts): inserting
// {c="1"} puts {a="x", b=…} before {a="x"} although the index has them the other way round, and the run of
// series sharing {a="x"} as prefix crosses the 10,000-series batch boundary. Expected answers are the label
// sets sorted with Labels.compare (Prometheus labels.Compare), computed here from the written data.
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Labels, Matcher, MatchType } from '../../src/model/index.js';
import { matchersToProto, MAX_INT64 } from '../../src/storeapi/index.js';
import { writeBlock, type WriterSeries } from '../../src/tsdb/index.js';
import { seriesOf, startTestStore } from './fixture.js';

const T0 = 1_700_000_000_000;
const ts = Float64Array.from({ length: 3 }, (_, i) => T0 + i * 15_000);

function series(labels: Record<string, string>, v: number): WriterSeries {
  return { labels: Labels.from(labels), timestamps: ts, values: new Float64Array(3).fill(v) };
}

/** Final label sets: own labels with `ext` set over them (external wins), minus `drop`, sorted, merged. */
function want(own: Record<string, string>[], ext: Record<string, string>, drop: string[] = []): Record<string, string>[] {
  const byKey = new Map<string, Labels>();
  for (const o of own) {
    const ls = Labels.from({ ...o, ...Object.fromEntries(Object.entries(ext).filter(([k]) => !drop.includes(k))) });
    byKey.set(ls.key(), ls);
  }
  return [...byKey.values()].sort(Labels.compare).map((l) => l.toObject());
}

t.test('inserted external labels reorder prefix runs, also across a batch boundary', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'promfed-store-order-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const own: Record<string, string>[] = [{ a: 'x' }, { a: 'w' }, { a: 'w', z: '1' }, { a: 'y' }, { a: 'y', b: '1' }];
  for (let i = 0; i < 10_050; i++) own.push({ a: 'x', b: String(i).padStart(5, '0') });
  own.push({ a: 'x', b: '00007', d: '1' }); // a nested prefix inside the run
  writeBlock(join(dir, 'bucket'), own.map((o, i) => series(o, i)), { thanos: { labels: { c: '1', r: 'r0' } } });
  const s = await startTestStore(join(dir, 'bucket'), join(dir, 'data'));
  t.teardown(s.stop);

  const all = [new Matcher(MatchType.RE, 'a', '.+')];
  const got = await seriesOf(s.client, { min_time: '0', max_time: MAX_INT64, matchers: matchersToProto(all), response_batch_size: '64' });
  const order = got.series.map((g) => g.labels);
  t.equal(order.length, own.length);
  t.same(order, want(own, { c: '1', r: 'r0' }), 'sorted by final labels');
  t.same(order.slice(0, 2), [{ a: 'w', c: '1', r: 'r0' }, { a: 'w', c: '1', r: 'r0', z: '1' }], 'no reorder where the extra name sorts after c');
  t.same(order[2], { a: 'x', b: '00000', c: '1', r: 'r0' }, 'the b series come before {a="x"}');
  t.same(order[own.length - 3], { a: 'x', c: '1', r: 'r0' }, '{a="x"} after its whole run');
  t.ok(got.series.every((g) => g.ts.length === 3), 'every series has its samples');

  // Dropping the replica label leaves only c to insert: the same order without r.
  const dropped = await seriesOf(s.client, { min_time: '0', max_time: MAX_INT64, matchers: matchersToProto(all), without_replica_labels: ['r'], skip_chunks: true });
  t.same(
    dropped.series.map((g) => g.labels),
    want(own, { c: '1', r: 'r0' }, ['r']),
  );
  // Labels only (skip_chunks) and a limit: the first series of the final order.
  const limited = await seriesOf(s.client, { min_time: '0', max_time: MAX_INT64, matchers: matchersToProto(all), skip_chunks: true, limit: '3' });
  t.same(
    limited.series.map((g) => g.labels),
    want(own, { c: '1', r: 'r0' }).slice(0, 3),
  );
});

t.test('an external label overriding an own label: equal series merge, order by final labels', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'promfed-store-order-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const own: Record<string, string>[] = [{ a: '1', k: 'b' }, { a: '2', k: 'a' }, { a: '3' }, { a: '1', k: 'a' }];
  writeBlock(join(dir, 'bucket'), own.map((o, i) => series(o, i)), { thanos: { labels: { a: 'e' } } });
  const s = await startTestStore(join(dir, 'bucket'), join(dir, 'data'));
  t.teardown(s.stop);
  const got = await seriesOf(s.client, { min_time: '0', max_time: MAX_INT64, matchers: matchersToProto([new Matcher(MatchType.RE, 'k', '.*')]) });
  t.same(
    got.series.map((g) => g.labels),
    [{ a: 'e' }, { a: 'e', k: 'a' }, { a: 'e', k: 'b' }],
  );
  // {a=1,k=a} and {a=2,k=a} both become {a=e,k=a}: one series holding both blocks' chunks (6 samples).
  t.same(got.series.map((g) => g.chunks), [1, 2, 1]);
});

t.test('a block that runs out mid-merge: the equal head of the other block joins the last series', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'promfed-store-order-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ext = { thanos: { labels: { c: '1' } } };
  // Block 1 ends with {a="2"}; block 2 starts with it: one series with a chunk from each block.
  writeBlock(join(dir, 'bucket'), [series({ a: '1' }, 1), series({ a: '2' }, 2)], ext);
  const later = (labels: Record<string, string>, v: number): WriterSeries => ({ ...series(labels, v), timestamps: ts.map((x) => x + 3_600_000) });
  writeBlock(join(dir, 'bucket'), [later({ a: '2' }, 2), later({ a: '3' }, 3)], ext);
  const s = await startTestStore(join(dir, 'bucket'), join(dir, 'data'));
  t.teardown(s.stop);
  t.equal(s.store.blocks.blocks().length, 2);
  const got = await seriesOf(s.client, { min_time: '0', max_time: MAX_INT64, matchers: matchersToProto([new Matcher(MatchType.RE, 'a', '.+')]) });
  t.same(
    got.series.map((g) => [g.labels.a, g.chunks, g.ts.length]),
    [
      ['1', 1, 3],
      ['2', 2, 6],
      ['3', 1, 3],
    ],
  );
});
