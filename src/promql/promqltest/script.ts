/**
 * Parses a promqltest file (Prometheus `promql/promqltest`, README.md there) into commands with line numbers.
 *
 * Lines are trimmed and a line starting with `#` counts as empty, exactly as Prometheus's `getLines` does, so
 * a comment *ends* a load or eval block (keeps our files runnable by Prometheus's own runner). Parse errors are
 * `ScriptSyntaxError`s carrying the 1-based line; the PromQL expressions themselves are not parsed here (the
 * runner does that, so a bad query is one failing case, not a broken file).
 */
import type { Labels } from '../../model/index.js';
import { parseDurationMs } from './duration.js';
import { NativeHistogramError, SeriesSyntaxError, parseNumber, parseSeriesDesc, type SequenceValues } from './series.js';

export class ScriptSyntaxError extends Error {
  override name = 'ScriptSyntaxError';
  constructor(
    message: string,
    /** 1-based line in the file. */
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

export interface LoadedSeries {
  labels: Labels;
  values: SequenceValues;
  line: number;
}

export interface LoadCommand {
  kind: 'load';
  line: number;
  intervalMs: number;
  series: LoadedSeries[];
  /** Set when the block cannot be loaded (native histograms, `load_with_nhcb`): evals after it fail with this. */
  unsupported?: string;
}

export interface ClearCommand {
  kind: 'clear';
  line: number;
}

/** `msg:` is an exact match, `regex:` a (Go-style, unanchored) search. */
export type MessageMatch = { kind: 'msg'; text: string } | { kind: 'regex'; re: RegExp };

/** An expectation on annotations: `expect warn` (must have some), `expect no_warn`, or unspecified (none allowed). */
export interface AnnotationExpectation {
  expected: boolean;
  /** Each must match at least one annotation. */
  matches: MessageMatch[];
}

export interface ExpectedSeries {
  labels: Labels;
  /** Query results never hold staleness markers, so expectations cannot either. */
  values: (number | null)[];
  line: number;
}

export interface EvalCommand {
  kind: 'eval';
  line: number;
  expr: string;
  instant: boolean;
  /** ms; for an instant eval start = end = the evaluation time and step = 0. */
  startMs: number;
  endMs: number;
  stepMs: number;
  fail: boolean;
  failMatch?: MessageMatch;
  warn: AnnotationExpectation;
  info: AnnotationExpectation;
  ordered: boolean;
  /** `expect range vector from … to … step …`: an instant query expected to return a matrix. */
  rangeVector?: { startMs: number; endMs: number; stepMs: number };
  /** `expect string "…"`. */
  expectedString?: string;
  /** A bare number line: the expected scalar. */
  expectedScalar?: number;
  expected: ExpectedSeries[];
}

export type Command = LoadCommand | ClearCommand | EvalCommand;

const PAT_LOAD = /^load(?:_(with_nhcb))?\s+(.+?)$/;
const PAT_EVAL_INSTANT = /^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;
const PAT_EVAL_RANGE = /^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$/;
const PAT_EXPECT = /^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$/;
const PAT_EXPECT_RANGE = /^expect\s+range\s+vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$/;
const PAT_EXPECT_STRING = /^expect\s+string\s+(".*")$/;

/** Parses a whole file. Throws ScriptSyntaxError on the first malformed line. */
export function parseScript(text: string): Command[] {
  const lines = text.split('\n').map((l) => {
    const t = l.trim();
    return t.startsWith('#') ? '' : t;
  });
  const cmds: Command[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l === '') continue;
    const word = l.split(/[\t ]+/, 1)[0].toLowerCase();
    if (word === 'clear') {
      cmds.push({ kind: 'clear', line: i + 1 });
    } else if (word.startsWith('load')) {
      i = parseLoad(lines, i, cmds);
    } else if (word.startsWith('eval')) {
      i = parseEval(lines, i, cmds);
    } else {
      throw new ScriptSyntaxError(`invalid command ${JSON.stringify(l)}`, i + 1);
    }
  }
  return cmds;
}

function duration(s: string, what: string, line: number): number {
  const ms = parseDurationMs(s);
  if (ms === undefined) throw new ScriptSyntaxError(`invalid ${what} ${JSON.stringify(s)}`, line);
  return ms;
}

/** Reads the block of non-empty lines after line i; returns the index of its last line. */
function parseLoad(lines: string[], i: number, out: Command[]): number {
  const m = PAT_LOAD.exec(lines[i]);
  if (!m) throw new ScriptSyntaxError(`invalid load command (want "load <interval>")`, i + 1);
  const intervalMs = duration(m[2], 'load interval', i + 1);
  if (intervalMs <= 0) throw new ScriptSyntaxError('load interval must be positive', i + 1);
  const cmd: LoadCommand = { kind: 'load', line: i + 1, intervalMs, series: [] };
  if (m[1] === 'with_nhcb') cmd.unsupported = 'load_with_nhcb: native histograms are not supported yet';
  while (i + 1 < lines.length && lines[i + 1] !== '') {
    i++;
    try {
      const s = parseSeriesDesc(lines[i]);
      cmd.series.push({ labels: s.labels, values: s.values, line: i + 1 });
    } catch (err) {
      if (err instanceof NativeHistogramError) cmd.unsupported = `line ${i + 1}: native histograms are not supported yet`;
      else throw seriesError(err, i);
    }
  }
  out.push(cmd);
  return i;
}

function seriesError(err: unknown, i: number): unknown {
  if (err instanceof SeriesSyntaxError) return new ScriptSyntaxError(`column ${err.column + 1}: ${err.message}`, i + 1);
  return err;
}

function parseEval(lines: string[], i: number, out: Command[]): number {
  const line = i + 1;
  const l = lines[i];
  const cmd: EvalCommand = {
    kind: 'eval',
    line,
    expr: '',
    instant: true,
    startMs: 0,
    endMs: 0,
    stepMs: 0,
    fail: false,
    warn: { expected: false, matches: [] },
    info: { expected: false, matches: [] },
    ordered: false,
    expected: [],
  };
  let legacy: string | undefined;
  let m = PAT_EVAL_INSTANT.exec(l);
  if (m) {
    legacy = m[1];
    cmd.startMs = cmd.endMs = m[2] === undefined ? 0 : duration(m[2], 'evaluation time', line);
    cmd.expr = m[3];
  } else if ((m = PAT_EVAL_RANGE.exec(l))) {
    legacy = m[1];
    cmd.instant = false;
    cmd.startMs = duration(m[2], 'range start', line);
    cmd.endMs = duration(m[3], 'range end', line);
    cmd.stepMs = duration(m[4], 'range step', line);
    cmd.expr = m[5];
    if (cmd.endMs < cmd.startMs) throw new ScriptSyntaxError('range end is before its start', line);
    if (cmd.stepMs <= 0) throw new ScriptSyntaxError('range step must be positive', line);
  } else {
    throw new ScriptSyntaxError(
      `invalid eval command (want "eval instant at <time> <expr>" or "eval range from <start> to <end> step <step> <expr>")`,
      line,
    );
  }
  if (legacy === 'fail') cmd.fail = true;
  else if (legacy === 'warn') cmd.warn.expected = true;
  else if (legacy === 'info') cmd.info.expected = true;
  else if (legacy === 'ordered') cmd.ordered = true;

  while (i + 1 < lines.length && lines[i + 1] !== '') {
    i++;
    const d = lines[i];
    if (d.startsWith('expected_fail_message')) {
      cmd.failMatch = { kind: 'msg', text: d.slice('expected_fail_message'.length).trim() };
      continue;
    }
    if (d.startsWith('expected_fail_regexp')) {
      cmd.failMatch = { kind: 'regex', re: compileRegex(d.slice('expected_fail_regexp'.length).trim(), i + 1) };
      continue;
    }
    if (d.split(/[\t ]+/, 1)[0] === 'expect') {
      parseExpect(d, i + 1, cmd);
      continue;
    }
    const num = parseNumber(d);
    if (num !== undefined) {
      if (cmd.expectedScalar !== undefined || cmd.expected.length > 0) throw new ScriptSyntaxError('a scalar expectation must stand alone', i + 1);
      cmd.expectedScalar = num;
      continue;
    }
    let s;
    try {
      s = parseSeriesDesc(d);
    } catch (err) {
      throw seriesError(err, i);
    }
    if (cmd.instant && cmd.rangeVector === undefined && s.values.length > 1) {
      throw new ScriptSyntaxError('expecting multiple values in instant evaluation not allowed', i + 1);
    }
    if (cmd.expected.some((e) => e.labels.equals(s.labels))) {
      throw new ScriptSyntaxError(`series ${s.labels.toString()} is expected twice`, i + 1);
    }
    const values = s.values;
    if (values.includes('stale')) throw new ScriptSyntaxError('query results never contain staleness markers: "stale" cannot be expected', i + 1);
    cmd.expected.push({ labels: s.labels, values: values as (number | null)[], line: i + 1 });
  }
  if (cmd.fail && (cmd.expected.length > 0 || cmd.expectedScalar !== undefined)) {
    throw new ScriptSyntaxError('an eval expected to fail cannot also expect results', line);
  }
  if (cmd.ordered && !cmd.instant) throw new ScriptSyntaxError('expect ordered is only meaningful for instant evals', line);
  out.push(cmd);
  return i;
}

function parseExpect(d: string, line: number, cmd: EvalCommand): void {
  let m = PAT_EXPECT_RANGE.exec(d);
  if (m) {
    if (!cmd.instant) throw new ScriptSyntaxError('expect range vector is only valid for instant evals', line);
    const startMs = duration(m[1], 'range vector start', line);
    const endMs = duration(m[2], 'range vector end', line);
    const stepMs = duration(m[3], 'range vector step', line);
    if (stepMs <= 0 || endMs < startMs) throw new ScriptSyntaxError('bad expect range vector bounds', line);
    cmd.rangeVector = { startMs, endMs, stepMs };
    return;
  }
  if ((m = PAT_EXPECT_STRING.exec(d))) {
    try {
      cmd.expectedString = JSON.parse(m[1]) as string;
    } catch {
      throw new ScriptSyntaxError(`bad string in ${JSON.stringify(d)}`, line);
    }
    return;
  }
  m = PAT_EXPECT.exec(d);
  if (!m) throw new ScriptSyntaxError(`invalid expect statement ${JSON.stringify(d)}`, line);
  const [, type, matchKind, rawText] = m;
  let match: MessageMatch | undefined;
  if (matchKind !== undefined) {
    const text = rawText.trim();
    match = matchKind === 'msg' ? { kind: 'msg', text } : { kind: 'regex', re: compileRegex(text, line) };
    if (type === 'ordered' || type === 'no_warn' || type === 'no_info') {
      throw new ScriptSyntaxError(`expect ${type} takes no msg or regex`, line);
    }
  }
  switch (type) {
    case 'fail':
      cmd.fail = true;
      cmd.failMatch = match;
      break;
    case 'ordered':
      cmd.ordered = true;
      break;
    case 'warn':
    case 'info':
      cmd[type].expected = true;
      if (match) cmd[type].matches.push(match);
      break;
    case 'no_warn':
      if (cmd.warn.expected) throw new ScriptSyntaxError('expect warn and expect no_warn together', line);
      break;
    case 'no_info':
      if (cmd.info.expected) throw new ScriptSyntaxError('expect info and expect no_info together', line);
      break;
  }
}

function compileRegex(src: string, line: number): RegExp {
  try {
    return new RegExp(src);
  } catch (err) {
    throw new ScriptSyntaxError(`bad regex ${JSON.stringify(src)}: ${(err as Error).message}`, line);
  }
}
