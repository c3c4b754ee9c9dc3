/**
 * store: the store gateway's Series path over a block written by our writer and served from a FILESYSTEM
 * bucket. 100,000 series × 2 h at 15 s (480 samples each, 4 XOR chunks of 120; 48 M samples, ~260 MB of
 * chunks), external labels {cluster, replica} as a sidecar upload has. Labels per series:
 *
 *   __name__ = bench_metric_000…099   100 values, 1,000 series each    → the 1 % selector
 *   zone     = zone-0…9               10 values, 10,000 series each    → the 10 % selector
 *   job      = node                   every series                     → the 100 % selector
 *   instance = host-000…999           1,000 values
 *   pod      = pod-00000…99999        one per series (high cardinality) → the regex postings lookup
 *
 * The block is written once into os.tmpdir()/promfed-bench-store-<params> and reused by later runs (writing
 * takes ~5 s and ~300 MB of disk; delete the directory to rewrite it). 240 realistic sample shapes
 * (bench/scrape-data.ts: jittered 15 s scrapes, counters and gauges, 5.4 bytes/sample) are shared round-robin
 * by the series, so generating them needs no 770 MB of arrays. `promfed store` runs as a child process (the compiled
 * `node dist/cli/main.js store` as deployed — `npm run bench` builds first — default
 * caches: 250 MiB index cache, 2 GiB chunk pool) so its RSS is its own; the bench process is the client: a
 * real gRPC StoreClient reading Series streams with response_batch_size 64 (as our querier asks), decoding
 * frames and counting series and samples (the 2-byte sample count heading each XOR chunk; XOR not decoded).
 *
 * Figures (median of RUNS after one warm-up read, kinds interleaved so load hits all alike; wall time,
 * since the store's work is in another process):
 *   store_series_<1|10|100>pct          series/s of a Series call over the whole 2 h, chunks included
 *   store_series_<1|10|100>pct_samples  samples/s of the same
 *   store_labels_only                   series/s, all 100k series, skip_chunks
 *   store_postings_regex                ms for a whole skip_chunks Series of {pod=~"pod-1.*5"}: the regex over
 *                                       100k values, postings of the 1,000 it accepts, their series entries
 *   store_<kind>_cpu                    the same series (samples for _samples) per second of the store
 *                                       process's CPU time (utime+stime from /proc, 10 ms ticks, summed
 *                                       over the runs): less sensitive to machine load than wall time
 *   store_<kind>_client_cpu             series per second of this (client) process's CPU time for the same reads:
 *                                       decoding frames into objects costs CPU too, and on 2 cores the slower
 *                                       side sets the wall figure
 *   store_peak_rss                      the store process's peak RSS (VmHWM) at the end, MB
 *   store_idle_rss                      its RSS after the first sync, before any request
 *
 * Targets (issue 5): ≥ 1 M series/s label-only, ≥ 50 M samples/s streamed, RSS ≤ 300 MB with default caches.
 * STORE_BENCH_CPU_PROF=<dir> runs the child with --cpu-prof into <dir> (written when it exits on SIGTERM);
 * STORE_BENCH_ONLY=<kind,…> runs only those kinds (series_1pct, …, labels_only, postings_regex);
 * STORE_BENCH_TSX=1 runs src/cli/main.ts under tsx instead of the compiled store (its loader adds ~40 MB of RSS);
 * STORE_BENCH_MAIN=<path> runs that main.ts instead (another checkout's store, for before/after runs);
 * STORE_BENCH_RUNS=<n> timed reads per kind (default 7); STORE_BENCH_DEBUG=1 prints RSS per read and heap
 * and index-cache metrics at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Labels, Matcher, MatchType } from '../src/model/index.js';
import { matchersToProto, MAX_INT64, StoreClient, type SeriesRequest } from '../src/storeapi/index.js';
import { writeBlock, type WriterSeries } from '../src/tsdb/index.js';
import { freePort } from '../test/helpers/prometheus.js';
import type { BenchResult } from './measure.js';
import { scrapeSeries } from './scrape-data.js';

export const name = 'store';

const SERIES = 100_000;
const SAMPLES = 480; // 2 h at 15 s
const SHAPES = 240; // distinct sample series reused round-robin: realistic chunk bytes without 770 MB of arrays
const RUNS = Number(process.env.STORE_BENCH_RUNS ?? 7);
// STORE_BENCH_MAIN=<path to a main.ts>: run another checkout's store (before/after comparisons).
const MAIN = process.env.STORE_BENCH_MAIN ?? fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
// The compiled store by default (`npm run bench` builds it), as deployed; STORE_BENCH_TSX=1 runs the sources.
const DIST_MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const FS = (dir: string): string => `type: FILESYSTEM\nconfig:\n  directory: ${dir}\n`;
const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** The bucket directory holding the block, written on first use. */
function ensureBlock(): string {
  const root = join(tmpdir(), `promfed-bench-store-${SERIES}x${SAMPLES}-v1`);
  const bucket = join(root, 'bucket');
  if (existsSync(join(root, 'done'))) return bucket;
  rmSync(root, { recursive: true, force: true });
  const started = performance.now();
  const shapes = scrapeSeries(SHAPES, SAMPLES, 7);
  const series: WriterSeries[] = new Array(SERIES);
  for (let k = 0; k < SERIES; k++) {
    const host = Math.floor(k / 100);
    const shape = shapes[k % SHAPES]!;
    series[k] = {
      labels: Labels.from({
        __name__: `bench_metric_${pad(k % 100, 3)}`,
        instance: `host-${pad(host, 3)}`,
        job: 'node',
        pod: `pod-${pad(k, 5)}`,
        zone: `zone-${host % 10}`,
      }),
      timestamps: shape.timestamps,
      values: shape.values,
    };
  }
  writeBlock(bucket, series, { thanos: { labels: { cluster: 'bench', replica: 'r0' }, source: 'sidecar' } });
  writeFileSync(join(root, 'done'), `${new Date().toISOString()}\n`);
  console.error(`bench store: wrote the ${SERIES}-series block into ${bucket} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return bucket;
}

interface Child {
  grpc: string;
  http: string;
  proc: ChildProcess;
  /** utime + stime in seconds (10 ms resolution). */
  cpuSeconds(): number;
  peakRssMB(): number;
  rssMB(): number;
}

async function startChildStore(bucket: string, dataDir: string): Promise<Child> {
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const prof = process.env.STORE_BENCH_CPU_PROF;
  const args = [
    ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []),
    ...(process.env.STORE_BENCH_TSX || process.env.STORE_BENCH_MAIN ? ['--import=tsx', MAIN] : [DIST_MAIN]),
    'store',
    `--objstore.config=${FS(bucket)}`,
    `--data-dir=${dataDir}`,
    `--grpc-address=127.0.0.1:${grpcPort}`,
    `--http-address=127.0.0.1:${httpPort}`,
    '--log.level=warn',
  ];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error('bench store: the store child did not become ready');
    const ready = await fetch(`http://127.0.0.1:${httpPort}/-/ready`).then((r) => r.status === 200, () => false);
    if (ready) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = proc.pid!;
  return {
    grpc: `127.0.0.1:${grpcPort}`,
    http: `127.0.0.1:${httpPort}`,
    proc,
    cpuSeconds() {
      // /proc/<pid>/stat: fields after the ")" of the command name; utime and stime are the 14th and 15th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) / 100;
    },
    peakRssMB() {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : NaN;
    },
    rssMB() {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : NaN;
    },
  };
}

interface Read {
  series: number;
  samples: number;
}

async function readSeries(client: StoreClient, matchers: Matcher[], skipChunks: boolean): Promise<Read> {
  const req: Partial<SeriesRequest> = {
    min_time: '0',
    max_time: MAX_INT64,
    matchers: matchersToProto(matchers),
    skip_chunks: skipChunks,
    response_batch_size: '64',
  };
  let series = 0;
  let samples = 0;
  for await (const f of client.series(req)) {
    if (f.result === 'batch') {
      series += f.batch.series.length;
      for (const s of f.batch.series) for (const c of s.chunks) samples += (c.raw!.data[0]! << 8) | c.raw!.data[1]!;
    } else if (f.result === 'series') {
      series++;
      for (const c of f.series.chunks) samples += (c.raw!.data[0]! << 8) | c.raw!.data[1]!;
    } else if (f.result === 'warning') throw new Error(`bench store: warning frame: ${f.warning}`);
  }
  return { series, samples };
}

export async function run(): Promise<BenchResult[]> {
  const bucket = ensureBlock();
  const dataDir = mkdtempSync(join(tmpdir(), 'promfed-bench-store-data-'));
  const child = await startChildStore(bucket, dataDir);
  const client = new StoreClient(child.grpc, { timeoutMs: 300_000 });
  const idleRss = child.rssMB();
  try {
    const kinds: { key: string; m: Matcher[]; skip: boolean; want: number }[] = [
      { key: 'series_1pct', m: [new Matcher(MatchType.EQ, '__name__', 'bench_metric_042')], skip: false, want: SERIES / 100 },
      { key: 'series_10pct', m: [new Matcher(MatchType.EQ, 'zone', 'zone-3')], skip: false, want: SERIES / 10 },
      { key: 'series_100pct', m: [new Matcher(MatchType.EQ, 'job', 'node')], skip: false, want: SERIES },
      { key: 'labels_only', m: [new Matcher(MatchType.EQ, 'job', 'node')], skip: true, want: SERIES },
      { key: 'postings_regex', m: [new Matcher(MatchType.RE, 'pod', 'pod-1.*5')], skip: true, want: 1000 },
    ];
    // STORE_BENCH_ONLY=labels_only,series_100pct: only those kinds (for profiling one path).
    const only = process.env.STORE_BENCH_ONLY?.split(',');
    if (only !== undefined) kinds.splice(0, kinds.length, ...kinds.filter((k) => only.includes(k.key)));
    const wall = new Map<string, number[]>(kinds.map((k) => [k.key, []]));
    const cpu = new Map<string, number>(kinds.map((k) => [k.key, 0]));
    const clientCpu = new Map<string, number>(kinds.map((k) => [k.key, 0]));
    const reads = new Map<string, Read>();
    for (let i = 0; i <= RUNS; i++) {
      for (const k of kinds) {
        const c0 = child.cpuSeconds();
        const u0 = process.cpuUsage();
        const t0 = performance.now();
        const got = await readSeries(client, k.m, k.skip);
        const ms = performance.now() - t0;
        const u = process.cpuUsage(u0);
        if (got.series !== k.want) throw new Error(`bench store: ${k.key} read ${got.series} series, want ${k.want}`);
        if (!k.skip && got.samples !== k.want * SAMPLES) throw new Error(`bench store: ${k.key} read ${got.samples} samples, want ${k.want * SAMPLES}`);
        if (process.env.STORE_BENCH_DEBUG) console.error(`${k.key} run ${i}: ${ms.toFixed(0)} ms, store RSS ${child.rssMB().toFixed(0)} MB, peak ${child.peakRssMB().toFixed(0)} MB`);
        if (i === 0) continue; // warm-up: builds the index cache, JITs both sides
        wall.get(k.key)!.push(ms);
        cpu.set(k.key, cpu.get(k.key)! + child.cpuSeconds() - c0);
        clientCpu.set(k.key, clientCpu.get(k.key)! + (u.user + u.system) / 1e6);
        reads.set(k.key, got);
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const out: BenchResult[] = [];
    for (const k of kinds) {
      const ms = median(wall.get(k.key)!);
      const r = reads.get(k.key)!;
      const cpuS = cpu.get(k.key)! / RUNS;
      if (k.key === 'postings_regex') {
        out.push({ name: 'store_postings_regex', value: ms, unit: 'ms' });
        out.push({ name: 'store_postings_regex_cpu', value: cpuS * 1000, unit: 'ms' });
        continue;
      }
      out.push({ name: `store_${k.key}`, value: Math.round(r.series / (ms / 1000)), unit: 'series/s' });
      if (!k.skip) out.push({ name: `store_${k.key}_samples`, value: Math.round(r.samples / (ms / 1000)), unit: 'samples/s' });
      out.push({ name: `store_${k.key}_ms`, value: ms, unit: 'ms' });
      // A run under one 10 ms tick reads as 0 CPU: report nothing rather than infinity.
      if (cpuS > 0) {
        out.push({ name: `store_${k.key}_cpu`, value: Math.round(r.series / cpuS), unit: 'series/s' });
        if (!k.skip) out.push({ name: `store_${k.key}_samples_cpu`, value: Math.round(r.samples / cpuS), unit: 'samples/s' });
      }
      // The client's side (this process: gRPC channel, frame decoding, counting): when it needs more CPU per
      // read than the store, the wall figure is the client's, not the store's.
      const clientS = clientCpu.get(k.key)! / RUNS;
      if (clientS > 0) out.push({ name: `store_${k.key}_client_cpu`, value: Math.round(r.series / clientS), unit: 'series/s' });
    }
    out.push({ name: 'store_peak_rss', value: Math.round(child.peakRssMB()), unit: 'MB' });
    out.push({ name: 'store_idle_rss', value: Math.round(idleRss), unit: 'MB' });
    if (process.env.STORE_BENCH_DEBUG) {
      // Where the memory is: V8 heap vs. buffers outside it, and the index cache's share.
      const text = await (await fetch(`http://${child.http}/metrics`)).text();
      const want = /^promfed_(nodejs_heap_size_(total|used)_bytes|nodejs_external_memory_bytes|process_resident_memory_bytes|store_index_cache_(bytes|items)|store_index_cache_(hits|requests)_total|store_bucket_bytes_fetched_total)/;
      console.error(text.split('\n').filter((l) => want.test(l)).join('\n'));
    }
    return out;
  } finally {
    client.close();
    const exited = new Promise((r) => child.proc.once('exit', r));
    child.proc.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}
