/**
 * query_range_e2e: one Grafana dashboard panel, end to end. A real querier (`startQuery`: HTTP API, engine,
 * fan-out, penalty dedup) over two HA replicas (in-process memory stores on loopback, replica label
 * `replica`), each holding 300 counter series (10 jobs × 30 instances) × 6 h at 15 s = 1441 samples per series,
 * replica B scraping 5 s after A and missing a 10-minute stretch on 1 series in 10. The panel asks
 * `sum by (job) (rate(http_requests_total[5m]))` over the 6 h at a 30 s step (721 points per line), as GET
 * /api/v1/query_range with dedup on.
 *
 * Figure: median wall-clock latency (ms) of 15 requests after 3 warm-up ones, one at a time, including JSON
 * rendering and parsing on the client side. Wall time: stores, querier and client share this process.
 */
import { QUERY_DEFAULTS, startQuery } from '../src/cli/query.js';
import { Labels } from '../src/model/index.js';
import { MemoryStorage } from '../src/storage/index.js';
import { memoryStoreApi, startGrpcServer } from '../src/storeapi/index.js';
import type { BenchResult } from './measure.js';

export const name = 'query_range';

const START = 1_704_067_200_000; // 2024-01-01T00:00:00Z
const HOURS = 6;
const END = START + HOURS * 3_600_000;
const JOBS = 10;
const INSTANCES = 30;
const WARMUP = 3;
const RUNS = 15;

/** Replica r: same counters (each instance i of job j rises (j+1)·(i+1)/15 per scrape), own phase and gaps. */
function replica(r: number): MemoryStorage {
  const db = new MemoryStorage();
  for (let j = 0; j < JOBS; j++) {
    for (let i = 0; i < INSTANCES; i++) {
      const ls = Labels.from({ __name__: 'http_requests_total', job: `job-${j}`, instance: `10.0.${j}.${i}:9090` });
      const gap = r === 1 && (j * INSTANCES + i) % 10 === 0;
      const rate = ((j + 1) * (i + 1)) / 15;
      for (let t = START + r * 5000; t <= END; t += 15_000) {
        if (gap && t >= START + 3_600_000 && t < START + 4_200_000) continue;
        db.append(ls, t, ((t - START) / 15_000) * rate);
      }
    }
  }
  return db;
}

export async function run(): Promise<BenchResult[]> {
  const stores = await Promise.all(
    [0, 1].map((r) =>
      startGrpcServer('127.0.0.1:0', memoryStoreApi(replica(r), { componentType: 'sidecar', externalLabels: Labels.from({ cluster: 'eu', replica: String.fromCharCode(65 + r) }) })),
    ),
  );
  const q = await startQuery({
    ...QUERY_DEFAULTS,
    httpAddress: '127.0.0.1:0',
    grpcAddress: '127.0.0.1:0',
    log: false,
    endpoints: stores.map((s) => s.address),
    replicaLabels: ['replica'],
  });
  try {
    await q.endpoints.update();
    const params = new URLSearchParams({
      query: 'sum by (job) (rate(http_requests_total[5m]))',
      start: String(START / 1000),
      end: String(END / 1000),
      step: '30',
    });
    const url = `http://${q.httpAddress}/api/v1/query_range?${params}`;
    const once = async (): Promise<number> => {
      const t0 = performance.now();
      const res = await fetch(url);
      const body = (await res.json()) as { status: string; data: { result: { metric: { job: string }; values: [number, string][] }[] } };
      const ms = performance.now() - t0;
      // 10 lines of 720 points (the first step has a single sample: no rate). Every counter is linear in time
      // and both replicas sample the same line, so once a full 5 m window exists rate() is exact wherever the
      // dedup switches: job j's sum is (j+1)·(1+…+30)/15 per 15 s. (Before that, extrapolation stops at the
      // counter's zero point and the rate is lower, as in Prometheus.)
      const full = START / 1000 + 330;
      const ok =
        body.status === 'success' &&
        body.data.result.length === JOBS &&
        body.data.result.every((line) => {
          const want = (Number(line.metric.job.slice(4)) + 1) * (465 / 15 / 15);
          return line.values.length === 720 && line.values.every(([ts, v]) => ts < full || Math.abs(Number(v) - want) < 1e-9 * want);
        });
      if (!ok) throw new Error(`query_range_e2e: unexpected answer ${JSON.stringify(body).slice(0, 300)}`);
      return ms;
    };
    for (let i = 0; i < WARMUP; i++) await once();
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await once());
    times.sort((a, b) => a - b);
    return [{ name: 'query_range_e2e', value: times[times.length >> 1]!, unit: 'ms' }];
  } finally {
    await q.stop();
    await Promise.all(stores.map((s) => s.stop(0)));
  }
}
