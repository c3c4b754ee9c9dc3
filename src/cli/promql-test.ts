import type { Command } from 'commander';
import { defaultRunnerDeps, formatFailure, runFile, ScriptSyntaxError, type RunnerDeps } from '../promql/promqltest/index.js';

/**
 * `promfed tools promql-test FILE...`: runs Prometheus-format PromQL test files against our engine on
 * in-memory data. Prints each failure (file:line, query, diff) and `<file>: N passed, M failed` per file;
 * exit code 1 when any case fails or any file does not parse.
 */
export function registerPromqlTest(tools: Command): void {
  tools
    .command('promql-test')
    .description('run PromQL test files (Prometheus promqltest format) against the engine')
    .argument('<files...>', 'test files')
    .action(async (files: string[]) => {
      process.exitCode = await runPromqlTest(files, (s) => process.stdout.write(s), (s) => process.stderr.write(s));
    });
}

/** Returns the exit code; `deps` is injectable for tests. */
export async function runPromqlTest(
  files: string[],
  out: (s: string) => void,
  err: (s: string) => void,
  deps?: RunnerDeps,
): Promise<number> {
  const d = deps ?? (await defaultRunnerDeps());
  let code = 0;
  for (const file of files) {
    try {
      const res = await runFile(file, d);
      for (const f of res.failures) out(formatFailure(file, f) + '\n\n');
      out(`${file}: ${res.passed} passed, ${res.failed} failed\n`);
      if (res.failed > 0) code = 1;
    } catch (e) {
      code = 1;
      if (e instanceof ScriptSyntaxError) err(`${file}:${e.line}: ${e.message.replace(/^line \d+: /, '')}\n`);
      else err(`${file}: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
  return code;
}
