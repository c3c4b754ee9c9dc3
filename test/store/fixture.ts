/**
 * Store test fixture: promtool-made blocks with a `thanos` section in a FILESYSTEM bucket, and a bucket store
 * serving them over real gRPC on a loopback port.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import xxhash from 'xxhash-wasm';
import { decodeXORAlloc } from '../../src/chunkenc/index.js';
import { Labels } from '../../src/model/index.js';
import { FilesystemBucket, type Bucket } from '../../src/objstore/index.js';
import { createBucketStore, type BucketStore, type BucketStoreConfig } from '../../src/store/index.js';
import { int64ToMillis, labelsFromProto, startGrpcServer, StoreClient, type RunningGrpcServer, type SeriesRequest } from '../../src/storeapi/index.js';
import { addThanosSection, copyBlocks, promtoolBlocks, type GenSeries } from './promtool-blocks.js';

export interface Group {
  ext: Record<string, string>;
  series: GenSeries[];
  maxBlockDuration?: string;
}

export interface Fixture {
  dir: string;
  bucketDir: string;
  /** Block IDs per group, in group order. */
  blocks: string[][];
  cleanup(): Promise<void>;
}

export async function makeFixture(promtool: string, groups: Group[]): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'promfed-store-'));
  const bucketDir = join(dir, 'bucket');
  const blocks: string[][] = [];
  for (let g = 0; g < groups.length; g++) {
    const out = join(dir, `promtool-${g}`);
    const ids = await promtoolBlocks(promtool, out, groups[g]!.series, groups[g]!.maxBlockDuration);
    for (const id of ids) await addThanosSection(join(out, id), groups[g]!.ext);
    await copyBlocks(out, ids, bucketDir);
    blocks.push(ids);
  }
  return { dir, bucketDir, blocks, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface TestStore {
  store: BucketStore;
  grpc: RunningGrpcServer;
  client: StoreClient;
  registry: Registry;
  stop(): Promise<void>;
}

export async function startTestStore(bucket: Bucket | string, dataDir: string, over: Partial<BucketStoreConfig> = {}): Promise<TestStore> {
  const registry = new Registry();
  const store = await createBucketStore({
    bucket: typeof bucket === 'string' ? new FilesystemBucket(bucket) : bucket,
    dataDir,
    indexCacheBytes: 250 * 2 ** 20,
    chunkPoolBytes: 2 * 2 ** 30,
    seriesMaxConcurrency: 20,
    registry,
    ...over,
  });
  await store.sync();
  const grpc = await startGrpcServer('127.0.0.1:0', store.services);
  const client = new StoreClient(grpc.address, { timeoutMs: 20_000 });
  return {
    store,
    grpc,
    client,
    registry,
    async stop() {
      client.close();
      await grpc.stop(100);
      await store.close();
    },
  };
}

export interface GotSeries {
  labels: Record<string, string>;
  ts: number[];
  vs: number[];
  chunks: number;
  /** min_time of each chunk in order. */
  chunkMins: number[];
}

/**
 * Runs Series and decodes every chunk; samples outside [min_time, max_time] are trimmed, as a querier does.
 * Throws if a chunk's hash is not the xxHash64 of its bytes.
 */
export async function seriesOf(client: StoreClient, req: Partial<SeriesRequest>): Promise<{ series: GotSeries[]; warnings: string[] }> {
  const { h64Raw } = await xxhash();
  const series: GotSeries[] = [];
  const warnings: string[] = [];
  const mint = req.min_time === undefined ? -Infinity : int64ToMillis(req.min_time);
  const maxt = req.max_time === undefined ? Infinity : int64ToMillis(req.max_time);
  for await (const f of client.series(req)) {
    const list = f.result === 'series' ? [f.series] : f.result === 'batch' ? f.batch.series : [];
    if (f.result === 'warning') warnings.push(f.warning);
    for (const s of list) {
      const g: GotSeries = { labels: labelsFromProto(s.labels).toObject(), ts: [], vs: [], chunks: s.chunks.length, chunkMins: [] };
      for (const c of s.chunks) {
        const want = h64Raw(c.raw!.data);
        if (BigInt(c.raw!.hash) !== want) throw new Error(`chunk hash ${c.raw!.hash} is not the xxHash64 of its data (${want})`);
        g.chunkMins.push(int64ToMillis(c.min_time));
        const d = decodeXORAlloc(c.raw!.data);
        for (let i = 0; i < d.timestamps.length; i++) {
          if (d.timestamps[i]! < mint || d.timestamps[i]! > maxt) continue;
          g.ts.push(d.timestamps[i]!);
          g.vs.push(d.values[i]!);
        }
      }
      series.push(g);
    }
  }
  return { series, warnings };
}

/** Expected answer computed from the generated data: extended labels (external wins), filtered and sorted. */
export function expected(
  groups: Group[],
  keep: (labels: Labels) => boolean,
  mint = -Infinity,
  maxt = Infinity,
  dropExt: string[] = [],
): { labels: Record<string, string>; ts: number[]; vs: number[] }[] {
  const byKey = new Map<string, { labels: Labels; ts: number[]; vs: number[] }>();
  for (const g of groups) {
    for (const s of g.series) {
      const own = Labels.from(s.labels);
      const b = own.builder();
      for (const [k, v] of Object.entries(g.ext)) b.set(k, v);
      const full = b.labels();
      if (!keep(full)) continue;
      const labels = full.drop(dropExt.filter((n) => n in g.ext));
      const ts: number[] = [];
      const vs: number[] = [];
      s.ts.forEach((t, i) => {
        if (t >= mint && t <= maxt) (ts.push(t), vs.push(s.vs[i]!));
      });
      if (ts.length === 0) continue;
      const prev = byKey.get(labels.key());
      if (prev) (prev.ts.push(...ts), prev.vs.push(...vs));
      else byKey.set(labels.key(), { labels, ts, vs });
    }
  }
  return [...byKey.values()].sort((a, b) => Labels.compare(a.labels, b.labels)).map((e) => ({ labels: e.labels.toObject(), ts: e.ts, vs: e.vs }));
}
