/**
 * Generated, realistic data for `npm start`: what two HA Prometheus replicas (external labels
 * {cluster="demo", replica="A"|"B"}) would have scraped from the same eight targets over the last 6 hours,
 * written straight into two MemoryStorage instances. Deterministic for a given `seed` and `now`.
 *
 * Every metric is a closed-form function of wall-clock time (the "truth" of the target), sampled by each
 * replica at its own scrape times: a per-target phase in [0, 15 s) per replica (Prometheus spreads targets
 * over the interval, and two replicas hash differently) plus ±DEMO.maxJitterMs per scrape. So the replicas
 * agree up to where they sampled, and merging both replicas of a counter in time order is still monotonic.
 *
 * What is in it (see DEMO for the parameters tests rely on):
 * - `up`, `process_start_time_seconds`, `process_resident_memory_bytes` (gauge: warm-up growth + GC sawtooth)
 *   for every target;
 * - `http_requests_total{handler,method,code}` for the api and web jobs: a daily cycle plus a ripple, split
 *   by fixed shares per method/code;
 * - `http_request_duration_seconds_{bucket,sum,count}` classic histograms: a mixture of a fast and a slow
 *   log-normal latency mode whose traffic varies with different periods, so quantiles move over time;
 * - `node_cpu_seconds_total{cpu,mode}` for three node-exporter targets, 4 CPUs x 8 modes, in 1/100 s ticks.
 *
 * Replica gaps: each replica misses every scrape inside its own gap (that Prometheus was down), A 10 min
 * starting 2 h ago, B 15 min starting 4 h ago, so the deduplicated answer has no gap where each replica has one.
 * Target restart: DEMO.restart's instance is down for 30 s 3 h ago, seen by both replicas: `up` is 0 for the
 * failed scrapes, the first failed scrape writes staleness markers for the target's other series (as
 * Prometheus does), and its counters start again from 0 with a new process_start_time_seconds.
 */
import { Labels, STALE_NAN } from '../model/index.js';
import { MemoryStorage } from '../storage/index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY_S = 86_400;

export const DEMO = {
  cluster: 'demo',
  replicaLabel: 'replica',
  scrapeIntervalMs: 15_000,
  durationMs: 6 * HOUR,
  /** Each scrape lands within ± this of its replica's schedule (Prometheus scrapes are not exactly periodic). */
  maxJitterMs: 25,
  /** Replica gap: [now - agoMs, now - agoMs + durationMs). */
  replicas: [
    { name: 'A', gap: { agoMs: 2 * HOUR, durationMs: 10 * MIN } },
    { name: 'B', gap: { agoMs: 4 * HOUR, durationMs: 15 * MIN } },
  ],
  /** The one target that restarts: down during [now - agoMs, now - agoMs + downMs). */
  restart: { job: 'api', instance: '10.0.1.11:8080', agoMs: 3 * HOUR, downMs: 30_000 },
  histogramBuckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Infinity],
  cpusPerNode: 4,
  cpuModes: ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'],
} as const;

export interface DemoReplica {
  name: string;
  /** {cluster="demo", replica=name}: what the replica's store serves as external labels. */
  externalLabels: Labels;
  db: MemoryStorage;
  /** Where this replica has no samples at all: [startMs, endMs). */
  gap: { startMs: number; endMs: number };
  samples: number;
}

export interface DemoData {
  replicas: DemoReplica[];
  /** Series per replica (both replicas have the same series). */
  series: number;
  /** [startMs, nowMs]: the span every replica covers, gaps aside. */
  startMs: number;
  nowMs: number;
  /** When DEMO.restart's target was down: [startMs, endMs). */
  restartDown: { startMs: number; endMs: number };
}

/**
 * One scrape target: its series and a function filling all their values at time t (ms) for the process
 * started at `start` (ms), so values computed once per scrape (the request counts behind 14 histogram
 * series) are shared instead of recomputed per series.
 */
class Target {
  readonly labels: Labels[] = [];
  readonly #fills: ((t: number, start: number, out: Float64Array) => void)[] = [];
  constructor(
    readonly job: string,
    readonly instance: string,
  ) {}

  /** Adds series; `fill` writes their values at out[first], out[first + 1], … in the order given. */
  add(labels: Labels[], fill: (t: number, start: number, out: Float64Array, first: number) => void): void {
    const first = this.labels.length;
    this.labels.push(...labels);
    this.#fills.push((t, start, out) => fill(t, start, out, first));
  }

  values(t: number, start: number, out: Float64Array): void {
    for (const f of this.#fills) f(t, start, out);
  }
}

interface Handler {
  path: string;
  /** Requests per second per instance, before the daily cycle. */
  rps: number;
  splits: [method: string, code: string, share: number][];
  /** Median latency of the fast and slow modes (s) and the slow mode's share of traffic. */
  fast: number;
  slow: number;
  slowShare: number;
}

const API_HANDLERS: Handler[] = [
  { path: '/api/v1/users', rps: 12, fast: 0.03, slow: 0.6, slowShare: 0.08, splits: [['GET', '200', 0.8], ['GET', '404', 0.05], ['POST', '201', 0.12], ['POST', '500', 0.03]] },
  { path: '/api/v1/orders', rps: 5, fast: 0.08, slow: 1.5, slowShare: 0.1, splits: [['GET', '200', 0.7], ['POST', '201', 0.25], ['POST', '500', 0.05]] },
  { path: '/healthz', rps: 0.2, fast: 0.002, slow: 0.01, slowShare: 0.01, splits: [['GET', '200', 1]] },
];
const WEB_HANDLERS: Handler[] = [
  { path: '/', rps: 20, fast: 0.05, slow: 0.8, slowShare: 0.05, splits: [['GET', '200', 0.95], ['GET', '500', 0.05]] },
  { path: '/static', rps: 40, fast: 0.004, slow: 0.05, slowShare: 0.02, splits: [['GET', '200', 0.9], ['GET', '304', 0.1]] },
  { path: '/login', rps: 1.5, fast: 0.15, slow: 1.2, slowShare: 0.2, splits: [['POST', '200', 0.7], ['POST', '401', 0.3]] },
];
const CPU_MODE_SHARE: Record<string, number> = { user: 0.62, system: 0.22, iowait: 0.06, irq: 0.01, softirq: 0.04, steal: 0.02, nice: 0.03 };
const LOGNORMAL_SIGMA = 0.6;

/** Generates both replicas; about 370 series and 0.5 million samples per replica. */
export function generateDemoData(opts: { now: number; seed?: number }): DemoData {
  const now = Math.floor(opts.now);
  const seed = (opts.seed ?? 1) >>> 0;
  const startMs = now - DEMO.durationMs;
  const rand = (...keys: (number | string)[]): number => hashUnit(seed, keys);
  const restartDown = { startMs: now - DEMO.restart.agoMs, endMs: now - DEMO.restart.agoMs + DEMO.restart.downMs };

  const targets: Target[] = [
    ...['10.0.1.10:8080', '10.0.1.11:8080', '10.0.1.12:8080'].map((i) => appTarget('api', i, API_HANDLERS, rand)),
    ...['10.0.2.10:8080', '10.0.2.11:8080'].map((i) => appTarget('web', i, WEB_HANDLERS, rand)),
    ...['10.0.0.1:9100', '10.0.0.2:9100', '10.0.0.3:9100'].map((i) => nodeTarget(i, rand)),
  ];

  const replicas = DEMO.replicas.map((r): DemoReplica => {
    const db = new MemoryStorage();
    const gap = { startMs: now - r.gap.agoMs, endMs: now - r.gap.agoMs + r.gap.durationMs };
    let samples = 0;
    for (const target of targets) {
      const restarts = target.job === DEMO.restart.job && target.instance === DEMO.restart.instance;
      // Targets start days before the window; the restarted one starts again when it comes back up.
      const firstStart = startMs - Math.floor((2 + rand('uptime', target.instance) * 70) * HOUR);
      const ts = scrapeTimes(startMs, now, rand('phase', r.name, target.instance), (k) => rand('jitter', r.name, target.instance, k), gap);
      const up = Labels.from({ __name__: 'up', job: target.job, instance: target.instance });
      const n = target.labels.length;
      const vals = new Float64Array(n);
      let staled = false;
      for (let i = 0; i < ts.length; i++) {
        const t = ts[i];
        const down = restarts && t >= restartDown.startMs && t < restartDown.endMs;
        db.append(up, t, down ? 0 : 1);
        samples++;
        if (down) {
          // The first failed scrape marks every series of the target stale, as Prometheus does.
          if (!staled) for (let j = 0; j < n; j++) db.append(target.labels[j], t, STALE_NAN);
          samples += staled ? 0 : n;
          staled = true;
          continue;
        }
        target.values(t, restarts && t >= restartDown.endMs ? restartDown.endMs : firstStart, vals);
        for (let j = 0; j < n; j++) db.append(target.labels[j], t, vals[j]);
        samples += n;
      }
    }
    return { name: r.name, externalLabels: Labels.from({ cluster: DEMO.cluster, [DEMO.replicaLabel]: r.name }), db, gap, samples };
  });
  return { replicas, series: replicas[0].db.seriesCount, startMs, nowMs: now, restartDown };
}

/** One replica's scrape times of one target in [startMs, now], minus the replica's gap, integer ms. */
function scrapeTimes(startMs: number, now: number, phaseUnit: number, jitterUnit: (k: number) => number, gap: { startMs: number; endMs: number }): Float64Array {
  const iv = DEMO.scrapeIntervalMs;
  const base = Math.floor(startMs / iv) * iv + Math.floor(phaseUnit * iv);
  const out = new Float64Array(Math.ceil(DEMO.durationMs / iv) + 2);
  let n = 0;
  for (let k = 0; ; k++) {
    const t = base + k * iv + Math.round((jitterUnit(k) * 2 - 1) * DEMO.maxJitterMs);
    if (t > now) break;
    if (t < startMs || (t >= gap.startMs && t < gap.endMs)) continue;
    out[n++] = t;
  }
  return out.subarray(0, n);
}

/** Process gauges common to every target. */
function addProcessSeries(target: Target, rand: (...k: (number | string)[]) => number, baseBytes: number): void {
  const { job, instance } = target;
  const gcPeriodS = 60 + rand('gc', instance) * 120;
  const labels = [
    Labels.from({ __name__: 'process_start_time_seconds', job, instance }),
    Labels.from({ __name__: 'process_resident_memory_bytes', job, instance }),
  ];
  target.add(labels, (t, start, out, i) => {
    const ageS = (t - start) / 1000;
    const warm = 1 - Math.exp(-ageS / 7200);
    const saw = (ageS / gcPeriodS) % 1;
    out[i] = start / 1000;
    out[i + 1] = Math.round((baseBytes * (1 + 0.25 * warm + 0.12 * saw)) / 4096) * 4096;
  });
}

function appTarget(job: string, instance: string, handlers: Handler[], rand: (...k: (number | string)[]) => number): Target {
  const target = new Target(job, instance);
  addProcessSeries(target, rand, 160e6 + rand('rss', instance) * 60e6);
  const weight = 0.8 + rand('weight', instance) * 0.4; // load balancing is never perfectly even
  const mean = (median: number): number => median * Math.exp((LOGNORMAL_SIGMA * LOGNORMAL_SIGMA) / 2);
  for (const h of handlers) {
    const key = `${instance}${h.path}`;
    // Total traffic: daily cycle (peak in the afternoon UTC) plus a ripple with a per-series period of ~20-30 min.
    const total = sineRate(h.rps * weight, [
      [0.35, DAY_S, -Math.PI / 2 - 0.5],
      [0.1, 1200 + rand('ripple', key) * 600, rand('ripplePhase', key) * 2 * Math.PI],
    ]);
    // The slow mode has its own 90-minute wave, so latency quantiles move independently of traffic.
    const slow = sineRate(h.rps * weight * h.slowShare, [[0.9, 5400, rand('slowPhase', key) * 2 * Math.PI]]);
    const hl = { job, instance, handler: h.path };
    const labels = [
      ...h.splits.map(([method, code]) => Labels.from({ __name__: 'http_requests_total', ...hl, method, code })),
      ...DEMO.histogramBuckets.map((le) => Labels.from({ __name__: 'http_request_duration_seconds_bucket', ...hl, le: formatLe(le) })),
      Labels.from({ __name__: 'http_request_duration_seconds_count', ...hl }),
      Labels.from({ __name__: 'http_request_duration_seconds_sum', ...hl }),
    ];
    const shares = h.splits.map((s) => s[2]);
    const fastBelow = DEMO.histogramBuckets.map((le) => logNormalCdf(le, h.fast));
    const slowBelow = DEMO.histogramBuckets.map((le) => logNormalCdf(le, h.slow));
    const [fastMean, slowMean] = [mean(h.fast), mean(h.slow)];
    target.add(labels, (t, start, out, i) => {
      const c = total(t) - total(start);
      const s = slow(t) - slow(start);
      for (const share of shares) out[i++] = Math.floor(share * c);
      for (let b = 0; b < fastBelow.length; b++) out[i++] = Math.floor(fastBelow[b] * (c - s) + slowBelow[b] * s);
      out[i++] = Math.floor(c);
      out[i] = fastMean * (c - s) + slowMean * s;
    });
  }
  return target;
}

function nodeTarget(instance: string, rand: (...k: (number | string)[]) => number): Target {
  const target = new Target('node', instance);
  addProcessSeries(target, rand, 18e6 + rand('rss', instance) * 8e6);
  for (let cpu = 0; cpu < DEMO.cpusPerNode; cpu++) {
    const key = `${instance}/${cpu}`;
    // Busy fraction of this CPU: 15-35 % on average, with the daily cycle and a ~10-minute batch-job wave.
    const busy = sineRate(0.15 + rand('busy', key) * 0.2, [
      [0.4, DAY_S, -Math.PI / 2 - 0.5],
      [0.3, 500 + rand('wave', key) * 300, rand('wavePhase', key) * 2 * Math.PI],
    ]);
    const labels = DEMO.cpuModes.map((mode) => Labels.from({ __name__: 'node_cpu_seconds_total', job: 'node', instance, cpu: String(cpu), mode }));
    const shares = DEMO.cpuModes.map((mode) => (mode === 'idle' ? -1 : CPU_MODE_SHARE[mode]));
    // node_exporter reports USER_HZ ticks: seconds with two decimals, never decreasing.
    target.add(labels, (t, start, out, i) => {
      const b = busy(t) - busy(start);
      for (const share of shares) out[i++] = Math.floor((share < 0 ? (t - start) / 1000 - b : share * b) * 100) / 100;
    });
  }
  return target;
}

/**
 * The antiderivative (in units·s, t in ms) of base·(1 + Σ amp·sin(2π·t_s/period + phase)): a counter's
 * value is A(t) − A(processStart). Requires Σ amp < 1 so the rate stays positive and counters never drop.
 */
function sineRate(base: number, waves: [amp: number, periodS: number, phase: number][]): (tMs: number) => number {
  // Callers alternate A(t) and A(processStart) with the same start each time: keep the last two answers.
  const memoT = [NaN, NaN];
  const memoV = [NaN, NaN];
  let older = 0;
  return (tMs) => {
    if (tMs === memoT[0]) return memoV[0];
    if (tMs === memoT[1]) return memoV[1];
    const t = tMs / 1000;
    let v = t;
    for (const [amp, period, phase] of waves) v -= ((amp * period) / (2 * Math.PI)) * Math.cos((2 * Math.PI * t) / period + phase);
    memoT[older] = tMs;
    memoV[older] = base * v;
    older ^= 1;
    return base * v;
  };
}

/** P(latency ≤ le) for a log-normal latency with this median. */
function logNormalCdf(le: number, median: number): number {
  if (le === Infinity) return 1;
  return 0.5 * (1 + erf(Math.log(le / median) / (LOGNORMAL_SIGMA * Math.SQRT2)));
}

/** Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): plenty for bucket shares. */
function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const k = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * k - 1.453152027) * k + 1.421413741) * k - 0.284496736) * k + 0.254829592) * k * Math.exp(-a * a);
  return s * y;
}

/** `le` as Prometheus client libraries print it: shortest float, `+Inf`. */
function formatLe(le: number): string {
  return le === Infinity ? '+Inf' : String(le);
}

/** A deterministic number in [0, 1) from the seed and keys (FNV-1a over the keys, then a murmur3 finaliser). */
function hashUnit(seed: number, keys: (number | string)[]): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (const k of keys) {
    const s = typeof k === 'number' ? String(k) : k;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0xff, 0x01000193); // separator, so ('ab','c') ≠ ('a','bc')
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}
