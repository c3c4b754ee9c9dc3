/**
 * The runner's engine and parser with Prometheus's promqltest settings (promql/promqltest/test.go):
 * lookback 5m, at most 10,000 samples per query (`DefaultMaxSamplesPerQuery`), experimental functions on,
 * subqueries without a step use 1m.
 */
import type { Expr } from '../ast.js';
import type { Engine, EngineOptions } from '../types.js';
import type { RunnerDeps } from './runner.js';

export const RUNNER_ENGINE_OPTIONS: EngineOptions = {
  lookbackDeltaMs: 5 * 60_000,
  maxSamples: 10_000,
  enableExperimentalFunctions: true,
  noStepSubqueryIntervalMs: 60_000,
  timeoutMs: 60_000,
};

interface PromqlModule {
  createEngine(opts: EngineOptions): Engine;
  parse(query: string, opts?: { enableExperimentalFunctions?: boolean }): Expr;
}

/**
 * Loaded lazily through the promql module's index so this module builds before the engine lands.
 * Throws a plain Error naming what is missing when the engine or parser is not there yet.
 */
export async function defaultRunnerDeps(): Promise<RunnerDeps> {
  const path = '../index.js';
  let mod: Partial<PromqlModule>;
  try {
    mod = (await import(path)) as Partial<PromqlModule>;
  } catch (err) {
    throw new Error('load the PromQL engine (src/promql/index.ts)', { cause: err });
  }
  const { createEngine, parse } = mod;
  if (typeof createEngine !== 'function' || typeof parse !== 'function') {
    throw new Error('src/promql/index.ts does not export createEngine and parse yet');
  }
  return {
    engine: createEngine(RUNNER_ENGINE_OPTIONS),
    parse: (q) => parse(q, { enableExperimentalFunctions: true }),
  };
}
