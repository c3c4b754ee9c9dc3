// Differential check against a real Prometheus: the Debian 2.42 evaluates every function over the same
// series (through `promtool test rules`, which prints what it got), and our tables must agree to 1e-6
// relative. Evaluation times fall between samples (never on a window edge) because 2.42's windows are
// closed [t−r, t] and Prometheus 3's are left-open; elsewhere 2.42 and 3 agree, except the counter
// zero-point cap order (see rate.test.ts), whose few diverging windows are detected and skipped.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needBinary } from '../../helpers/peers.js';
import { VALUE_FUNCTIONS, WINDOW_FUNCTIONS, bucketQuantile, type Window } from '../../../src/promql/functions/index.js';

const STEP_S = 15;
const POINTS = 72;

// Deterministic pseudo-random numbers (an LCG) so a failure reproduces.
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

type Series = { name: string; values: (number | null)[] };
function makeSeries(): Series[] {
  const out: Series[] = [];
  const counter = (name: string, start: number, resetAt: number[], gaps: number[][]) => {
    let v = start;
    const values: (number | null)[] = [];
    for (let i = 0; i < POINTS; i++) {
      v = resetAt.includes(i) ? 400 + Math.floor(rnd() * 100) : v + Math.floor(rnd() * 50);
      values.push(gaps.some(([a, b]) => i >= a! && i < b!) ? null : v);
    }
    out.push({ name, values });
  };
  counter('c_steady', 1000, [], []);
  counter('c_reset', 500, [20, 41, 42], []);
  counter('c_gappy', 800, [50], [[10, 17], [30, 31], [55, 70]]);
  const gauge = (name: string, f: (i: number) => number | null) => out.push({ name, values: Array.from({ length: POINTS }, (_, i) => f(i)) });
  gauge('g_wave', () => Math.round((rnd() * 100 - 50) * 1000) / 1000);
  gauge('g_steps', (i) => Math.floor(i / 7) % 3);
  gauge('g_nan', (i) => (i % 5 === 2 ? NaN : i % 9 === 4 ? null : Math.round(rnd() * 1000) / 10));
  gauge('g_inf', (i) => (i % 11 === 6 ? Infinity : i % 13 === 3 ? -Infinity : i));
  gauge('d_unix', () => Math.floor(rnd() * 4e9) - 1e9);
  return out;
}

// Classic histogram buckets: cumulative counters per le.
const LES = ['0.1', '0.5', '1', '5', '+Inf'];
function makeBuckets(): Series[] {
  const cum = new Array<number>(LES.length).fill(0);
  const values: (number | null)[][] = LES.map(() => []);
  for (let i = 0; i < POINTS; i++) {
    let acc = 0;
    for (let b = 0; b < LES.length; b++) {
      acc += Math.floor(rnd() * 10);
      cum[b] = cum[b]! + acc;
      values[b]!.push(cum[b]!);
    }
  }
  return LES.map((le, b) => ({ name: `h_bucket{le="${le}"}`, values: values[b]! }));
}

function fmt(v: number | null): string {
  if (v === null) return '_';
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function windowOf(s: Series, endS: number, rangeS: number): Window {
  const ts: number[] = [];
  const vs: number[] = [];
  s.values.forEach((v, i) => {
    const tS = i * STEP_S;
    if (v !== null && tS > endS - rangeS && tS <= endS) {
      ts.push(tS * 1000);
      vs.push(v);
    }
  });
  return { timestamps: Float64Array.from(ts), values: Float64Array.from(vs), start: 0, end: vs.length, rangeStartMs: (endS - rangeS) * 1000, rangeEndMs: endS * 1000 };
}

function instantOf(s: Series, tS: number): number | undefined {
  for (let i = Math.floor(tS / STEP_S); i >= 0; i--) {
    if (i * STEP_S <= tS - 300) return undefined; // lookback 5m
    const v = s.values[i];
    if (v !== null && v !== undefined) return v;
  }
  return undefined;
}

/** True when 2.42's zero-point cap (before the threshold) and 3's (after it) pick different start gaps. */
function zeroCapDiffers(w: Window): boolean {
  const n = w.end - w.start;
  if (n < 2) return false;
  const first = w.values[0]!;
  let result = w.values[n - 1]! - first;
  for (let i = 1; i < n; i++) if (w.values[i]! < w.values[i - 1]!) result += w.values[i - 1]!;
  const sampled = (w.timestamps[n - 1]! - w.timestamps[0]!) / 1000;
  const avg = sampled / (n - 1);
  const dts = (w.timestamps[0]! - w.rangeStartMs) / 1000;
  const dtz = result > 0 && first >= 0 ? sampled * (first / result) : dts;
  const v3 = Math.min(dts >= avg * 1.1 ? avg / 2 : dts, dtz);
  const d2 = Math.min(dts, dtz);
  return v3 !== (d2 < avg * 1.1 ? d2 : avg / 2);
}

interface Case { expr: string; timeS: number; want: Map<string, number> }

function parseGot(line: string): Map<string, number> {
  const out = new Map<string, number>();
  // 2.42 keeps __name__ on last_over_time; Prometheus 3 drops it. Only the values are compared here.
  for (const m of line.matchAll(/(\{[^}]*\}) (\S+?)(?:,|$)/g)) out.set(m[1]!.replace(/__name__="[^"]*",?/, ''), Number(m[2]!.replace(/^\+?Inf$/, 'Infinity').replace('-Inf', '-Infinity')));
  return out;
}

function close(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b));
}

t.test('functions agree with the Debian Prometheus 2.42 between samples', async (t) => {
  // tap's skip() is overloaded; the helper only calls skip(message).
  const promtool = needBinary(t as unknown as Parameters<typeof needBinary>[0], 'promtool');
  if (!promtool) return;
  const series = makeSeries();
  const buckets = makeBuckets();
  const times = [187, 352, 571, 884, 1033];
  const ranges: [string, number][] = [['1m', 60], ['2m30s', 150], ['5m', 300]];
  const windowFns: [string, string, number[]][] = [
    // [name in 2.42, name in our table, params]
    ...['rate', 'increase', 'delta', 'irate', 'idelta', 'deriv', 'changes', 'resets', 'avg_over_time', 'min_over_time',
      'max_over_time', 'sum_over_time', 'count_over_time', 'last_over_time', 'stddev_over_time', 'stdvar_over_time',
      'present_over_time'].map((n): [string, string, number[]] => [n, n, []]),
  ];
  const cases: Case[] = [];
  let skipped = 0;
  for (const s of series) {
    for (const [rs, r] of ranges) {
      for (const tS of times) {
        const add = (expr: string, v: number | undefined) => cases.push({ expr, timeS: tS, want: new Map(v === undefined ? [] : [['{}', v]]) });
        const w = windowOf(s, tS, r);
        for (const [promName, ours, params] of windowFns) {
          if ((ours === 'rate' || ours === 'increase') && zeroCapDiffers(w)) {
            skipped++;
            continue;
          }
          const sel = `${s.name}[${rs}]`;
          add(`${promName}(${sel})`, WINDOW_FUNCTIONS[ours]!(w, params));
        }
        for (const q of [0, 0.3, 0.9, 1]) add(`quantile_over_time(${q}, ${s.name}[${rs}])`, WINDOW_FUNCTIONS.quantile_over_time!(w, [q]));
        add(`predict_linear(${s.name}[${rs}], 120)`, WINDOW_FUNCTIONS.predict_linear!(w, [120, tS * 1000]));
        add(`holt_winters(${s.name}[${rs}], 0.3, 0.6)`, WINDOW_FUNCTIONS.double_exponential_smoothing!(w, [0.3, 0.6]));
      }
    }
    for (const tS of times) {
      const v = instantOf(s, tS);
      for (const [name, params, args] of [
        ['abs', [], ''], ['ceil', [], ''], ['floor', [], ''], ['sqrt', [], ''], ['ln', [], ''], ['log2', [], ''], ['log10', [], ''],
        ['exp', [], ''], ['sgn', [], ''], ['sin', [], ''], ['cos', [], ''], ['atan', [], ''], ['tanh', [], ''], ['deg', [], ''], ['rad', [], ''],
        ['round', [], ''], ['round', [0.3], ', 0.3'], ['clamp', [-10, 10], ', -10, 10'], ['clamp_min', [3], ', 3'], ['clamp_max', [3], ', 3'],
        ['year', [], ''], ['month', [], ''], ['day_of_month', [], ''], ['day_of_week', [], ''], ['day_of_year', [], ''],
        ['days_in_month', [], ''], ['hour', [], ''], ['minute', [], ''],
      ] as [string, number[], string][]) {
        cases.push({ expr: `${name}(${s.name}${args})`, timeS: tS, want: new Map(v === undefined ? [] : [['{}', VALUE_FUNCTIONS[name]!(v, params)]]) });
      }
    }
  }
  // histogram_quantile over raw cumulative buckets and over their rates.
  for (const tS of times) {
    for (const q of [0.05, 0.5, 0.9, 0.99]) {
      const ub = Float64Array.from(LES, (le) => (le === '+Inf' ? Infinity : Number(le)));
      const raw = Float64Array.from(buckets, (b) => instantOf(b, tS)!);
      cases.push({ expr: `histogram_quantile(${q}, h_bucket)`, timeS: tS, want: new Map([['{}', bucketQuantile(q, ub.slice(), raw, ub.length).value]]) });
      if (buckets.some((b) => zeroCapDiffers(windowOf(b, tS, 300)))) {
        skipped++;
        continue;
      }
      const rates = Float64Array.from(buckets, (b) => WINDOW_FUNCTIONS.rate!(windowOf(b, tS, 300), [])!);
      cases.push({ expr: `histogram_quantile(${q}, rate(h_bucket[5m]))`, timeS: tS, want: new Map([['{}', bucketQuantile(q, ub.slice(), rates, ub.length).value]]) });
    }
  }

  const dir = mkdtempSync(join(tmpdir(), 'promfed-fn-diff-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const inputs = [...series, ...buckets].map((s) => `      - series: '${s.name}'\n        values: '${s.values.map(fmt).join(' ')}'`);
  const tests = cases.map((c) => `      - expr: '${c.expr}'\n        eval_time: ${c.timeS}s\n        exp_samples: []`);
  const file = join(dir, 'diff.yml');
  writeFileSync(file, `rule_files: []\nevaluation_interval: 1m\ntests:\n  - interval: ${STEP_S}s\n    input_series:\n${inputs.join('\n')}\n    promql_expr_test:\n${tests.join('\n')}\n`);
  // Every case "fails" (we expect nothing), so promtool prints what it got; failures go to stderr.
  const run = spawnSync(promtool, ['test', 'rules', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const output = `${run.stdout}\n${run.stderr}`;
  // Failed blocks read: expr: "<expr>", time: <dur>,\n exp: nil\n got: {..} v, {..} v
  const got = new Map<string, Map<string, number>>();
  const re = /expr: "((?:[^"\\]|\\.)*)", time: (\S+),\n\s+exp: .*\n\s+got: (.*)/g;
  for (const m of output.matchAll(re)) got.set(`${JSON.parse(`"${m[1]}"`)}@${m[2]}`, parseGot(m[3]!));
  t.ok(got.size > 0, 'promtool printed results');

  let compared = 0;
  let mismatches = 0;
  for (const c of cases) {
    const key = `${c.expr}@${durationString(c.timeS)}`;
    const theirs = got.get(key) ?? new Map<string, number>(); // absent block: promtool matched [] = no sample
    const ours = c.want;
    const ok = theirs.size === ours.size && [...ours].every(([k, v]) => theirs.has(k) && close(v, theirs.get(k)!));
    compared++;
    if (!ok && mismatches++ < 20) t.fail(`${key}: ours ${JSON.stringify([...ours])}, Prometheus ${JSON.stringify([...theirs])}`);
  }
  t.equal(mismatches, 0, `${compared} expressions compared`);
  t.ok(skipped < compared / 50, `only ${skipped} rate/increase windows skipped for the 2.x zero-point order`);
  t.comment(`compared ${compared} expressions, skipped ${skipped}`);
});

/** Go's time.Duration.String for whole seconds, as promtool prints eval times. */
function durationString(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${m}m${sec}s`;
  if (m > 0) return `${m}m${sec}s`;
  return `${sec}s`;
}
