/**
 * The optimised penalty fold against a naive transcription of Thanos's iterators (reference-penalty.ts)
 * on random replicas: jittered phases or all on one beat (ties), gaps, counters that lag between replicas, 2–5 replicas, with and
 * without the counter adjustment. The hand-traced cases (penalty.test.ts, counter.test.ts) pin the
 * algorithm; this pins the optimisation to it where traces would be too long to do by hand.
 */
import t from 'tap';
import { PenaltyDedupIterator, dedupReplicas } from '../../../src/query/dedup/index.js';
import { pairs, samples } from './helpers.js';
import { referencePenalty } from './reference-penalty.js';

let seed = 12345;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

/** `aligned`: every replica scrapes on the same beat with no jitter, so equal timestamps (ties) abound. */
function randomReplica(len: number, aligned: boolean): ReturnType<typeof samples> {
  const interval = aligned ? 15000 : [10000, 15000, 30000][Math.floor(rnd() * 3)];
  const phase = aligned ? 0 : Math.floor(rnd() * interval);
  const p: [number, number][] = [];
  let v = Math.floor(rnd() * 100);
  let gap = 0;
  for (let i = 0; i < len; i++) {
    v += Math.floor(rnd() * 10) - (rnd() < 0.05 ? 30 : 0); // mostly rising, sometimes lower: lag or reset
    if (gap > 0) {
      gap--;
      continue;
    }
    if (rnd() < 0.05) gap = Math.floor(rnd() * 8);
    p.push([i * interval + phase + (aligned ? 0 : Math.floor(rnd() * 50)), v]);
  }
  return samples(p);
}

t.test('optimised fold equals the naive transcription on random replicas', async (t) => {
  let cases = 0;
  for (let round = 0; round < 400; round++) {
    const k = round < 200 ? 2 : 3 + Math.floor(rnd() * 3);
    const aligned = rnd() < 0.3;
    const replicas = Array.from({ length: k }, () => randomReplica(Math.floor(rnd() * 60), aligned));
    for (const counter of [false, true]) {
      const got = pairs(dedupReplicas(replicas, 'penalty', counter ? 'rate' : undefined));
      const want = referencePenalty(replicas, counter);
      // Also through the pull interface, which takes the general path even for two replicas (drain()
      // has a dedicated two-replica loop).
      const it = new PenaltyDedupIterator(replicas, counter);
      const pulled: [number, number][] = [];
      while (it.next()) pulled.push([it.atT(), it.at()]);
      if (JSON.stringify(got) !== JSON.stringify(want) || JSON.stringify(pulled) !== JSON.stringify(want)) {
        t.same(got, want, `drain: round ${round}, k=${k}, counter=${counter}`);
        t.same(pulled, want, `next: round ${round}, k=${k}, counter=${counter}`);
        return;
      }
      cases++;
    }
  }
  t.equal(cases, 800);
});
