/**
 * promql: PromQL engine throughput on in-memory data, the way a Grafana panel asks: a range query over one
 * hour at a 15 s step (241 points per line; Grafana's step for a 1 h panel is range / width, floored at the
 * scrape interval, i.e. 15 s).
 *
 * Data (MemoryStorage, built before anything is timed; every series scraped every 15 s, each with its own
 * phase as Prometheus spreads scrapes, for 2 h so the windows of the queried last hour are full):
 *  - `x`: 10 000 counters, 1 000 instances × 10 handlers, 10 jobs of 100 instances; series i rises by
 *    (i mod 10) + 1 per scrape, so rate(x[5m]) is ((i mod 10) + 1) / 15 wherever the window is full.
 *  - `x_bucket`: 1 000 classic-histogram bucket counters, 100 instances × 10 `le` bounds.
 *  - `x_info`: one info series (value 1, label `node`) per instance of `x`, for the group_left join.
 *
 * Figure: input samples per second of CPU time, median of RUNS queries after WARMUP ones. "Input samples"
 * are the samples the query's selectors read from storage (counted once, untimed, through a counting
 * Queryable): rate(x[5m]) over the last hour reads 1 h 5 m of every series. CPU time (process.cpuUsage,
 * GC threads included), not wall time, as in measure.ts: on a shared 2-core machine wall time mostly
 * measures the other processes. Each answer is checked once before timing so an error path is never timed.
 */
import { Labels } from '../src/model/index.js';
import { createEngine, type Engine, type QueryResult } from '../src/promql/index.js';
import { MemoryStorage, type Queryable, type SeriesSet } from '../src/storage/index.js';
import type { BenchResult } from './measure.js';

export const name = 'promql';

const START = 1_704_067_200_000; // 2024-01-01T00:00:00Z
const SCRAPE = 15_000;
const DATA_END = START + 2 * 3_600_000;
const Q_START = DATA_END - 3_600_000;
const Q_STEP = 15_000;
const INSTANCES = 1000;
const HANDLERS = 10;
const JOBS = 10;
const BUCKET_INSTANCES = 100;
const LES = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];
const WARMUP = 2;
const RUNS = 7;

function instanceName(i: number): string {
  return `10.0.${i >> 8}.${i & 255}:9100`;
}

/** Appends a series scraped every 15 s from START (plus its phase) to DATA_END with value `f(scrape)`. */
function scrape(db: MemoryStorage, ls: Labels, phaseMs: number, f: (k: number) => number): void {
  for (let t = START + phaseMs, k = 0; t <= DATA_END; t += SCRAPE, k++) db.append(ls, t, f(k));
}

function buildData(): MemoryStorage {
  const db = new MemoryStorage();
  for (let inst = 0; inst < INSTANCES; inst++) {
    const instance = instanceName(inst);
    const job = `job-${inst % JOBS}`;
    const phase = (inst * 7919) % SCRAPE;
    for (let h = 0; h < HANDLERS; h++) {
      const ls = Labels.from({ __name__: 'x', job, instance, handler: `/api/v1/h${h}` });
      const inc = ((inst * HANDLERS + h) % 10) + 1;
      scrape(db, ls, phase, (k) => 1000 + k * inc);
    }
    scrape(db, Labels.from({ __name__: 'x_info', job, instance, node: `node-${inst >> 2}` }), phase, () => 1);
  }
  for (let inst = 0; inst < BUCKET_INSTANCES; inst++) {
    const phase = (inst * 7919) % SCRAPE;
    LES.forEach((le, b) => {
      const ls = Labels.from({ __name__: 'x_bucket', job: 'api', instance: instanceName(inst), le });
      // Cumulative: bucket b has seen (b + 1) of every 10 observations, 10 observations per scrape.
      scrape(db, ls, phase, (k) => k * (b + 1));
    });
  }
  return db;
}

/** Counts the samples a query's selectors read (the benchmark's unit of work). */
function countingQueryable(inner: Queryable): { q: Queryable; read: () => number } {
  let n = 0;
  const q: Queryable = {
    select(matchers, hints, signal): SeriesSet {
      const set = inner.select(matchers, hints, signal);
      return {
        async next() {
          const more = await set.next();
          if (more) n += set.at().timestamps.length;
          return more;
        },
        at: () => set.at(),
        warnings: () => set.warnings(),
      };
    },
  };
  return { q, read: () => n };
}

interface Case {
  name: string;
  query: string;
  /** Throws when the answer is not what the data implies. */
  check(res: QueryResult): void;
}

function matrixOf(res: QueryResult, want: number): { labels: Labels; values: Float64Array }[] {
  if (res.value.resultType !== 'matrix') throw new Error(`got a ${res.value.resultType}`);
  const m = res.value.result;
  if (m.length !== want) throw new Error(`got ${m.length} series, want ${want}`);
  for (const s of m) if (s.values.length !== 241) throw new Error(`${s.labels.toString()}: ${s.values.length} points, want 241`);
  return m;
}

function near(got: number, want: number, what: string): void {
  if (!(Math.abs(got - want) <= 1e-9 * Math.abs(want))) throw new Error(`${what}: got ${got}, want ${want}`);
}

/** Sum over all x series of their rate: per instance, handlers give increments 1..10 → 55/15 per instance. */
const TOTAL_RATE = (INSTANCES * 55) / 15;

const CASES: Case[] = [
  {
    name: 'promql_rate',
    query: 'rate(x[5m])',
    check(res) {
      const m = matrixOf(res, INSTANCES * HANDLERS);
      let sum = 0;
      for (const s of m) sum += s.values[120]!;
      near(sum, TOTAL_RATE, 'sum of rates');
    },
  },
  {
    name: 'promql_sum_rate',
    query: 'sum by (job) (rate(x[5m]))',
    check(res) {
      for (const s of matrixOf(res, JOBS)) near(s.values[0]!, TOTAL_RATE / JOBS, s.labels.toString());
    },
  },
  {
    name: 'promql_histogram_quantile',
    query: 'histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))',
    // 9 of 10 observations are ≤ 1 (bucket le=1 holds 8, le=2.5 holds 9): rank 9 lands at the top of (1, 2.5].
    check(res) {
      for (const s of matrixOf(res, 1)) near(s.values[0]!, 2.5, 'p90');
    },
  },
  {
    name: 'promql_group_left',
    query: 'rate(x[5m]) * on (instance) group_left (node) x_info',
    check(res) {
      const m = matrixOf(res, INSTANCES * HANDLERS);
      if (m[0]!.labels.get('node') === '') throw new Error('no node label joined');
      let sum = 0;
      for (const s of m) sum += s.values[240]!;
      near(sum, TOTAL_RATE, 'sum of joined rates');
    },
  },
  {
    name: 'promql_subquery',
    query: 'max_over_time(rate(x[5m])[1h:1m])',
    check(res) {
      const m = matrixOf(res, INSTANCES * HANDLERS);
      let sum = 0;
      for (const s of m) sum += s.values[240]!;
      near(sum, TOTAL_RATE, 'sum of max rates');
    },
  },
];

function cpuSeconds(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
}

async function measure(engine: Engine, db: MemoryStorage, c: Case): Promise<number> {
  const run = () => engine.rangeQuery(db, c.query, Q_START, DATA_END, Q_STEP);
  const counting = countingQueryable(db);
  c.check(await engine.rangeQuery(counting.q, c.query, Q_START, DATA_END, Q_STEP));
  const samples = counting.read();
  for (let i = 0; i < WARMUP; i++) await run();
  const rates: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.cpuUsage();
    await run();
    rates.push(samples / cpuSeconds(t0));
  }
  rates.sort((a, b) => a - b);
  if (process.env.PROMQL_BENCH_VERBOSE) console.error(`${c.name}: ${samples} samples, rates ${rates.map((r) => (r / 1e6).toFixed(2)).join(' ')} M/s`);
  return rates[rates.length >> 1]!;
}

export async function run(): Promise<BenchResult[]> {
  const db = buildData();
  const engine = createEngine({ maxSamples: 50_000_000, timeoutMs: 600_000 });
  const only = process.env.PROMQL_BENCH_ONLY;
  const out: BenchResult[] = [];
  for (const c of CASES) {
    if (only !== undefined && !c.name.includes(only)) continue;
    out.push({ name: c.name, value: Math.round(await measure(engine, db, c)), unit: 'samples/s' });
  }
  return out;
}
