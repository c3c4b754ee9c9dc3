/**
 * Turning lezer's silent error recovery into a Prometheus-style syntax error. lezer never throws: it
 * inserts error nodes and carries on. We find the first one and describe the token there the way
 * Prometheus's yacc parser does (`unexpected identifier "bar"`, `unexpected <op:*>`, `unexpected end of input`),
 * or, when the error is a call of a name lezer does not know as a function, `unknown function with name "foo"`.
 */
import * as T from '@prometheus-io/lezer-promql';
import { FUNCTIONS } from '../functions/signatures.js';
import { goQuote } from './literals.js';
import type { SyntaxNode, Tree } from './tree.js';


export interface SyntaxError {
  /** UTF-16 range. */
  from: number;
  to: number;
  message: string;
}

/** Prometheus's aggregators (lex.go `key`), described as `<aggr:sum>`. */
const AGGREGATORS = new Set([
  'sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'count_values', 'quantile',
  'limitk', 'limit_ratio',
]);
/** Keyword operators, described as `<op:and>`. */
const KEYWORD_OPERATORS = new Set(['and', 'or', 'unless', 'atan2']);
/** Other keywords, described as `<by>`. */
const KEYWORDS = new Set([
  'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'start', 'end', 'smoothed',
  'anchored', 'fill', 'fill_left', 'fill_right',
]);
const OPERATORS = ['==', '!=', '>=', '<=', '=~', '!~', '</', '>/', '+', '-', '*', '/', '%', '^', '=', '<', '>'];

const MAX_PLAUSIBLE_DEPTH = 400;

function maxDepth(tree: Tree): number {
  let depth = 0;
  let max = 0;
  tree.iterate({
    enter: () => {
      max = Math.max(max, ++depth);
    },
    leave: () => {
      depth--;
    },
  });
  return max;
}

/** The first error node in document order, described; null when the tree is clean. */
export function findSyntaxError(input: string, tree: Tree): SyntaxError | null {
  let found: SyntaxNode | null = null;
  tree.iterate({
    enter: (ref) => {
      if (found) return false;
      if (ref.type.isError) {
        found = ref.node;
        return false;
      }
      return undefined;
    },
  });
  if (!found) return null;
  const err: SyntaxNode = found;
  // lezer gives up on trees deeper than a few hundred levels (a chain of ~550 `or`s is that deep) and
  // reports it as an ordinary error; Prometheus has no such limit, so say what really happened.
  if (maxDepth(tree) > MAX_PLAUSIBLE_DEPTH) {
    return { from: err.from, to: err.to, message: `expression is nested too deeply (more than ${MAX_PLAUSIBLE_DEPTH} levels)` };
  }
  const unknownFn = unknownFunction(input, err);
  if (unknownFn) return unknownFn;
  const at = skipSpace(input, err.from);
  const token = describeToken(input, at);
  return { from: at, to: at + token.length, message: `unexpected ${token.desc}${context(input, err)}` };
}

/** Prometheus's `unexpected X in <context>, expected Y` suffix, for the places where its grammar adds one. */
function context(input: string, err: SyntaxNode): string {
  const parent = err.parent;
  const prev = err.prevSibling?.type.id;
  const before = input.slice(0, err.from).trimEnd().slice(-1);
  if (parent?.type.id === T.GroupingLabels) {
    return input[parent.from] === '(' ? ' in grouping opts, expected "," or ")"' : ' in grouping opts, expected "("';
  }
  if (prev === T.By || prev === T.Without) return ' in grouping opts, expected "("';
  // `sum by (a) <here>`: the body is still missing.
  if (prev === T.AggregateModifier && parent?.type.id === T.AggregateExpr && !bodyBefore(err)) return ' in aggregation';
  if (prev === T.LabelName || prev === T.QuotedLabelName) return ' in label matching, expected label matching operator';
  if (prev === T.MatchOp) return ' in label matching, expected string';
  if (parent?.type.id === T.LabelMatchers) {
    return before === '{' || before === ',' ? ' in label matching, expected identifier or "}"' : ' in label matching, expected "," or "}"';
  }
  if (prev === T.Offset) return ' in offset, expected duration';
  if (prev === T.At) return ' in @, expected timestamp';
  return '';
}

function bodyBefore(err: SyntaxNode): boolean {
  for (let c = err.prevSibling; c; c = c.prevSibling) if (c.type.id === T.FunctionCallBody) return true;
  return false;
}

/**
 * `foo(bar)`: lezer only knows names from its grammar as functions, so an unknown name reads as the
 * selector `foo` followed by an unexpected `(`. Prometheus reports the name instead.
 */
function unknownFunction(input: string, err: SyntaxNode): SyntaxError | null {
  const prev = err.prevSibling ?? (err.parent?.type.id === T.VectorSelector ? err.parent.firstChild : null);
  const ident = prev?.type.id === T.VectorSelector ? prev.firstChild : prev;
  if (!ident || ident.type.id !== T.Identifier || ident.nextSibling?.type.id === T.LabelMatchers) return null;
  if (input[skipSpace(input, ident.to)] !== '(') return null;
  const name = input.slice(ident.from, ident.to);
  // min_of/max_of exist in Prometheus's function table but lezer only knows them inside durations.
  const message = FUNCTIONS.has(name) ? `function ${goQuote(name)} is not supported outside duration expressions` : `unknown function with name ${goQuote(name)}`;
  return { from: ident.from, to: ident.to, message };
}

function skipSpace(input: string, i: number): number {
  for (;;) {
    while (i < input.length && /\s/.test(input[i]!)) i++;
    if (input[i] !== '#') return i;
    const nl = input.indexOf('\n', i);
    i = nl < 0 ? input.length : nl + 1;
  }
}

/** Prometheus's Item.desc() for the token starting at `at`. */
function describeToken(input: string, at: number): { desc: string; length: number } {
  if (at >= input.length) return { desc: 'end of input', length: 0 };
  const rest = input.slice(at);
  const word = /^[a-zA-Z_][a-zA-Z0-9_:]*/.exec(rest)?.[0];
  if (word) {
    const lower = word.toLowerCase();
    if (lower === 'inf' || lower === 'nan') return { desc: `number ${goQuote(word)}`, length: word.length };
    if (AGGREGATORS.has(lower)) return { desc: `<aggr:${word}>`, length: word.length };
    if (KEYWORD_OPERATORS.has(lower)) return { desc: `<op:${word}>`, length: word.length };
    if (KEYWORDS.has(lower)) return { desc: `<${word}>`, length: word.length };
    return { desc: `identifier ${goQuote(word)}`, length: word.length };
  }
  const num = /^(?:0x[0-9a-fA-F]+|(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:ms|[ywdhms])*)/.exec(rest)?.[0];
  if (num) {
    const isDuration = /[ywdhms]$/.test(num) && !/^0x/i.test(num);
    return { desc: `${isDuration ? 'duration' : 'number'} ${goQuote(num)}`, length: num.length };
  }
  const q = rest[0]!;
  if (q === '"' || q === "'" || q === '`') {
    const m = q === '`' ? /^`[^`]*`?/.exec(rest) : new RegExp(`^${q}(?:[^\\\\${q}\\n]|\\\\.)*${q}?`).exec(rest);
    const text = m?.[0] ?? q;
    return { desc: `string ${truncatedQuote(text)}`, length: text.length };
  }
  for (const op of OPERATORS) if (rest.startsWith(op)) return { desc: `<op:${op}>`, length: op.length };
  if (rest[0] === ':') return { desc: `colon ':'`, length: 1 };
  return { desc: goQuote(String.fromCodePoint(rest.codePointAt(0)!)), length: 1 };
}

/** Go's `%.10q...` for long values, as Item.String() prints them. */
function truncatedQuote(s: string): string {
  return s.length > 10 ? `${goQuote(s.slice(0, 10))}...` : goQuote(s);
}
