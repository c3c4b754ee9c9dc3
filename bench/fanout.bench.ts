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
 *
 * `fanout_<1|100>_stores_child`: the same with the stores in a child process, so the querier's process pays
 * only its own side of each call (both processes still share the machine's cores).
 */
import { spawn } from 'node:child_process';
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

/** N memory stores in this process. */
async function localStores(n: number): Promise<{ addresses: string[]; stop: () => Promise<void> }> {
  const servers: RunningGrpcServer[] = [];
  for (let i = 0; i < n; i++) {
    servers.push(await startGrpcServer('127.0.0.1:0', memoryStoreApi(storeData(), { componentType: 'sidecar', externalLabels: Labels.from({ store: String(i) }) })));
  }
  return { addresses: servers.map((s) => s.address), stop: async () => void (await Promise.all(servers.map((s) => s.stop(0)))) };
}

/**
 * N memory stores in a child process, so the figure is what the querier's own process pays (the stores still
 * share the machine's two cores). The child exits when its stdin closes.
 */
async function childStores(n: number): Promise<{ addresses: string[]; stop: () => Promise<void> }> {
  const src = (m: string) => JSON.stringify(new URL(`../src/${m}/index.ts`, import.meta.url).pathname);
  const code = `
    import { startGrpcServer, memoryStoreApi } from ${src('storeapi')};
    import { MemoryStorage } from ${src('storage')};
    import { Labels } from ${src('model')};
    const addrs = [];
    for (let i = 0; i < ${n}; i++) {
      const db = new MemoryStorage();
      for (const job of ['api', 'web']) {
        const ls = Labels.from({ __name__: 'x', job });
        for (let t = 0; t <= ${END}; t += 15000) db.append(ls, t, t / 1000);
      }
      addrs.push((await startGrpcServer('127.0.0.1:0', memoryStoreApi(db, { componentType: 'sidecar', externalLabels: Labels.from({ store: String(i) }) }))).address);
    }
    console.log(JSON.stringify(addrs));
    process.stdin.on('end', () => process.exit(0));
    process.stdin.resume();
  `;
  const child = spawn(process.execPath, ['--import=tsx', '--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const addresses = await new Promise<string[]>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(JSON.parse(out) as string[]);
    });
    child.once('exit', (code) => reject(new Error(`store child exited with ${code}`)));
  });
  return {
    addresses,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      await exited;
    },
  };
}

async function latency(stores: { addresses: string[]; stop: () => Promise<void> }): Promise<number> {
  const n = stores.addresses.length;
  const endpoints = new EndpointSet({ specs: () => stores.addresses.map((address) => ({ address, strict: false })) });
  try {
    await endpoints.update();
    if (endpoints.queryable().length !== n) throw new Error(`only ${endpoints.queryable().length} of ${n} stores healthy`);
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
      if (v === undefined || Math.abs(v - 2 * n) > 1e-9) throw new Error(`fanout_${n}: sum(rate) = ${v}, want ${2 * n}`);
      return ms;
    };
    for (let i = 0; i < WARMUP; i++) await query();
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await query());
    times.sort((a, b) => a - b);
    return times[times.length >> 1]!;
  } finally {
    endpoints.close();
    await stores.stop();
  }
}

export async function run(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const n of [1, 10, 100]) out.push({ name: `fanout_${n}_stores`, value: await latency(await localStores(n)), unit: 'ms' });
  for (const n of [1, 100]) out.push({ name: `fanout_${n}_stores_child`, value: await latency(await childStores(n)), unit: 'ms' });
  return out;
}
