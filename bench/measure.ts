/**
 * Timing for benchmarks: warm up (so V8 has optimised the code under test), then time rounds of at least
 * `roundMs` each and report the median round's rate. The median, not the best, so one lucky round does not
 * flatter the figure.
 *
 * Rounds are timed in this process's CPU time (process.cpuUsage), not wall time: "samples/s on one core" is
 * what we want, and on a shared 2-core machine wall time mostly measures the other processes. GC work done on
 * helper threads is counted too, which is the honest side to err on.
 */

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

export interface BenchModule {
  name: string;
  run(): Promise<BenchResult[]>;
}

export interface MeasureOptions {
  warmupMs?: number;
  roundMs?: number;
  rounds?: number;
}

/** Runs `fn` (which processes `workPerCall` units, e.g. samples) repeatedly; returns units per second. */
export function measureRate(fn: () => void, workPerCall: number, opts: MeasureOptions = {}): number {
  const warmupMs = opts.warmupMs ?? 500;
  const roundMs = opts.roundMs ?? 250;
  const rounds = opts.rounds ?? 9;
  const warmEnd = performance.now() + warmupMs;
  while (performance.now() < warmEnd) fn();
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const start = process.cpuUsage();
    const deadline = performance.now() + roundMs;
    do {
      fn();
      calls++;
    } while (performance.now() < deadline);
    const used = process.cpuUsage(start);
    const us = used.user + used.system;
    rates.push((calls * workPerCall * 1e6) / us);
  }
  rates.sort((a, b) => a - b);
  return rates[rates.length >> 1]!;
}
