/**
 * Two (or more) builds of the sidecar side by side on the sidecar bench's data: one Prometheus, one child
 * sidecar per build, reads interleaved with the raw remote read, so machine noise hits every build alike. For
 * deciding whether a change to the sidecar helps, where `npm run bench -- sidecar` between two checkouts moves
 * by more than the change (bench/README.md, sidecar, session 6). Not a benchmark: it prints a table, no BENCH
 * lines, and `npm run bench` does not run it.
 *
 *   cp -r dist dist-before        # the build to compare with: beside dist/, so it finds node_modules and package.json
 *   npm run build                 # (with the change)
 *   node --import=tsx bench/sidecar-ab.ts dist dist-before      # SIDECAR_AB_SECONDS=20 by default
 *   rm -r dist-before
 *
 * Per build: median wall ms of a read (1 002 series × 2 h, batches of 64), the raw route's median over the same
 * time, and the child's CPU per read from the scheduler (/proc/<pid>/task/<tid>/schedstat), which is steadier.
 */
import { resolve } from 'node:path';
import { PrometheusHttp, RemoteReadClient } from '../src/sidecar/index.js';
import { StoreClient } from '../src/storeapi/index.js';
import { findBinary } from '../test/helpers/peers.js';
import { createBlocks, removeDir, startPrometheus } from '../test/helpers/prometheus.js';
import { generateSeries, toOpenMetrics } from '../test/sidecar/fixture-data.js';
import { childSidecar, cpuMsOf, END, INSTANCES, samplesViaRemoteRead, samplesViaStore } from './sidecar.bench.js';

const builds = process.argv.slice(2).filter((a) => a !== '--');
if (builds.length === 0) {
  console.error('usage: node --import=tsx bench/sidecar-ab.ts <dist dir> [<dist dir> ...]');
  process.exit(2);
}
const seconds = Number(process.env.SIDECAR_AB_SECONDS ?? 20);
const prometheus = findBinary('prometheus');
const promtool = findBinary('promtool');
if (!prometheus || !promtool) {
  console.error('sidecar-ab: prometheus/promtool not found (Debian: apt-get install -y prometheus)');
  process.exit(1);
}

const data = generateSeries({ instances: INSTANCES, end: END });
const total = data.reduce((n, s) => n + s.ts.length, 0);
const blocks = await createBlocks(promtool, toOpenMetrics(data));
const prom = await startPrometheus({ binary: prometheus, config: 'global:\n  external_labels: {cluster: bench, replica: r0}\n', blocks: [blocks] });
const children: Awaited<ReturnType<typeof childSidecar>>[] = [];
const clients: StoreClient[] = [];
const raw = new RemoteReadClient(new PrometheusHttp(prom.url));
try {
  for (const b of builds) {
    children.push(await childSidecar(prom.url, resolve(b, 'cli/main.js')));
    clients.push(new StoreClient(children[children.length - 1].grpc, { timeoutMs: 120_000 }));
  }
  const kinds = [...clients.map((c, i) => [builds[i], () => samplesViaStore(c)] as const), ['raw', () => samplesViaRemoteRead(raw)] as const];
  // Warm-up as the bench's (JIT tiers, TCP autotuning), and every kind checked for the whole answer.
  for (let i = 0; i < 60; i++) {
    for (const [what, f] of kinds) {
      const n = await f();
      if (n !== total) throw new Error(`sidecar-ab: ${what} read ${n} samples, the data has ${total}`);
    }
  }
  const times = kinds.map(() => [] as number[]);
  const cpu0 = children.map((c) => cpuMsOf(c.child.pid!));
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    for (let k = 0; k < kinds.length; k++) {
      const start = performance.now();
      await kinds[k][1]();
      times[k].push(performance.now() - start);
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const rawMs = median(times[kinds.length - 1]);
  console.log(`${times[0].length} reads each; raw remote read ${rawMs.toFixed(2)} ms`);
  console.log('build\twall ms\tratio to raw\tsidecar CPU ms/read');
  children.forEach((c, i) => {
    const ms = median(times[i]);
    const cpu = (cpuMsOf(c.child.pid!) - cpu0[i]) / times[i].length;
    console.log(`${builds[i]}\t${ms.toFixed(2)}\t${(rawMs / ms).toFixed(3)}\t${cpu.toFixed(2)}`);
  });
} finally {
  for (const c of clients) c.close();
  for (const c of children) c.child.kill('SIGTERM');
  await prom.stop();
  removeDir(prom.dir);
  removeDir(blocks);
}
