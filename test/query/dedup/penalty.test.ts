/**
 * Penalty replica dedup. Every expected output below is traced by hand through the algorithm of
 * thanos.md §2.5: each step seeks a to lastT+1+penA and b to lastT+1+penB, the earlier timestamp wins
 * (ties → a), the loser's penalty becomes 2·(t − lastT), or 5000 ms before anything was emitted.
 */
import t from 'tap';
import { dedupReplicas, INITIAL_PENALTY_MS, PenaltyDedupIterator } from '../../../src/query/dedup/index.js';
import { every15s, pairs, samples } from './helpers.js';

t.test('initial penalty is 5000 ms', async (t) => {
  t.equal(INITIAL_PENALTY_MS, 5000);
});

t.test('two replicas with gaps in different places: gaps filled, at most two intervals lost per switch', async (t) => {
  // Same scrape timestamps 15 s apart, k = 0..19. a misses k 3..7 (value k), b misses k 12..16 (value 1000+k).
  //  k0 tie→a, penB=5000 | k1: b.seek(5001)=k1, tie→a, penB=30000 | k2: b.seek(45001)=k4 → a, penB=30000
  //  a.seek(30001)=k8, b.seek(60001)=k5 → b wins (75000<120000), penA=2·(75000−30000)=90000: k3, k4 lost
  //  b k6..k11 (a sought to lastT+1+30000 each time, always behind b) — b stays although a is back at k8
  //  b.seek(165001)=k17, a.seek(195001)=k14 → a, penB=90000: k12, k13 lost
  //  b.seek(300001) exhausted → a alone: k15..k19
  const a = every15s(19, [3, 4, 5, 6, 7], 0);
  const b = every15s(19, [12, 13, 14, 15, 16], 1000);
  const want = [0, 1, 2].map((k) => [15000 * k, k]);
  for (let k = 5; k <= 11; k++) want.push([15000 * k, 1000 + k]);
  for (let k = 14; k <= 19; k++) want.push([15000 * k, k]);
  t.same(pairs(dedupReplicas([a, b], 'penalty')), want);
  // Every gap of the result is at most 3 intervals (2 skipped samples), the price of §2.8; chain gives
  // the gapless series (chain.test.ts).
});

t.test('the penalty keeps to one replica until its gap exceeds ~2× the interval', async (t) => {
  // b scrapes 5 s after a, both every 10 s. Without the penalty the output would interleave them.
  const b = samples([5, 15, 25, 35, 45, 55, 65, 75].map((s) => [s * 1000, 100 + s]));
  const cases: { name: string; a: number[]; want: [number, number][] }[] = [
    {
      // a: 0 10 20 30 _ 50 60 70. At 30: penB = 20000, b.seek(50001)=55, a=50 → a. Stays on a throughout.
      name: 'a missing one sample (gap = 2×): stays on a',
      a: [0, 10, 20, 30, 50, 60, 70],
      want: [0, 10, 20, 30, 50, 60, 70].map((s) => [s * 1000, s]),
    },
    {
      // a: 0 10 20 30 _ _ 60 70. At 30: b.seek(50001)=55 < a's 60 → b, penA = 2·25000 = 50000;
      // a.seek(105001) exhausted → b alone: 65, 75.
      name: 'a missing two samples (gap = 3×): falls over to b',
      a: [0, 10, 20, 30, 60, 70],
      want: [
        [0, 0],
        [10000, 10],
        [20000, 20],
        [30000, 30],
        [55000, 155],
        [65000, 165],
        [75000, 175],
      ],
    },
  ];
  for (const c of cases) {
    const a = samples(c.a.map((s) => [s * 1000, s]));
    t.same(pairs(dedupReplicas([a, b], 'penalty')), c.want, c.name);
  }
});

t.test('initial penalty: the other replica within 5 s of the first sample is skipped, beyond it is not', async (t) => {
  const a = samples([
    [1000, 1],
    [16000, 2],
    [31000, 3],
  ]);
  // b starts 2 s after a: b.seek(1+5000) skips 3000 → 18000 > 16000 → a; then penB = 30000 keeps b
  // behind until a ends: b.seek(31001+30000) = 63000.
  const near = samples([3000, 18000, 33000, 48000, 63000].map((ts, i) => [ts, 10 + i]));
  t.same(pairs(dedupReplicas([a, near], 'penalty')), [
    [1000, 1],
    [16000, 2],
    [31000, 3],
    [63000, 14],
  ]);
  // b starts 6001 ms after a: b.seek(5001) = 7001 < 16000 → b, penA = 2·6001 = 12002;
  // a.seek(7002+12002) = 31000 > b's 22001 → b, penA = 30000; a.seek(52002) exhausted → b to the end.
  const far = samples([7001, 22001, 37001].map((ts, i) => [ts, 10 + i]));
  t.same(pairs(dedupReplicas([a, far], 'penalty')), [
    [1000, 1],
    [7001, 10],
    [22001, 11],
    [37001, 12],
  ]);
});

t.test('ties go to replica a', async (t) => {
  const cases: { name: string; a: [number, number][]; b: [number, number][]; want: [number, number][] }[] = [
    {
      // Tie at 0 → a, penB=5000; tie at 10000 → a, penB=20000; b.seek(30001) exhausted → a.
      name: 'same timestamps from the start',
      a: [
        [0, 1],
        [10000, 2],
        [20000, 3],
      ],
      b: [
        [0, 10],
        [10000, 20],
        [20000, 30],
      ],
      want: [
        [0, 1],
        [10000, 2],
        [20000, 3],
      ],
    },
    {
      // b first (0 < 40000), penA=5000; b 10000, 20000 (a.seek(30001)=40000 behind); then b has a gap:
      // a.seek(40001) = 50000 and b.seek(20001) = 50000 tie → a, penB = 60000, b exhausted → a.
      name: 'tie when switching back from b',
      a: [
        [40000, 1],
        [50000, 2],
        [60000, 3],
      ],
      b: [
        [0, 100],
        [10000, 110],
        [20000, 120],
        [50000, 150],
        [60000, 160],
      ],
      want: [
        [0, 100],
        [10000, 110],
        [20000, 120],
        [50000, 2],
        [60000, 3],
      ],
    },
  ];
  for (const c of cases) t.same(pairs(dedupReplicas([samples(c.a), samples(c.b)], 'penalty')), c.want, c.name);
});

t.test('three replicas: left fold dedup(dedup(r0, r1), r2)', async (t) => {
  // Every 10 s, k = 0..10. r0 (value k) misses k 3..6, r1 (100+k) misses k 2..8, r2 (200+k) complete.
  // inner = dedup(r0, r1): k0, k1 ties → r0; k2 r0 (r1 sought to 30001 → k9); r0 jumps to k7 < k9 → r0,
  //   penB = 2·50000; r1 exhausted → r0 k8..k10. inner = r0's samples 0,1,2,7,8,9,10.
  // outer = dedup(inner, r2): k0, k1 ties → inner; k2 inner (r2 at k4); inner.seek(20001) → k7, r2.seek(40001)
  //   → k5 < k7 → r2, penA = 60000; inner.seek(110001) runs inner out → r2 alone: k6..k10.
  const r0: [number, number][] = [];
  const r1: [number, number][] = [];
  const r2: [number, number][] = [];
  for (let k = 0; k <= 10; k++) {
    if (k < 3 || k > 6) r0.push([10000 * k, k]);
    if (k < 2 || k > 8) r1.push([10000 * k, 100 + k]);
    r2.push([10000 * k, 200 + k]);
  }
  t.same(pairs(dedupReplicas([samples(r0), samples(r1), samples(r2)], 'penalty')), [
    [0, 0],
    [10000, 1],
    [20000, 2],
    [50000, 205],
    [60000, 206],
    [70000, 207],
    [80000, 208],
    [90000, 209],
    [100000, 210],
  ]);
});

t.test('one replica passes through untouched; empty replicas are harmless', async (t) => {
  const a = samples([
    [0, 1],
    [1000, 2],
  ]);
  t.equal(dedupReplicas([a], 'penalty'), a);
  const empty = samples([]);
  t.same(pairs(dedupReplicas([empty, a], 'penalty')), pairs(a));
  t.same(pairs(dedupReplicas([a, empty], 'penalty')), pairs(a));
  t.same(pairs(dedupReplicas([empty, empty], 'penalty')), []);
});

t.test('the iterator interface: seek steps through next(), so penalties decide which samples exist', async (t) => {
  // The "a missing one sample" case above: output 0 10 20 30 50 60 70 (all a). b has 45000, but seeking
  // to 45000 must not land on it: the penalty made it nonexistent. It lands on a's 50000.
  const a = samples([0, 10, 20, 30, 50, 60, 70].map((s) => [s * 1000, s]));
  const b = samples([5, 15, 25, 35, 45, 55, 65, 75].map((s) => [s * 1000, 100 + s]));
  const it = new PenaltyDedupIterator([a, b], false);
  t.equal(it.seek(45000), true, 'seek before any next()');
  t.same([it.atT(), it.at()], [50000, 50]);
  t.equal(it.seek(10000), true, 'never backwards');
  t.same([it.atT(), it.at()], [50000, 50]);
  t.equal(it.next(), true);
  t.same([it.atT(), it.at()], [60000, 60]);
  t.equal(it.seek(70001), false, 'past the end');
  t.equal(it.next(), false, 'stays exhausted');
  const one = new PenaltyDedupIterator([a], false);
  t.equal(one.seek(25000), true);
  t.same([one.atT(), one.at()], [30000, 30]);
  t.equal(new PenaltyDedupIterator([], false).next(), false);
});
