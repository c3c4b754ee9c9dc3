/**
 * The whole-series (sliding) forms of rate, increase, min_over_time and max_over_time that range queries use
 * must give bit-identical answers to the window-by-window forms, which the rest of the suite checks against
 * hand-worked values and Prometheus 2.42. Random series with NaN, ±Inf, ±0, counter resets and empty windows.
 */
import t from 'tap';
import { WINDOW_FUNCTIONS, type Window } from '../../../src/promql/functions/index.js';

let seed = 42;
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
function value(heavyNaN: boolean): number {
  const r = rnd();
  if (r < 0.05 || (heavyNaN && r < 0.5)) return NaN;
  if (r < 0.07) return Infinity;
  if (r < 0.09) return -Infinity;
  if (r < 0.12) return -0;
  if (r < 0.15) return 0;
  if (r < 0.3) return Math.floor(rnd() * 5);
  return rnd() * 1000 - 100;
}

for (const name of ['rate', 'increase', 'max_over_time', 'min_over_time']) {
  t.test(`${name}: sliding form equals the per-window form`, async (t) => {
    const fn = WINDOW_FUNCTIONS[name]!;
    t.ok(fn.overSeries, 'has a sliding form');
    let mismatches = 0;
    let checked = 0;
    for (let iter = 0; iter < 1500; iter++) {
      const n = Math.floor(rnd() * 60);
      const ts = new Float64Array(n);
      const vs = new Float64Array(n);
      let time = Math.floor(rnd() * 30000);
      let c = rnd() * 100;
      const counter = rnd() < 0.5;
      for (let i = 0; i < n; i++) {
        time += 1 + Math.floor(rnd() * 30000);
        ts[i] = time;
        if (counter) {
          c += rnd() < 0.1 ? -c * rnd() : rnd() * 10; // resets now and then
          vs[i] = rnd() < 0.05 ? NaN : c;
        } else vs[i] = value(iter % 2 === 1);
      }
      const steps = 1 + Math.floor(rnd() * 80);
      const step = 1 + Math.floor(rnd() * 40000);
      const rangeMs = 1 + Math.floor(rnd() * 200000);
      const start = Math.floor(rnd() * 60000);
      const rangeEnds = new Float64Array(steps);
      const starts = new Int32Array(steps);
      const ends = new Int32Array(steps);
      let lo = 0;
      let hi = 0;
      for (let i = 0; i < steps; i++) {
        const e = start + i * step;
        rangeEnds[i] = e;
        while (hi < n && ts[hi] <= e) hi++;
        while (lo < hi && ts[lo] <= e - rangeMs) lo++;
        starts[i] = lo;
        ends[i] = hi;
      }
      const out = new Float64Array(steps);
      const present = new Uint8Array(steps);
      const found = fn.overSeries!({ timestamps: ts, values: vs, count: steps, starts, ends, rangeEnds, rangeMs }, out, present);
      let expectedFound = 0;
      for (let i = 0; i < steps; i++) {
        const w: Window = { timestamps: ts, values: vs, start: starts[i], end: ends[i], rangeStartMs: rangeEnds[i] - rangeMs, rangeEndMs: rangeEnds[i] };
        const r = starts[i] === ends[i] ? undefined : fn(w, []);
        checked++;
        if (r !== undefined) expectedFound++;
        if ((r === undefined) !== (present[i] === 0) || (r !== undefined && !Object.is(r, out[i]))) {
          if (mismatches++ < 5) t.fail(`iteration ${iter} step ${i}: per-window ${r}, sliding ${present[i] ? out[i] : 'absent'}`);
        }
      }
      if (expectedFound !== found) t.fail(`iteration ${iter}: sliding reported ${found} points, per-window ${expectedFound}`);
    }
    t.equal(mismatches, 0, `${checked} windows compared`);
  });
}
