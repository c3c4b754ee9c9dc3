/** Small builders for dedup tests: samples from [t, v] pairs, and back for comparison. */
import type { ReplicaSamples } from '../../../src/query/dedup/index.js';

export function samples(pairs: readonly (readonly [number, number])[]): ReplicaSamples {
  const t = new Float64Array(pairs.length);
  const v = new Float64Array(pairs.length);
  pairs.forEach(([ts, val], i) => {
    t[i] = ts;
    v[i] = val;
  });
  return { t, v, n: pairs.length };
}

/** For comparisons only (plain arrays may canonicalise NaN: never use this to check staleness markers). */
export function pairs(s: ReplicaSamples): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < s.n; i++) out.push([s.t[i], s.v[i]]);
  return out;
}

/** Samples at t = 15000·k for k in 0..last except `missing`, value = base + k. */
export function every15s(last: number, missing: readonly number[], base: number): ReplicaSamples {
  const p: [number, number][] = [];
  for (let k = 0; k <= last; k++) if (!missing.includes(k)) p.push([15000 * k, base + k]);
  return samples(p);
}
