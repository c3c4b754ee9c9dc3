/**
 * Test fixtures: real TSDB blocks made by `promtool tsdb create-blocks-from openmetrics` (peers.md §1) from
 * series generated here, so tests can compare what our readers return with what went in.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile, cp } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseMeta, serializeMeta, type BlockMeta } from '../../src/tsdb/index.js';

const run = promisify(execFile);

export interface GenSeries {
  /** Metric name first is not required; `__name__` must be present. */
  labels: Record<string, string>;
  /** ms, whole seconds (OpenMetrics input is in seconds). */
  ts: number[];
  vs: number[];
}

/** 2024-01-01T00:00:00Z: fixed, so answers are deterministic (peers.md §1). */
export const T0 = Date.UTC(2024, 0, 1);

/**
 * `n` series `name{instance="i<k>", job}` sampled every `stepS` s over [from, to) ms: gauges, or counters
 * (monotonic, with one reset) when `name` ends in `_total`.
 */
export function genSeries(opts: { name: string; job: string; n: number; from: number; to: number; stepS: number; seed?: number }): GenSeries[] {
  const counter = opts.name.endsWith('_total');
  const out: GenSeries[] = [];
  for (let k = 0; k < opts.n; k++) {
    const ts: number[] = [];
    const vs: number[] = [];
    for (let t = opts.from, i = 0; t < opts.to; t += opts.stepS * 1000, i++) {
      ts.push(t);
      // Values printable exactly in decimal: quarter steps with some jitter by series and seed.
      const v = ((i * 7 + k * 13 + (opts.seed ?? 0)) % 97) * 0.25;
      // A counter grows by 0..24 per step and resets once, at step 500.
      vs.push(counter ? (i === 0 || i === 500 ? v : vs[i - 1]! + v) : v);
    }
    out.push({ labels: { __name__: opts.name, instance: `i${k}`, job: opts.job }, ts, vs });
  }
  return out;
}

export function openMetricsText(series: GenSeries[]): string {
  const byName = new Map<string, GenSeries[]>();
  for (const s of series) {
    const n = s.labels.__name__!;
    if (!byName.has(n)) byName.set(n, []);
    byName.get(n)!.push(s);
  }
  let text = '';
  for (const [name, list] of byName) {
    // OpenMetrics counters: family `x` typed counter, samples named `x_total` (peers.md §1).
    const family = name.endsWith('_total') ? name.slice(0, -6) : name;
    text += `# HELP ${family} generated\n# TYPE ${family} ${family === name ? 'gauge' : 'counter'}\n`;
    for (const s of list) {
      const ls = Object.entries(s.labels)
        .filter(([k]) => k !== '__name__')
        .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
        .join(',');
      for (let i = 0; i < s.ts.length; i++) text += `${name}{${ls}} ${s.vs[i]} ${s.ts[i]! / 1000}\n`;
    }
  }
  return text + '# EOF\n';
}

/** Runs promtool into `outDir`; returns the block IDs it wrote, sorted. */
export async function promtoolBlocks(promtool: string, outDir: string, series: GenSeries[], maxBlockDuration?: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const input = join(outDir, '..', `input-${Math.random().toString(36).slice(2)}.om`);
  await writeFile(input, openMetricsText(series));
  const args = ['tsdb', 'create-blocks-from', 'openmetrics', input, outDir];
  if (maxBlockDuration) args.splice(3, 0, `--max-block-duration=${maxBlockDuration}`);
  await run(promtool, args);
  return (await readdir(outDir)).filter((n) => /^[0-9A-Z]{26}$/.test(n)).sort();
}

/** Adds the `thanos` section (external labels, raw resolution) a sidecar upload would carry. */
export async function addThanosSection(blockDir: string, labels: Record<string, string>): Promise<BlockMeta> {
  const path = join(blockDir, 'meta.json');
  const meta = parseMeta(await readFile(path));
  meta.thanos = { version: 1, labels, downsample: { resolution: 0 }, source: 'test' };
  await writeFile(path, serializeMeta(meta));
  return meta;
}

/** Copies block dirs into a bucket directory (FILESYSTEM bucket root). */
export async function copyBlocks(fromDir: string, ids: string[], bucketDir: string): Promise<void> {
  for (const id of ids) await cp(join(fromDir, id), join(bucketDir, id), { recursive: true });
}
