/**
 * Runs a parsed promqltest script against an engine on in-memory data, as Prometheus's `promqltest` does:
 * each `eval` is one case; an instant eval also passes only if (1) the query pinned with `@ <t>` gives the
 * same answer at the other times Go tries and (2) a range query from t-1m to t+1m step 1m gives the same
 * answer at its middle step. Cases report only their first failing check (as Go does), with a full diff.
 * Annotations are strict both ways: a warning or info the eval does not `expect` fails it, and `expect warn`
 * / `expect info` fail without one. Unlike Go, a query that does not parse fails only its own eval (or
 * satisfies `expect fail`), so parse errors can be tested and one bad query does not hide the rest.
 */
import { Labels, STALE_NAN } from '../../model/index.js';
import { MemoryStorage } from '../../storage/index.js';
import type { Expr } from '../ast.js';
import { exprType } from '../ast.js';
import type { Engine, QueryResult, QueryValue } from '../types.js';
import { atModifierCases, callsAny, usesAtStartOrEnd } from './at-modifier.js';
import { compareResult, formatValue, type Mismatch } from './compare.js';
import { formatDurationMs } from './duration.js';
import type { AnnotationExpectation, Command, EvalCommand, LoadCommand, MessageMatch } from './script.js';
import { ScriptSyntaxError } from './script.js';

/** What the runner needs from the PromQL implementation: an engine and a parser (experimental functions on). */
export interface RunnerDeps {
  engine: Engine;
  parse(query: string): Expr;
}

export interface CaseFailure {
  /** 1-based line of the eval command. */
  line: number;
  query: string;
  /** Which evaluation failed, e.g. "instant query at 5m" or "range re-check t-1m..t+1m step 1m". */
  check: string;
  problems: string[];
  expected: string[];
  got: string[];
}

export interface ScriptResult {
  passed: number;
  failed: number;
  failures: CaseFailure[];
}

/** Functions whose value differs between an instant query and the middle step of a range query. */
const RANGE_SENSITIVE_FUNCTIONS: ReadonlySet<string> = new Set(['start', 'end', 'range', 'step']);
const RANGE_RECHECK_MS = 60_000;

/** Runs the commands in order. A load that cannot be applied throws ScriptSyntaxError with its line. */
export async function runScript(cmds: Command[], deps: RunnerDeps): Promise<ScriptResult> {
  const result: ScriptResult = { passed: 0, failed: 0, failures: [] };
  let storage = new MemoryStorage();
  let unsupported: string | undefined;
  for (const cmd of cmds) {
    switch (cmd.kind) {
      case 'clear':
        storage = new MemoryStorage();
        unsupported = undefined;
        break;
      case 'load':
        if (cmd.unsupported !== undefined) unsupported = `data loaded at line ${cmd.line}: ${cmd.unsupported}`;
        else applyLoad(storage, cmd);
        break;
      case 'eval': {
        const failure = unsupported !== undefined ? failOf(cmd, 'load', [unsupported]) : await runEval(cmd, storage, deps);
        if (failure === undefined) result.passed++;
        else {
          result.failed++;
          result.failures.push(failure);
        }
        break;
      }
    }
  }
  return result;
}

function applyLoad(storage: MemoryStorage, cmd: LoadCommand): void {
  for (const s of cmd.series) {
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i];
      if (v === null) continue;
      try {
        storage.append(s.labels, i * cmd.intervalMs, v === 'stale' ? STALE_NAN : v);
      } catch (err) {
        throw new ScriptSyntaxError(`cannot load ${s.labels.toString()}: ${(err as Error).message}`, s.line);
      }
    }
  }
}

function failOf(cmd: EvalCommand, check: string, problems: string[], m?: Mismatch): CaseFailure {
  return { line: cmd.line, query: cmd.expr, check, problems: [...problems, ...(m?.problems ?? [])], expected: m?.expected ?? [], got: m?.got ?? [] };
}

async function runEval(cmd: EvalCommand, storage: MemoryStorage, deps: RunnerDeps): Promise<CaseFailure | undefined> {
  let ast: Expr;
  try {
    ast = deps.parse(cmd.expr);
  } catch (err) {
    return checkError(cmd, 'parse', err);
  }
  if (!cmd.instant) {
    const check = `range query from ${formatDurationMs(cmd.startMs)} to ${formatDurationMs(cmd.endMs)} step ${formatDurationMs(cmd.stepMs)}`;
    let res: QueryResult;
    try {
      res = await deps.engine.rangeQuery(storage, ast, cmd.startMs, cmd.endMs, cmd.stepMs);
    } catch (err) {
      return checkError(cmd, check, err);
    }
    return checkSuccess(cmd, check, res);
  }

  const queries = [{ expr: ast, evalMs: cmd.startMs, check: `instant query at ${formatDurationMs(cmd.startMs)}` }];
  for (const c of atModifierCases(ast, cmd.startMs)) {
    queries.push({ ...c, check: `@ re-check: every selector pinned with @ ${cmd.startMs / 1000}, evaluated at ${c.evalMs / 1000}s` });
  }
  const type = exprType(ast);
  const rangeRecheck =
    !cmd.ordered && (type === 'vector' || type === 'scalar') && !callsAny(ast, RANGE_SENSITIVE_FUNCTIONS) && !usesAtStartOrEnd(ast);
  for (const q of queries) {
    let res: QueryResult;
    try {
      res = await deps.engine.instantQuery(storage, q.expr, q.evalMs);
    } catch (err) {
      const f = checkError(cmd, q.check, err);
      if (f !== undefined) return f;
      continue;
    }
    const f = checkSuccess(cmd, q.check, res);
    if (f !== undefined) return f;
    if (!rangeRecheck) continue;
    const check = `range re-check from ${q.evalMs / 1000 - 60}s to ${q.evalMs / 1000 + 60}s step 1m, middle step`;
    try {
      const rr = await deps.engine.rangeQuery(storage, q.expr, q.evalMs - RANGE_RECHECK_MS, q.evalMs + RANGE_RECHECK_MS, RANGE_RECHECK_MS);
      const middle = middleStep(rr.value, q.evalMs, res.value.resultType === 'scalar');
      if (typeof middle === 'string') return failOf(cmd, check, [middle]);
      const m = compareResult(cmd, middle);
      if (m !== undefined) return failOf(cmd, check, [], m);
    } catch (err) {
      return failOf(cmd, check, [`error: ${errorText(err)}`]);
    }
  }
  return undefined;
}

/** The range result's points at `t` as an instant result (a scalar when the instant query gave one). */
function middleStep(value: QueryValue, t: number, scalar: boolean): QueryValue | string {
  if (value.resultType !== 'matrix') return `range query returned a ${value.resultType}, not a matrix`;
  const result = [];
  for (let i = 1; i < value.result.length; i++) {
    if (Labels.compare(value.result[i - 1].labels, value.result[i].labels) >= 0) {
      return `range result is not sorted by labels: ${value.result[i - 1].labels.toString()} before ${value.result[i].labels.toString()}`;
    }
  }
  for (const s of value.result) {
    const i = s.timestamps.indexOf(t);
    if (i >= 0) result.push({ labels: s.labels, t, v: s.values[i] });
  }
  if (scalar) {
    if (result.length !== 1) return `the scalar query gave ${result.length} series at the middle step`;
    return { resultType: 'scalar', t, v: result[0].v };
  }
  return { resultType: 'vector', result };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function matches(m: MessageMatch, text: string): boolean {
  return m.kind === 'msg' ? m.text === text : m.re.test(text);
}

function describe(m: MessageMatch): string {
  return m.kind === 'msg' ? `message ${JSON.stringify(m.text)}` : `a message matching /${m.re.source}/`;
}

function checkError(cmd: EvalCommand, check: string, err: unknown): CaseFailure | undefined {
  const text = errorText(err);
  if (!cmd.fail) return failOf(cmd, check, [`unexpected error: ${text}`]);
  if (cmd.failMatch !== undefined && !matches(cmd.failMatch, text)) {
    return failOf(cmd, check, [`expected an error with ${describe(cmd.failMatch)} but got: ${text}`]);
  }
  return undefined;
}

function checkSuccess(cmd: EvalCommand, check: string, res: QueryResult): CaseFailure | undefined {
  if (cmd.fail) return failOf(cmd, check, [`expected an error${cmd.failMatch ? ` with ${describe(cmd.failMatch)}` : ''} but the query succeeded with ${summarize(res.value)}`]);
  const problems = [...checkAnnotations('warning', cmd.warn, res.warnings), ...checkAnnotations('info', cmd.info, res.infos)];
  const m = compareResult(cmd, res.value);
  if (problems.length === 0 && m === undefined) return undefined;
  return failOf(cmd, check, problems, m);
}

function checkAnnotations(kind: string, exp: AnnotationExpectation, got: string[]): string[] {
  if (!exp.expected) return got.length === 0 ? [] : [`unexpected ${kind} annotations: ${got.map((g) => JSON.stringify(g)).join(', ')}`];
  if (got.length === 0) return [`expected ${kind} annotations but got none`];
  return exp.matches.filter((m) => !got.some((g) => matches(m, g))).map((m) => `expected a ${kind} with ${describe(m)}; got ${got.map((g) => JSON.stringify(g)).join(', ')}`);
}

function summarize(v: QueryValue): string {
  switch (v.resultType) {
    case 'scalar':
      return `scalar ${formatValue(v.v)}`;
    case 'string':
      return `string ${JSON.stringify(v.v)}`;
    case 'vector':
      return `${v.result.length} series`;
    case 'matrix':
      return `a matrix of ${v.result.length} series`;
  }
}
