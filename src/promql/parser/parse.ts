/**
 * parse(): query text → checked AST. Three passes: a lexer-level scan for the errors Prometheus's lexer
 * reports (lex-check.ts), lezer's parse with its first error node turned into a message
 * (syntax-errors.ts), the AST build with the checks Go's grammar actions make (build.ts), then Go's
 * checkAST type checks (checks.ts). The first error wins, as Prometheus reports only its first.
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { Expr } from '../ast.js';
import { Builder } from './build.js';
import { checkAST } from './checks.js';
import { children } from './tree.js';
import { lexCheck } from './lex-check.js';
import { Positions } from './position.js';
import { findSyntaxError } from './syntax-errors.js';

export interface ParseOptions {
  /** Allows experimental functions and the limitk/limit_ratio aggregations (`--enable-feature=promql-experimental-functions`). */
  enableExperimentalFunctions?: boolean;
}

/** Parses and checks a PromQL expression. Throws BadDataError (with `position`, byte offsets) on any error. */
export function parse(input: string, opts: ParseOptions = {}): Expr {
  const pos = new Positions(input);
  try {
    return parseChecked(input, pos, opts);
  } catch (err) {
    // lezer's tree builder and ours recurse per nesting level: thousands of chained operators exhaust the stack.
    if (err instanceof RangeError) throw pos.error('expression is nested too deeply', { start: 0, end: pos.byte(input.length) });
    throw err;
  }
}

function parseChecked(input: string, pos: Positions, opts: ParseOptions): Expr {
  if (/^(?:\s|#[^\n]*)*$/.test(input)) throw pos.errorAt('no expression found in input', 0);
  const lexErr = lexCheck(input);
  const tree = parser.parse(input);
  const synErr = findSyntaxError(input, tree);
  if (lexErr && (!synErr || lexErr.at <= synErr.from)) throw pos.errorAt(lexErr.message, lexErr.at);
  if (synErr) throw pos.errorAt(synErr.message, synErr.from, synErr.to);
  const top = children(tree.topNode)[0];
  if (!top) throw pos.errorAt('no expression found in input', 0);
  const builder = new Builder(pos, { enableExperimentalFunctions: opts.enableExperimentalFunctions ?? false });
  const expr = builder.expr(top);
  checkAST(expr, { pos, opRanges: builder.opRanges, nameOutside: builder.nameOutside });
  return expr;
}
