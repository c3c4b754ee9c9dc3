/**
 * The differential oracle: runs the evals of a promqltest file against a real Debian Prometheus 2.42 and
 * reports where Prometheus disagrees with the file's expectations.
 *
 * Each distinct data state (the loads since the last `clear`) becomes OpenMetrics → promtool blocks → one
 * Prometheus process. An eval is skipped, with the reason, when Prometheus 2.42 cannot check it: data with
 * staleness markers or nameless series, functions 2.42 lacks, or a `# oracle-skip: <why>` comment directly
 * above the eval (for known 2.42-vs-3 differences such as samples exactly on a window's left edge).
 * Only the main query is checked (not the runner's implicit @ and range re-checks), and not annotations.
 */
import { Labels } from '../../../src/model/index.js';
import { compareResult, parseScript, type EvalCommand, type CaseFailure } from '../../../src/promql/promqltest/index.js';
import type { QueryValue, RangeSeries, InstantSample } from '../../../src/promql/types.js';
import { DataState } from './openmetrics.js';
import { PrometheusInstance, type PromResponse } from './prometheus.js';

/** Functions, aggregations and syntax newer than Prometheus 2.42. */
const NOT_IN_242 =
  /\b(first_over_time|ts_of_\w+|mad_over_time|sort_by_label(?:_desc)?|double_exponential_smoothing|limitk|limit_ratio|info|start|end|range|step|min_of|max_of|histogram_avg|histogram_stddev|histogram_stdvar|histogram_quantiles)\s*\(|\b(anchored|smoothed|fill|fill_left|fill_right|limitk|limit_ratio)\b/;

export interface OracleCase {
  line: number;
  query: string;
  status: 'agree' | 'disagree' | 'skip';
  reason?: string;
  failure?: CaseFailure;
}

export interface OracleBins {
  prometheus: string;
  promtool: string;
}

export async function runOracle(text: string, bins: OracleBins): Promise<OracleCase[]> {
  const lines = text.split('\n');
  const cmds = parseScript(text);
  const out: OracleCase[] = [];
  let state = new DataState();
  let prom: PrometheusInstance | undefined;
  let promState: DataState | undefined;
  try {
    for (const cmd of cmds) {
      if (cmd.kind === 'clear') state = new DataState();
      else if (cmd.kind === 'load') {
        // A new object per load so a running instance is known to be out of date.
        const next = new DataState();
        for (const l of loadsSoFar(cmds, cmd)) next.add(l);
        state = next;
      } else {
        const skip = skipReason(cmd, lines, state);
        if (skip !== undefined) {
          out.push({ line: cmd.line, query: cmd.expr, status: 'skip', reason: skip });
          continue;
        }
        if (promState !== state) {
          await prom?.stop();
          prom = undefined;
          prom = await PrometheusInstance.start(state.toOpenMetrics(), bins);
          promState = state;
        }
        out.push(await check(prom as PrometheusInstance, cmd));
      }
    }
  } finally {
    await prom?.stop();
  }
  return out;
}

/** The loads since the last clear up to and including `upTo`. */
function loadsSoFar(cmds: ReturnType<typeof parseScript>, upTo: object) {
  const loads = [];
  for (const c of cmds) {
    if (c.kind === 'clear') loads.length = 0;
    else if (c.kind === 'load') loads.push(c);
    if (c === upTo) break;
  }
  return loads;
}

function skipReason(cmd: EvalCommand, lines: string[], state: DataState): string | undefined {
  for (let i = cmd.line - 2; i >= 0 && lines[i].trim().startsWith('#'); i--) {
    const m = /^#\s*oracle-skip:?\s*(.*)$/.exec(lines[i].trim());
    if (m) return `marked: ${m[1]}`;
  }
  if (state.unloadable !== undefined) return state.unloadable;
  const m = NOT_IN_242.exec(cmd.expr);
  if (m) return `${m[1] ?? m[2]} is not in Prometheus 2.42`;
  return undefined;
}

async function check(prom: PrometheusInstance, cmd: EvalCommand): Promise<OracleCase> {
  const base = { line: cmd.line, query: cmd.expr };
  const res = cmd.instant
    ? await prom.api('/api/v1/query', { query: cmd.expr, time: String(cmd.startMs / 1000) })
    : await prom.api('/api/v1/query_range', { query: cmd.expr, start: String(cmd.startMs / 1000), end: String(cmd.endMs / 1000), step: String(cmd.stepMs / 1000) });
  if (res.status === 'error') {
    if (cmd.fail) return { ...base, status: 'agree', reason: `Prometheus: ${res.error}` };
    return { ...base, status: 'disagree', failure: failure(cmd, [`Prometheus failed: ${res.errorType}: ${res.error}`]) };
  }
  if (cmd.fail) return { ...base, status: 'disagree', failure: failure(cmd, ['expected an error but Prometheus succeeded']) };
  const value = toQueryValue(res);
  const m = compareResult(cmd, value);
  if (m === undefined) return { ...base, status: 'agree' };
  return { ...base, status: 'disagree', failure: { ...failure(cmd, m.problems), expected: m.expected, got: m.got } };
}

function failure(cmd: EvalCommand, problems: string[]): CaseFailure {
  return { line: cmd.line, query: cmd.expr, check: 'Prometheus 2.42', problems, expected: [], got: [] };
}

function num(s: string): number {
  return s === 'NaN' ? NaN : s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s);
}

type PromSample = [number, string];

export function toQueryValue(res: PromResponse): QueryValue {
  const data = res.data as { resultType: string; result: unknown };
  switch (data.resultType) {
    case 'scalar': {
      const [t, v] = data.result as PromSample;
      return { resultType: 'scalar', t: t * 1000, v: num(v) };
    }
    case 'string': {
      const [t, v] = data.result as PromSample;
      return { resultType: 'string', t: t * 1000, v };
    }
    case 'vector': {
      const result: InstantSample[] = (data.result as { metric: Record<string, string>; value: PromSample }[]).map((s) => ({
        labels: Labels.from(s.metric),
        t: s.value[0] * 1000,
        v: num(s.value[1]),
      }));
      return { resultType: 'vector', result };
    }
    case 'matrix': {
      const result: RangeSeries[] = (data.result as { metric: Record<string, string>; values: PromSample[] }[]).map((s) => ({
        labels: Labels.from(s.metric),
        timestamps: Float64Array.from(s.values.map((p) => Math.round(p[0] * 1000))),
        values: Float64Array.from(s.values.map((p) => num(p[1]))),
      }));
      result.sort((a, b) => Labels.compare(a.labels, b.labels));
      return { resultType: 'matrix', result };
    }
    default:
      throw new Error(`unknown result type ${data.resultType}`);
  }
}
