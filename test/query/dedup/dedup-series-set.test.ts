import t from 'tap';
import { Labels, STALE_NAN, isStaleNaN } from '../../../src/model/index.js';
import { DedupSeriesSet, dedupReplicas, type ReplicaSeries } from '../../../src/query/dedup/index.js';
import { arraySource, collect, type SortedSource } from '../../../src/query/merge/index.js';
import { pairs, samples } from './helpers.js';

const ls = (a: string) => Labels.from({ __name__: 'up', a });

t.test('consecutive equal-label series are replicas of one series; a lone one passes through', async (t) => {
  const a1 = samples([
    [0, 1],
    [10000, 2],
  ]);
  const a2 = samples([
    [0, 5],
    [10000, 6],
    [20000, 7],
  ]);
  const b = samples([[0, 9]]);
  const input: ReplicaSeries[] = [
    { labels: ls('1'), samples: a1 },
    { labels: ls('1'), samples: a2 },
    { labels: ls('2'), samples: b },
  ];
  // Async source: every next() waits, as a network stream would.
  let i = -1;
  const src: SortedSource<ReplicaSeries> = { next: () => Promise.resolve(++i < input.length), at: () => input[i] };
  const out = await collect(new DedupSeriesSet(src, 'penalty'));
  t.equal(out.length, 2);
  t.equal(out[0].labels.toString(), 'up{a="1"}');
  // Ties at 0 and 10000 → first replica; second replica sought to 10001+20000 → exhausted.
  t.same(Array.from(out[0].timestamps), [0, 10000]);
  t.same(Array.from(out[0].values), [1, 2]);
  t.equal(out[1].labels.toString(), 'up{a="2"}');
  t.equal(out[1].values, b.v, 'passed through');
});

t.test('staleness marker preserved bit-exact through penalty, counter adjustment and chain', async (t) => {
  // b takes over after a's gap (a: 0, 10, 20 then 60; b lags: 5..55 with a marker at 45).
  // Penalty trace: 0 a (penB 5000) | 10 a (b.seek(5001) = 15), penB 20000 | 20 a (b.seek(30001) = 35)
  // | a.seek(20001) = 60, b.seek(40001) = 45 (the marker) → switch to b, penA = 50000 | a.seek(95001) runs
  // out → b's 55.
  const a = samples([
    [0, 100],
    [10000, 110],
    [20000, 120],
    [60000, 160],
  ]);
  const b = samples([
    [5000, 50],
    [15000, 60],
    [25000, 70],
    [35000, 80],
    [45000, 0],
    [55000, 90],
  ]);
  // Written straight into the typed array: a plain [t, v] pair array would canonicalise the marker.
  (b.v as Float64Array)[4] = STALE_NAN;
  t.ok(isStaleNaN(b.v[4]), 'input holds the marker');
  for (const func of [undefined, 'rate']) {
    const out = dedupReplicas([a, b], 'penalty', func);
    t.same(Array.from(out.t), [0, 10000, 20000, 45000, 55000], `timestamps (${String(func)})`);
    t.ok(isStaleNaN(out.v[3]), `marker kept (${String(func)})`);
  }
  // In counter mode the marker is not a value: at the switch 120 > NaN is false, so b is not adjusted
  // (as in Thanos) and b's 90 stays 90.
  t.equal(dedupReplicas([a, b], 'penalty', 'rate').v[4], 90);
  const chained = dedupReplicas([a, b], 'chain');
  t.same(Array.from(chained.t), [0, 5000, 10000, 15000, 20000, 25000, 35000, 45000, 55000, 60000]);
  t.ok(isStaleNaN(chained.v[7]), 'marker kept by chain');
  t.notOk(isStaleNaN(NaN), 'an ordinary NaN is not a marker (the check can fail)');
  t.same(pairs(dedupReplicas([samples([[0, 1]])], 'penalty')), [[0, 1]]);
});

t.test('synchronous sources give synchronous answers', async (t) => {
  const set = new DedupSeriesSet(arraySource<ReplicaSeries>([{ labels: ls('1'), samples: samples([[0, 1]]) }]), 'chain');
  t.equal(set.next(), true);
  t.equal(set.next(), false);
});
