/**
 * Benchmark harness: `npm run bench` runs every bench/*.bench.ts; `npm run bench -- <prefix>` only those whose
 * name starts with the prefix, or whose figures do (`-- promql_rate` runs the promql file, prints that figure). Each file exports `name` and `run(): Promise<BenchResult[]>`; we print one line
 * per figure, `BENCH <name> <value> <unit>`, for scripts to grep. Benchmarks never fail on timing.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchModule } from './measure.js';

const here = dirname(fileURLToPath(import.meta.url));
const prefixes = process.argv.slice(2).filter((a) => a !== '--');

const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
let ran = 0;
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as BenchModule;
  if (typeof mod.name !== 'string' || typeof mod.run !== 'function') {
    console.error(`bench/${file}: must export name and run()`);
    process.exitCode = 1;
    continue;
  }
  const wanted = (figure: string): boolean => prefixes.length === 0 || prefixes.some((p) => mod.name.startsWith(p) || figure.startsWith(p));
  if (prefixes.length > 0 && !prefixes.some((p) => mod.name.startsWith(p) || p.startsWith(mod.name))) continue;
  ran++;
  for (const r of await mod.run()) if (wanted(r.name)) console.log(`BENCH ${r.name} ${formatValue(r.value)} ${r.unit}`);
}
if (ran === 0) {
  console.error(`no benchmark matches ${prefixes.join(' ') || '(all)'}; files: ${files.join(', ')}`);
  process.exitCode = 1;
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}
