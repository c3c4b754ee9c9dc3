// Series for the writer's real-tool tests, and the text promtool prints for them.
//
// Two 2 h blocks' worth of data starting 2024-01-01T00:00:00Z: counters, gauges with NaN, ±Inf, −0 and
// extremes, staleness markers, UTF-8 values (including code points above U+FFFF, which sort differently as
// UTF-16 than as UTF-8), quotes and backslashes, 300 values of one label, series with a single sample.
import { Labels, STALE_NAN } from '../../../src/model/index.js';
import type { BlockSeries } from '../../../src/tsdb/writer/index.js';
import { mulberry32 } from '../../chunkenc/fixtures/prng.js';

export const T0 = 1_704_067_200_000; // 2024-01-01T00:00:00Z, a 2 h boundary
export const BLOCK = 7_200_000;
export const STEP = 15_000;
/** Sample indices of temperature{room="stale"} holding the staleness marker: one in each 2 h block. */
export const STALE_AT = [100, 700] as const;

/** Go strconv.ParseFloat("NaN") bits, what arithmetic NaN looks like in Prometheus. */
export const GO_NAN = new Float64Array(new Uint32Array([1, 0x7ff80000]).buffer)[0]!;

function steps(from: number, to: number, step: number, rnd?: () => number): number[] {
  const out: number[] = [];
  for (let t = from; t < to; t += step) out.push(rnd ? t + Math.floor(rnd() * 2000) : t);
  return out;
}

/**
 * Samples of the window [from, to) of 4 h of generated data. Values are produced one at a time straight into
 * Float64Arrays: a plain JS array would canonicalise the staleness marker into an ordinary NaN.
 */
export function generateSeries(seed: number, from = T0, to = T0 + 2 * BLOCK): BlockSeries[] {
  const rnd = mulberry32(seed);
  const out: BlockSeries[] = [];
  const all = steps(T0, T0 + 2 * BLOCK, STEP, rnd);
  const add = (labels: Record<string, string>, ts: number[], value: (i: number) => number) => {
    const values = new Float64Array(ts.length);
    for (let i = 0; i < ts.length; i++) values[i] = value(i); // every value drawn, so rnd does not depend on the window
    let a = 0;
    while (a < ts.length && ts[a]! < from) a++;
    let b = a;
    while (b < ts.length && ts[b]! < to) b++;
    if (a < b) out.push({ labels: Labels.from(labels), timestamps: Float64Array.from(ts.slice(a, b)), values: values.slice(a, b) });
  };

  // Counters with resets, one per code and instance.
  for (const code of ['200', '404', '500']) {
    for (const instance of ['a:9090', 'b:9090']) {
      let v = 0;
      add({ __name__: 'http_requests_total', code, instance }, all, () => (rnd() < 0.01 ? (v = 0) : (v += Math.floor(rnd() * 50))));
    }
  }
  // A gauge full of special values, and one that goes stale twice (then comes back).
  const specials = Float64Array.of(GO_NAN, Infinity, -Infinity, -0, 0, 5e-324, 1.7976931348623157e308, -2.5e-300, 1e21, 123456789.125);
  add({ __name__: 'temperature', room: 'lab' }, all, (i) => (i % 13 === 0 ? specials[(i / 13) % specials.length]! : 20 + rnd()));
  add({ __name__: 'temperature', room: 'stale' }, all, (i) => (i === STALE_AT[0] || i === STALE_AT[1] ? STALE_NAN : i % 5));
  // UTF-8: accents, CJK, an emoji (above U+FFFF), U+FFFD (below the emoji in UTF-8, above it in UTF-16).
  for (const city of ['Zürich', 'São Paulo', '東京', '😀 smile', '\uFFFD replacement', 'ascii']) {
    add({ __name__: 'city_info', city }, all, () => Math.round(rnd() * 1000) / 8);
  }
  // Text promtool has to quote.
  add({ __name__: 'quoted', path: 'C:\\dir\\"x"', line: 'a\nb\tc' }, all, (i) => i);
  // Many values of one label: 300 pods, sparse samples (one every 20 min, staggered).
  for (let p = 0; p < 300; p++) {
    const ts = steps(T0 + (p % 80) * 15_000, T0 + 2 * BLOCK, 1_200_000);
    add({ __name__: 'kube_pod_info', namespace: p % 3 === 0 ? 'prod' : 'dev', pod: `pod-${String(p).padStart(3, '0')}` }, ts, () => 1);
  }
  // Single-sample series, one per block.
  add({ __name__: 'deploy_marker', version: 'v1' }, [T0 + 1_000_000], () => 1);
  add({ __name__: 'deploy_marker', version: 'v2' }, [T0 + BLOCK + 3_333_000], () => 2);
  // Long-interval series whose deltas need the 20- and 64-bit timestamp encodings.
  add({ __name__: 'sparse' }, [T0 + 1, T0 + 2, T0 + 600_000, T0 + 601_000, T0 + 7_000_000, T0 + 7_199_999, T0 + 7_200_000, T0 + 14_000_000], (i) => i + 1);
  return out;
}

/** Go's strconv.Quote for the text our fixtures contain (printable, plus \n and \t): JSON agrees there. */
export function goQuote(s: string): string {
  if (/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/.test(s)) throw new Error(`goQuote: ${JSON.stringify(s)} needs Go-specific escapes`);
  return JSON.stringify(s);
}

/** Prometheus labels.String(): `{a="x", b="y"}`. */
export function labelsText(ls: Labels): string {
  const parts: string[] = [];
  ls.forEach((n, v) => parts.push(`${n}=${goQuote(v)}`));
  return `{${parts.join(', ')}}`;
}

/** Reads a value as Go's %g printed it: NaN, +Inf, -Inf or shortest round-trip decimal. */
export function parseGoFloat(s: string): number {
  if (s === 'NaN') return NaN;
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (!/^-?\d+(\.\d+)?(e[+-]\d{2,3})?$/.test(s)) throw new Error(`not a Go %g float: ${s}`);
  return Number(s);
}

/** The same bits, or both NaN (text cannot carry NaN payloads). */
export function sameFloat(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Object.is(a, b);
}
