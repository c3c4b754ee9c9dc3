/**
 * Turns a clean lezer-promql tree (no error nodes left) into our AST, running Prometheus's semantic checks
 * on each node as it is built (checks.ts) and folding `offset`/`@` into the selector or subquery they
 * modify, as Go's parser does (`addOffset`, `setTimestamp`).
 */
import * as T from '@prometheus-io/lezer-promql';
import { BadDataError, Matcher, MatchType, METRIC_NAME } from '../../model/index.js';
import type {
  AggregateExpr, AggregateOp, AtModifier, BinaryExpr, BinaryOp, Call, Expr, MatrixSelector, PositionRange,
  StringLiteral, SubqueryExpr, VectorMatching, VectorSelector,
} from '../ast.js';
import { FUNCTIONS } from '../functions/signatures.js';
import { takesParam } from './checks.js';
import { durationMs } from './durations.js';
import { goQuote, LiteralError, parseNumber, unquoteString } from './literals.js';
import type { Positions } from './position.js';
import { children, type SyntaxNode } from './tree.js';

export interface BuildOptions {
  enableExperimentalFunctions: boolean;
}

const BINARY_OPS = new Map<number, BinaryOp>([
  [T.Pow, '^'], [T.Mul, '*'], [T.Div, '/'], [T.Mod, '%'], [T.Atan2, 'atan2'], [T.Add, '+'], [T.Sub, '-'],
  [T.Eql, '=='], [T.Neq, '!='], [T.Gte, '>='], [T.Gtr, '>'], [T.Lte, '<='], [T.Lss, '<'],
  [T.And, 'and'], [T.Or, 'or'], [T.Unless, 'unless'],
]);

const MATCH_TYPES = new Map<number, MatchType>([
  [T.EqlSingle, MatchType.EQ], [T.Neq, MatchType.NEQ], [T.EqlRegex, MatchType.RE], [T.NeqRegex, MatchType.NRE],
]);

/** Go compares the `@` seconds (not ms) with the int64 range: "timestamp out of bounds for @ modifier". */
const MAX_AT_SECONDS = 9223372036854775807;

type Modifiable = VectorSelector | SubqueryExpr;

export class Builder {
  readonly #pos: Positions;
  readonly #opts: BuildOptions;
  /** Selectors/subqueries whose offset was written (Go tracks OriginalOffset != 0; we allow `offset 0`). */
  readonly #offsetSet = new WeakSet<Modifiable>();
  /** Selectors whose metric name was written outside the braces (for the "set twice" check). */
  readonly nameOutside = new WeakSet<VectorSelector>();
  /** Where each binary operator and its modifiers are: Prometheus points operator errors there. */
  readonly opRanges = new WeakMap<BinaryExpr, PositionRange>();

  constructor(pos: Positions, opts: BuildOptions) {
    this.#pos = pos;
    this.#opts = opts;
  }

  expr(node: SyntaxNode): Expr {
    const kids = children(node);
    const range = this.#range(node);
    switch (node.type.id) {
      case T.VectorSelector:
        return this.#vectorSelector(node, kids);
      case T.MatrixSelector:
        return this.#matrixSelector(node, kids);
      case T.SubqueryExpr:
        return this.#subquery(node, kids);
      case T.OffsetExpr:
        return this.#offset(node, kids);
      case T.StepInvariantExpr:
        return this.#at(node, kids);
      case T.FunctionCall:
        return this.#call(node, kids);
      case T.AggregateExpr:
        return this.#aggregate(node, kids);
      case T.BinaryExpr:
        return this.#binary(node, kids);
      case T.UnaryExpr:
        return this.#unary(node, kids);
      case T.ParenExpr:
        return { type: 'ParenExpr', expr: this.expr(kids[0]!), pos: range };
      case T.NumberDurationLiteral:
        return { type: 'NumberLiteral', value: this.#literal(node, parseNumber), pos: range };
      case T.StringLiteral:
        return this.#string(node);
      case T.AnchoredExpr:
      case T.SmoothedExpr: {
        const word = this.#text(kids[1]!);
        throw this.#pos.error(`the ${goQuote(word)} range modifier (promql-extended-range-selectors) is not supported`, range);
      }
      default:
        throw this.#pos.error(`unexpected ${node.type.name}`, range);
    }
  }

  #text(node: SyntaxNode): string {
    return this.#pos.input.slice(node.from, node.to);
  }

  #range(node: SyntaxNode): PositionRange {
    return this.#pos.range(node.from, node.to);
  }

  /** Decodes a literal token, turning a LiteralError into a positioned parse error. */
  #literal<R>(node: SyntaxNode, decode: (text: string) => R): R {
    try {
      return decode(this.#text(node));
    } catch (err) {
      if (err instanceof LiteralError) throw this.#pos.error(err.message, this.#range(node));
      throw err;
    }
  }

  #string(node: SyntaxNode): StringLiteral {
    return { type: 'StringLiteral', value: this.#literal(node, unquoteString), pos: this.#range(node) };
  }

  #vectorSelector(node: SyntaxNode, kids: SyntaxNode[]): VectorSelector {
    const ident = kids.find((k) => k.type.id === T.Identifier);
    const matchersNode = kids.find((k) => k.type.id === T.LabelMatchers);
    const matchers: Matcher[] = [];
    for (const m of matchersNode ? children(matchersNode) : []) matchers.push(this.#matcher(m));
    const name = ident ? this.#text(ident) : '';
    // Go appends the matcher for a name written outside the braces last; the twice-set check relies on that.
    if (ident) matchers.push(Matcher.eq(METRIC_NAME, name));
    const vs: VectorSelector = {
      type: 'VectorSelector',
      name: ident ? name : (matchers.find((m) => m.name === METRIC_NAME && m.type === MatchType.EQ)?.value ?? ''),
      matchers,
      offsetMs: 0,
      at: null,
      pos: this.#range(node),
    };
    if (ident) this.nameOutside.add(vs);
    return vs;
  }

  #matcher(node: SyntaxNode): Matcher {
    const kids = children(node);
    const unquote = (n: SyntaxNode) => this.#literal(n.type.id === T.QuotedLabelName ? n.firstChild! : n, unquoteString);
    if (node.type.id === T.QuotedLabelName) return Matcher.eq(METRIC_NAME, unquote(node));
    const [nameNode, opNode, valueNode] = kids;
    const labelName = nameNode!.type.id === T.LabelName ? this.#text(nameNode!) : unquote(nameNode!);
    const type = MATCH_TYPES.get(opNode!.firstChild!.type.id)!;
    try {
      return new Matcher(type, labelName, unquote(valueNode!));
    } catch (err) {
      // Prometheus shows the regex engine's own words: "error parsing regexp: missing closing ): `^(?s:()$`".
      if (err instanceof BadDataError) {
        throw this.#pos.error(err.cause instanceof Error ? err.cause.message : err.message, this.#range(node), err);
      }
      throw err;
    }
  }

  /**
   * lezer gives the postfix forms (`[5m]`, `[5m:1m]`, `offset`, `@`) the lowest precedence, so `a + b[5m]`
   * arrives as `(a + b)[5m]`. In Prometheus they bind tightest: they apply to the rightmost operand.
   */
  #postfix(e: Expr, endUtf16: number, apply: (leaf: Expr) => Expr): Expr {
    if (e.type === 'BinaryExpr') e.rhs = this.#postfix(e.rhs, endUtf16, apply);
    else if (e.type === 'UnaryExpr') e.expr = this.#postfix(e.expr, endUtf16, apply);
    else return apply(e);
    e.pos = { start: e.pos.start, end: this.#pos.byte(endUtf16) };
    return e;
  }

  #matrixSelector(node: SyntaxNode, kids: SyntaxNode[]): Expr {
    const [exprNode, durNode] = kids;
    const bracket = this.#pos.range(this.#pos.input.indexOf('[', exprNode!.to), node.to);
    return this.#postfix(this.expr(exprNode!), node.to, (inner): MatrixSelector => {
      if (inner.type !== 'VectorSelector') throw this.#pos.error('ranges only allowed for vector selectors', bracket);
      if (this.#offsetSet.has(inner)) throw this.#pos.error('no offset modifiers allowed before range', bracket);
      if (inner.at) throw this.#pos.error('no @ modifiers allowed before range', bracket);
      const rangeMs = this.#positiveDuration(durNode!);
      return { type: 'MatrixSelector', vectorSelector: inner, rangeMs, pos: { start: inner.pos.start, end: this.#pos.byte(node.to) } };
    });
  }

  #positiveDuration(node: SyntaxNode): number {
    const ms = durationMs(node, this.#pos);
    if (!(ms > 0)) throw this.#pos.error('duration must be greater than 0', this.#range(node));
    return ms;
  }

  #subquery(node: SyntaxNode, kids: SyntaxNode[]): Expr {
    const [exprNode, rangeNode, stepNode] = kids;
    return this.#postfix(this.expr(exprNode!), node.to, (inner): SubqueryExpr => {
      const rangeMs = this.#positiveDuration(rangeNode!);
      const stepMs = stepNode ? this.#positiveDuration(stepNode) : 0;
      const pos = { start: inner.pos.start, end: this.#pos.byte(node.to) };
      return { type: 'SubqueryExpr', expr: inner, rangeMs, stepMs, offsetMs: 0, at: null, pos };
    });
  }

  /** The selector or subquery an `offset`/`@` applies to (through a matrix selector), or an error. */
  #target(e: Expr, modifier: string): Modifiable {
    if (e.type === 'VectorSelector' || e.type === 'SubqueryExpr') return e;
    if (e.type === 'MatrixSelector') return e.vectorSelector;
    throw this.#pos.error(`${modifier} modifier must be preceded by an instant vector selector or range vector selector or a subquery`, e.pos);
  }

  #offset(node: SyntaxNode, kids: SyntaxNode[]): Expr {
    return this.#postfix(this.expr(kids[0]!), node.to, (e) => {
      const target = this.#target(e, 'offset');
      if (this.#offsetSet.has(target)) throw this.#pos.error('offset may not be set multiple times', e.pos);
      target.offsetMs = durationMs(kids[2]!, this.#pos);
      this.#offsetSet.add(target);
      e.pos = { start: e.pos.start, end: this.#pos.byte(node.to) };
      return e;
    });
  }

  #at(node: SyntaxNode, kids: SyntaxNode[]): Expr {
    const valueNode = kids[2]!;
    return this.#postfix(this.expr(kids[0]!), node.to, (e) => {
      let at: AtModifier;
      if (valueNode.type.id === T.AtModifierPreprocessors) {
        at = { kind: valueNode.firstChild!.type.id === T.AtStart ? 'start' : 'end' };
      } else {
        const ts = this.#literal(valueNode, parseNumber);
        if (!Number.isFinite(ts) || Math.abs(ts) >= MAX_AT_SECONDS) {
          throw this.#pos.error(`timestamp out of bounds for @ modifier: ${goFloat(ts)}`, e.pos);
        }
        at = { kind: 'time', ms: goRound(ts * 1000) };
      }
      const target = this.#target(e, '@');
      if (target.at) throw this.#pos.error('@ <timestamp> may not be set multiple times', e.pos);
      target.at = at;
      e.pos = { start: e.pos.start, end: this.#pos.byte(node.to) };
      return e;
    });
  }

  #call(node: SyntaxNode, kids: SyntaxNode[]): Call {
    const [identNode, bodyNode] = kids;
    const name = this.#text(identNode!);
    const func = FUNCTIONS.get(name);
    const identRange = this.#range(identNode!);
    if (!func) {
      // Known to lezer (e.g. histogram_quantiles, start_timestamp) but not to our table: experimental in Prometheus.
      if (!this.#opts.enableExperimentalFunctions) throw this.#pos.error(`function ${goQuote(name)} is not enabled`, identRange);
      throw this.#pos.error(`function ${goQuote(name)} is not supported`, identRange);
    }
    if (func.experimental && !this.#opts.enableExperimentalFunctions) {
      throw this.#pos.error(`function ${goQuote(name)} is not enabled`, identRange);
    }
    const args = children(bodyNode!).map((a) => this.expr(a));
    return { type: 'Call', func, args, pos: this.#range(node) };
  }

  #aggregate(node: SyntaxNode, kids: SyntaxNode[]): AggregateExpr {
    const op = this.#text(kids[0]!).toLowerCase() as AggregateOp;
    const range = this.#range(node);
    const modifier = kids.find((k) => k.type.id === T.AggregateModifier);
    const body = kids.find((k) => k.type.id === T.FunctionCallBody)!;
    const args = children(body);
    if ((op === 'limitk' || op === 'limit_ratio') && !this.#opts.enableExperimentalFunctions) {
      throw this.#pos.error(`${op}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`, range);
    }
    if (args.length === 0) throw this.#pos.error('no arguments for aggregate expression provided', range);
    const want = takesParam(op) ? 2 : 1;
    if (args.length !== want) {
      throw this.#pos.error(`wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`, range);
    }
    const built = args.map((a) => this.expr(a));
    return {
      type: 'AggregateExpr',
      op,
      expr: built[want - 1]!,
      param: want === 2 ? built[0]! : null,
      grouping: modifier ? this.#labels(children(modifier)[1]!) : [],
      without: modifier ? children(modifier)[0]!.type.id === T.Without : false,
      pos: range,
    };
  }

  /** Names in a GroupingLabels node: bare or quoted (UTF-8) label names. */
  #labels(node: SyntaxNode): string[] {
    return children(node).map((n) => (n.type.id === T.QuotedLabelName ? this.#literal(n.firstChild!, unquoteString) : this.#text(n)));
  }

  #binary(node: SyntaxNode, kids: SyntaxNode[]): Expr {
    const lhsNode = kids[0]!;
    const op = BINARY_OPS.get(kids[1]!.type.id);
    const lhsText = this.#text(lhsNode);
    if (op === '^' && lhsNode.type.id === T.NumberDurationLiteral && /^[+-]/.test(lhsText)) {
      return this.#signedPowerBase(node, kids, lhsText);
    }
    return this.#binaryWith(node, kids, this.expr(lhsNode));
  }

  #binaryWith(node: SyntaxNode, kids: SyntaxNode[], lhs: Expr): BinaryExpr {
    const opNode = kids[1]!;
    const rhsNode = kids[kids.length - 1]!;
    const op = BINARY_OPS.get(opNode.type.id);
    const opRange = this.#pos.range(opNode.from, kids[kids.length - 2]!.to);
    if (!op) throw this.#pos.error(`the histogram trim operator ${goQuote(this.#text(opNode))} is not supported`, opRange);
    const matching: VectorMatching = { card: 'one-to-one', matchingLabels: [], on: false, include: [] };
    let returnBool = false;
    for (const mod of kids.slice(2, -1)) {
      if (mod.type.id === T.BoolModifier) returnBool = true;
      else if (mod.type.id === T.MatchingModifierClause) this.#matching(mod, matching);
      else throw this.#pos.error('fill modifiers (promql-binop-fill-modifiers) are not supported', this.#range(mod));
    }
    const b: BinaryExpr = {
      type: 'BinaryExpr',
      op,
      lhs,
      rhs: this.expr(rhsNode),
      matching,
      returnBool,
      pos: this.#range(node),
    };
    this.opRanges.set(b, opRange);
    return b;
  }

  /**
   * lezer reads `-2 ^ 2` as the signed literal -2 raised to 2 (= 4). In Prometheus the sign is a unary
   * operator, which binds less tightly than ^: -(2 ^ 2) = -4. Rebuild it that way.
   */
  #signedPowerBase(node: SyntaxNode, kids: SyntaxNode[], lhsText: string): Expr {
    const lhsNode = kids[0]!;
    const digitsAt = lhsNode.from + 1 + (lhsText.slice(1).length - lhsText.slice(1).trimStart().length);
    const base: Expr = {
      type: 'NumberLiteral',
      value: this.#literal(lhsNode, (t) => parseNumber(t.slice(1).trimStart())),
      pos: this.#pos.range(digitsAt, lhsNode.to),
    };
    const power = this.#binaryWith(node, kids, base);
    power.pos = { start: base.pos.start, end: power.pos.end };
    return { type: 'UnaryExpr', op: lhsText[0] === '-' ? '-' : '+', expr: power, pos: this.#range(node) };
  }

  #matching(clause: SyntaxNode, m: VectorMatching): void {
    const kids = children(clause);
    m.on = kids[0]!.type.id === T.On;
    m.matchingLabels = this.#labels(kids[1]!);
    const group = kids[2];
    if (!group) return;
    m.card = group.type.id === T.GroupLeft ? 'many-to-one' : 'one-to-many';
    if (kids[3]) m.include = this.#labels(kids[3]);
  }

  #unary(node: SyntaxNode, kids: SyntaxNode[]): Expr {
    const op = this.#text(kids[0]!) === '-' ? '-' : '+';
    const inner = this.expr(kids[1]!);
    const range = this.#range(node);
    // Go folds a sign into a number literal directly under it: `-1` is the number -1, `-(1)` is not.
    if (inner.type === 'NumberLiteral') {
      return { type: 'NumberLiteral', value: op === '-' ? -inner.value : inner.value, pos: range };
    }
    return { type: 'UnaryExpr', op, expr: inner, pos: range };
  }
}

/** Go's math.Round: halves away from zero (JS Math.round rounds -2.5 to -2). */
function goRound(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** Go's %f. */
function goFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  // toFixed switches to exponent notation from 1e21; such doubles are integers, which BigInt prints exactly.
  return Math.abs(x) >= 1e21 ? `${BigInt(x)}.000000` : x.toFixed(6);
}
