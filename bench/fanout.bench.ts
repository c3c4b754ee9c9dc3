/**
 * fanout: what the number of stores costs one small query. `sum(rate(x[5m]))` at one instant, through the
 * querier's data path (EndpointSet → FanoutStorage: prune, one gRPC Series stream per store on loopback,
 * loser-tree merge, chunk dedup, decode) and the PromQL engine, with 1, 10 and 100 in-process StoreAPI servers
 * (our memory store), each holding 2 counter series (1 h at 15 s; the query reads ~21 samples of each).
 *
 * Figure: median wall-clock latency (ms) of 60 queries after 15 warm-up ones, one at a time. Wall time, not
 * CPU time as in measure.ts: this is latency, and the stores run in this same process, so their encoding
 * and the loopback round trips are part of it. Target (issue 4): 100 stores add ≤ 20 ms over 1 store.
 * Every answer is checked (each series rises 1/s, so the sum is 2 × stores) before it is timed.
 */
import { Labels } from '../src/model/index.js';
import { createEngine } from '../src/promql/index.js';
import { EndpointSet, FanoutStorage, loadChunkHasher, type FanoutConfig } from '../src/query/index.js';
import { MemoryStorage } from '../src/storage/index.js';
import { memoryStoreApi, startGrpcServer, type RunningGrpcServer } from '../src/storeapi/index.js';
import type { BenchResult } from './measure.js';

export const name = 'fanout';

const END = 3_600_000;
const WARMUP = 15;
const RUNS = 60;

function storeData(): MemoryStorage {
  const db = new MemoryStorage();
  for (const job of ['api', 'web']) {
    const ls = Labels.from({ __name__: 'x', job });
    for (let t = 0; t <= END; t += 15_000) db.append(ls, t, t / 1000);
  }
  return db;
}

async function latency(stores: number): Promise<number> {
  const servers: RunningGrpcServer[] = [];
  for (let i = 0; i < stores; i++) {
    servers.push(await startGrpcServer('127.0.0.1:0', memoryStoreApi(storeData(), { componentType: 'sidecar', externalLabels: Labels.from({ store: String(i) }) })));
  }
  const endpoints = new EndpointSet({ specs: () => servers.map((s) => ({ address: s.address, strict: false })) });
  try {
    await endpoints.update();
    if (endpoints.queryable().length !== stores) throw new Error(`only ${endpoints.queryable().length} of ${stores} stores healthy`);
    const cfg: FanoutConfig = {
      endpoints: () => endpoints.queryable(),
      hasher: await loadChunkHasher(),
      dedupAlgorithm: 'penalty',
      responseTimeoutMs: 0,
      maxSamples: 50_000_000,
      selectorLabels: Labels.EMPTY,
    };
    const engine = createEngine({ maxSamples: 50_000_000, timeoutMs: 120_000 });
    const query = async (): Promise<number> => {
      const storage = new FanoutStorage(cfg, { deduplicate: true, replicaLabels: ['replica'], partialResponse: true, storeMatchers: [] });
      const t0 = performance.now();
      const res = await engine.instantQuery(storage, 'sum(rate(x[5m]))', END);
      const ms = performance.now() - t0;
      const v = res.value.resultType === 'vector' ? res.value.result[0]?.v : undefined;
      if (v === undefined || Math.abs(v - 2 * stores) > 1e-9) throw new Error(`fanout_${stores}: sum(rate) = ${v}, want ${2 * stores}`);
      return ms;
    };
    for (let i = 0; i < WARMUP; i++) await query();
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await query());
    times.sort((a, b) => a - b);
    return times[times.length >> 1]!;
  } finally {
    endpoints.close();
    await Promise.all(servers.map((s) => s.stop(0)));
  }
}

export async function run(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const n of [1, 10, 100]) out.push({ name: `fanout_${n}_stores`, value: await latency(n), unit: 'ms' });
  return out;
}
