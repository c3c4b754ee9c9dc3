/**
 * Runs every test/promql/*.test file through the promqltest runner against our engine: one subtest per file,
 * one failing assertion (with its diff) per failing case. Files in test/promql/pending/ hold cases the engine
 * is known to get wrong: they run as `todo`, so they are reported without failing the suite.
 */
import t from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRunnerDeps, formatFailure, runFile, type RunnerDeps } from '../../src/promql/promqltest/index.js';

const dir = new URL('.', import.meta.url).pathname;
const files = (d: string) => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.test')).sort().map((f) => join(d, f)) : []);

const deps: RunnerDeps = await defaultRunnerDeps();

async function runAll(paths: string[], todo: boolean): Promise<void> {
  for (const path of paths) {
    const name = path.slice(dir.length);
    await t.test(name, todo ? { todo: 'known engine bugs, see the file header' } : {}, async (t) => {
      const res = await runFile(path, deps);
      for (const f of res.failures) t.fail(formatFailure(name, f));
      t.pass(`${res.passed} passed, ${res.failed} failed`);
    });
  }
}

await runAll(files(dir), false);
await runAll(files(join(dir, 'pending')), true);
