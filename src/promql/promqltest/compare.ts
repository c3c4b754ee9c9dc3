/**
 * Compares a query result with an eval's expectations the way Prometheus's runner does (`compareResult`):
 * floats equal within a relative 1e-6 (`almost.Equal`; NaN equals NaN), label sets exact, order ignored
 * unless `expect ordered`, range results must come sorted by labels. Unlike Go, it does not stop at the first
 * difference: it returns every problem plus an expected-vs-got listing, so one run shows the whole picture.
 */
import { Labels } from '../../model/index.js';
import type { QueryValue, RangeSeries } from '../types.js';
import type { EvalCommand, ExpectedSeries } from './script.js';
import { formatDurationMs } from './duration.js';

export const DEFAULT_EPSILON = 1e-6;
/** Smallest positive normal float64 (Go: math.Float64frombits(0x0010000000000000)). */
const MIN_NORMAL = 2.2250738585072014e-308;

/** Go `util/almost.Equal`. */
export function almostEqual(a: number, b: number, epsilon = DEFAULT_EPSILON): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

/** A mismatch: the problems found and a listing of expected and actual series for the report. */
export interface Mismatch {
  problems: string[];
  expected: string[];
  got: string[];
}

/** Formats a value as Go's %v would for a float (`+Inf`, `NaN`, shortest round-trip digits). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** The window of an eval's expected points: the eval range, or `expect range vector`'s. */
interface PointGrid {
  startMs: number;
  endMs: number;
  stepMs: number;
}

/** Checks `value` (a result of the eval's query) against `cmd`'s expectations; undefined when it matches. */
export function compareResult(cmd: EvalCommand, value: QueryValue): Mismatch | undefined {
  switch (value.resultType) {
    case 'string':
      if (cmd.expectedString === undefined) return simple(`expected ${expectationKind(cmd)} but got string ${JSON.stringify(value.v)}`);
      return value.v === cmd.expectedString ? undefined : simple(`expected string ${JSON.stringify(cmd.expectedString)} but got ${JSON.stringify(value.v)}`);
    case 'scalar':
      if (cmd.expectedScalar === undefined && cmd.expected.length !== 1) {
        return simple(`expected ${expectationKind(cmd)} but got scalar ${formatValue(value.v)}`);
      }
      {
        const exp = cmd.expectedScalar ?? cmd.expected[0].values[0];
        if (exp === null || exp === undefined || !almostEqual(exp, value.v)) {
          return simple(`expected scalar ${exp === null || exp === undefined ? '(none)' : formatValue(exp)} but got ${formatValue(value.v)}`);
        }
      }
      return undefined;
    case 'vector':
      if (cmd.expectedScalar !== undefined || cmd.expectedString !== undefined || cmd.rangeVector !== undefined) {
        return simple(`expected ${expectationKind(cmd)} but got an instant vector of ${value.result.length} series`);
      }
      return compareVector(cmd, value.result);
    case 'matrix': {
      const grid: PointGrid | undefined = cmd.instant ? cmd.rangeVector : cmd;
      if (grid === undefined || cmd.expectedScalar !== undefined || cmd.expectedString !== undefined) {
        return simple(`expected ${expectationKind(cmd)} but got a range vector of ${value.result.length} series`);
      }
      if (cmd.ordered) return simple('expected ordered result, but query returned a matrix');
      return compareMatrix(cmd.expected, grid, value.result);
    }
  }
}

function expectationKind(cmd: EvalCommand): string {
  if (cmd.expectedString !== undefined) return `string ${JSON.stringify(cmd.expectedString)}`;
  if (cmd.expectedScalar !== undefined) return `scalar ${formatValue(cmd.expectedScalar)}`;
  if (cmd.rangeVector !== undefined) return 'a range vector';
  return cmd.instant ? 'an instant vector' : 'a range result';
}

function simple(problem: string): Mismatch {
  return { problems: [problem], expected: [], got: [] };
}

function compareVector(cmd: EvalCommand, got: { labels: Labels; v: number }[]): Mismatch | undefined {
  const problems: string[] = [];
  const byKey = new Map<string, { exp: ExpectedSeries; pos: number }>();
  cmd.expected.forEach((exp, pos) => byKey.set(exp.labels.key(), { exp, pos }));
  const seen = new Set<string>();
  got.forEach((s, pos) => {
    const key = s.labels.key();
    const e = byKey.get(key);
    if (seen.has(key)) problems.push(`series ${s.labels.toString()} appears more than once in the result`);
    seen.add(key);
    if (e === undefined) {
      problems.push(`unexpected series ${s.labels.toString()} ${formatValue(s.v)}`);
      return;
    }
    const want = e.exp.values[0];
    if (cmd.ordered && e.pos !== pos) {
      problems.push(`expected ${s.labels.toString()} at position ${e.pos + 1} but it was at ${pos + 1}`);
    }
    if (want === null || want === undefined) problems.push(`series ${s.labels.toString()} has value ${formatValue(s.v)} where none was expected`);
    else if (!almostEqual(want, s.v)) problems.push(`expected ${formatValue(want)} for ${s.labels.toString()} but got ${formatValue(s.v)}`);
  });
  for (const exp of cmd.expected) {
    if (!seen.has(exp.labels.key())) problems.push(`expected series ${exp.labels.toString()} ${exp.values.map(fmtOpt).join(' ')} not found`);
  }
  if (problems.length === 0) return undefined;
  return {
    problems,
    expected: cmd.expected.map((e) => `${e.labels.toString()} ${e.values.map(fmtOpt).join(' ')}`),
    got: got.map((s) => `${s.labels.toString()} ${formatValue(s.v)}`),
  };
}

function fmtOpt(v: number | null): string {
  return v === null ? '_' : formatValue(v);
}

function compareMatrix(expected: ExpectedSeries[], grid: PointGrid, got: RangeSeries[]): Mismatch | undefined {
  const problems: string[] = [];
  for (let i = 1; i < got.length; i++) {
    if (Labels.compare(got[i - 1].labels, got[i].labels) >= 0) {
      problems.push(`range result is not sorted by labels: ${got[i - 1].labels.toString()} before ${got[i].labels.toString()}`);
      break;
    }
  }
  const byKey = new Map(expected.map((e) => [e.labels.key(), e]));
  const seen = new Set<string>();
  for (const s of got) {
    const key = s.labels.key();
    seen.add(key);
    const exp = byKey.get(key);
    if (exp === undefined) {
      problems.push(`unexpected series ${s.labels.toString()} ${formatPoints(s)}`);
      continue;
    }
    const wantT: number[] = [];
    const wantV: number[] = [];
    for (let i = 0; i < exp.values.length; i++) {
      const t = grid.startMs + i * grid.stepMs;
      if (t > grid.endMs) {
        problems.push(`expected ${exp.values.length} points for ${exp.labels.toString()}, but the time range has fewer steps`);
        break;
      }
      const v = exp.values[i];
      if (v !== null) {
        wantT.push(t);
        wantV.push(v);
      }
    }
    if (wantT.length !== s.timestamps.length) {
      problems.push(`expected ${wantT.length} points for ${s.labels.toString()} but got ${s.timestamps.length}: ${formatPoints(s)}`);
      continue;
    }
    for (let i = 0; i < wantT.length; i++) {
      if (wantT[i] !== s.timestamps[i]) {
        problems.push(`point ${i} of ${s.labels.toString()}: expected timestamp ${wantT[i] / 1000}s but got ${s.timestamps[i] / 1000}s`);
        break;
      }
      if (!almostEqual(wantV[i], s.values[i])) {
        problems.push(`point ${i} (t=${s.timestamps[i] / 1000}s) of ${s.labels.toString()}: expected ${formatValue(wantV[i])} but got ${formatValue(s.values[i])}`);
      }
    }
  }
  for (const e of expected) if (!seen.has(e.labels.key())) problems.push(`expected series ${e.labels.toString()} not found`);
  if (problems.length === 0) return undefined;
  return {
    problems,
    expected: expected.map((e) => `${e.labels.toString()} ${e.values.map(fmtOpt).join(' ')}`),
    got: got.map((s) => `${s.labels.toString()} ${formatPoints(s)}`),
  };
}

/** `1@0s 2@1m` — values with their times, compact enough for a one-line diff. */
export function formatPoints(s: RangeSeries): string {
  const parts: string[] = [];
  for (let i = 0; i < s.timestamps.length; i++) parts.push(`${formatValue(s.values[i])}@${formatDurationMs(s.timestamps[i])}`);
  return parts.join(' ');
}
