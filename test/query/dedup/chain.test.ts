import t from 'tap';
import { chainMerge, dedupReplicas } from '../../../src/query/dedup/index.js';
import { every15s, pairs, samples } from './helpers.js';

t.test('chain merge: every timestamp once; on equal timestamps the first-listed replica wins', async (t) => {
  const r0 = samples([
    [0, 1],
    [10, 2],
    [20, 3],
  ]);
  const r1 = samples([
    [10, 20],
    [15, 25],
    [20, 30],
    [30, 40],
  ]);
  // 0 only r0; 10 both → r0's 2; 15 r1; 20 both → r0's 3; 30 r1.
  t.same(pairs(chainMerge([r0, r1])), [
    [0, 1],
    [10, 2],
    [15, 25],
    [20, 3],
    [30, 40],
  ]);
  // Listed the other way round, r1 wins the shared timestamps.
  t.same(pairs(chainMerge([r1, r0])), [
    [0, 1],
    [10, 20],
    [15, 25],
    [20, 30],
    [30, 40],
  ]);
});

t.test('chain: two replicas with gaps in different places give exactly the gapless series', async (t) => {
  // Same scrape timestamps; a misses k 3..7, b misses k 12..16; both carry the value k at k.
  const a = every15s(19, [3, 4, 5, 6, 7], 0);
  const b = every15s(19, [12, 13, 14, 15, 16], 0);
  const gapless = every15s(19, [], 0);
  t.same(pairs(dedupReplicas([a, b], 'chain')), pairs(gapless));
});

t.test('chain: three replicas, one of them empty', async (t) => {
  const r0 = samples([
    [0, 1],
    [30, 4],
  ]);
  const r2 = samples([
    [10, 2],
    [20, 3],
    [30, 99],
  ]);
  t.same(pairs(chainMerge([r0, samples([]), r2])), [
    [0, 1],
    [10, 2],
    [20, 3],
    [30, 4],
  ]);
  t.same(pairs(chainMerge([])), []);
  t.equal(chainMerge([r0]), r0, 'one replica passes through');
});
