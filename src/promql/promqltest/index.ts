/**
 * promqltest: runs Prometheus-format PromQL test scripts (`load`, `clear`, `eval instant|range`, `expect …`)
 * against our engine on in-memory data, with Prometheus's runner semantics: 1e-6 relative tolerance, exact
 * label sets, the implicit `@` and range-mode re-checks of every instant eval. `promfed tools promql-test`
 * and test/promql/corpus.test.ts use it.
 *
 * It does not parse PromQL or evaluate anything itself (the engine and parser are injected), and it does
 * not load native histograms (such loads make the evals after them fail with a plain message).
 *
 *   const deps = await defaultRunnerDeps();
 *   const res = await runFile('test/promql/aggregations.test', deps);
 *   for (const f of res.failures) console.log(formatFailure(res.file, f));
 *   console.log(`${res.file}: ${res.passed} passed, ${res.failed} failed`);
 */
import { readFile } from 'node:fs/promises';
import { parseScript } from './script.js';
import { runScript, type RunnerDeps, type ScriptResult } from './runner.js';

export { parseScript, ScriptSyntaxError } from './script.js';
export type { Command, EvalCommand, LoadCommand, ClearCommand, ExpectedSeries, MessageMatch } from './script.js';
export { parseSeriesDesc, expandValues, parseNumber, SeriesSyntaxError, NativeHistogramError } from './series.js';
export type { SequenceValues, SeriesDesc } from './series.js';
export { parseDurationMs, formatDurationMs } from './duration.js';
export { runScript } from './runner.js';
export type { RunnerDeps, CaseFailure, ScriptResult } from './runner.js';
export { almostEqual, compareResult, DEFAULT_EPSILON } from './compare.js';
export { atModifierCases, pinAt, AT_MODIFIER_UNSAFE_FUNCTIONS } from './at-modifier.js';
export { formatFailure } from './report.js';
export { defaultRunnerDeps, RUNNER_ENGINE_OPTIONS } from './engine-deps.js';

export interface FileResult extends ScriptResult {
  file: string;
}

/** Reads, parses and runs one file. Throws ScriptSyntaxError (with the line) when the file is malformed. */
export async function runFile(file: string, deps: RunnerDeps): Promise<FileResult> {
  const text = await readFile(file, 'utf8');
  const res = await runScript(parseScript(text), deps);
  return { file, ...res };
}
