/**
 * Prometheus's semantic checks (promql/parser/parse.go `checkAST`), run over the finished AST in the same
 * order as Go (children before the node, left before right), so the first error reported is Go's first.
 * Messages are Prometheus's, word for word. Also normalises BinaryExpr.matching as Go does.
 */
import { assertNever, METRIC_NAME } from '../../model/index.js';
import { exprType } from '../ast.js';
import type { AggregateExpr, BinaryExpr, Call, Expr, PositionRange, ValueType, VectorSelector } from '../ast.js';
import { goQuote } from './literals.js';
import type { Positions } from './position.js';

/** Prometheus's DocumentedType: the words users see in type errors. */
export function documentedType(t: ValueType): string {
  switch (t) {
    case 'vector':
      return 'instant vector';
    case 'matrix':
      return 'range vector';
    default:
      return t;
  }
}

const COMPARISON = new Set(['==', '!=', '>', '<', '>=', '<=']);
const SET_OPS = new Set(['and', 'or', 'unless']);

export function isComparison(op: string): boolean {
  return COMPARISON.has(op);
}

/** What the check pass needs from the builder besides the AST. */
export interface CheckContext {
  pos: Positions;
  /** Operator (and modifiers) range of each binary expression; defaults to the whole expression. */
  opRanges: WeakMap<BinaryExpr, PositionRange>;
  /** Selectors whose metric name was written outside the braces. */
  nameOutside: WeakSet<VectorSelector>;
}

/** Go's checkAST: recursive type checks. Throws the first error as a positioned BadDataError. */
export function checkAST(e: Expr, ctx: CheckContext): void {
  const { pos } = ctx;
  switch (e.type) {
    case 'AggregateExpr':
      expectType(e.expr, 'vector', 'aggregation expression', ctx);
      if (e.param) expectType(e.param, e.op === 'count_values' ? 'string' : 'scalar', 'aggregation parameter', ctx);
      return;
    case 'BinaryExpr':
      checkAST(e.lhs, ctx);
      checkAST(e.rhs, ctx);
      checkBinary(e, ctx.opRanges.get(e) ?? e.pos, pos);
      return;
    case 'Call':
      checkCall(e, ctx);
      return;
    case 'MatrixSelector':
      checkAST(e.vectorSelector, ctx);
      return;
    case 'SubqueryExpr': {
      checkAST(e.expr, ctx);
      const t = exprType(e.expr);
      if (t !== 'vector') throw pos.error(`subquery is only allowed on instant vector, got ${t} instead`, e.pos);
      return;
    }
    case 'ParenExpr':
      checkAST(e.expr, ctx);
      return;
    case 'UnaryExpr': {
      checkAST(e.expr, ctx);
      const t = exprType(e.expr);
      if (t !== 'scalar' && t !== 'vector') {
        throw pos.error(`unary expression only allowed on expressions of type scalar or instant vector, got ${goQuote(documentedType(t))}`, e.pos);
      }
      return;
    }
    case 'VectorSelector':
      checkVectorSelector(e, ctx.nameOutside.has(e), pos);
      return;
    case 'NumberLiteral':
    case 'StringLiteral':
      return;
    default:
      assertNever(e, 'expression');
  }
}

function expectType(e: Expr, want: ValueType, context: string, ctx: CheckContext): void {
  checkAST(e, ctx);
  const pos = ctx.pos;
  const got = exprType(e);
  if (got !== want) {
    throw pos.error(`expected type ${documentedType(want)} in ${context}, got ${documentedType(got)}`, e.pos);
  }
}

/**
 * Binary expression rules. `opRange` is the operator and its modifiers, where Prometheus points for
 * operator-level errors. Normalises `matching` as Go does: dropped unless both sides are vectors, and
 * many-to-many for set operators.
 */
function checkBinary(b: BinaryExpr, opRange: PositionRange, pos: Positions): void {
  const lt = exprType(b.lhs);
  const rt = exprType(b.rhs);
  if (b.returnBool && !isComparison(b.op)) throw pos.error('bool modifier can only be used on comparison operators', opRange);
  if (isComparison(b.op) && !b.returnBool && lt === 'scalar' && rt === 'scalar') {
    throw pos.error('comparisons between scalars must use BOOL modifier', opRange);
  }
  const m = b.matching;
  if (m && SET_OPS.has(b.op) && m.card === 'one-to-one') m.card = 'many-to-many';
  if (m?.on) {
    for (const l of m.matchingLabels) {
      if (m.include.includes(l)) throw pos.error(`label ${goQuote(l)} must not occur in ON and GROUP clause at once`, opRange);
    }
  }
  if (lt !== 'scalar' && lt !== 'vector') throw pos.error('binary expression must contain only scalar and instant vector types', b.lhs.pos);
  if (rt !== 'scalar' && rt !== 'vector') throw pos.error('binary expression must contain only scalar and instant vector types', b.rhs.pos);
  if (lt !== 'vector' || rt !== 'vector') {
    if (m && (m.matchingLabels.length > 0 || m.on)) throw pos.error('vector matching only allowed between instant vectors', b.pos);
    b.matching = null;
  } else if (m && SET_OPS.has(b.op)) {
    if (m.card === 'one-to-many' || m.card === 'many-to-one') throw pos.error(`no grouping allowed for ${goQuote(b.op)} operation`, b.pos);
  }
  if ((lt === 'scalar' || rt === 'scalar') && SET_OPS.has(b.op)) {
    throw pos.error(`set operator ${goQuote(b.op)} not allowed in binary scalar expression`, b.pos);
  }
}

/** Arity and argument types of a function call. */
function checkCall(call: Call, ctx: CheckContext): void {
  const pos = ctx.pos;
  const f = call.func;
  const nargs = f.argTypes.length;
  const got = call.args.length;
  if (f.variadic === 0) {
    if (got !== nargs) throw pos.error(`expected ${nargs} argument(s) in call to ${goQuote(f.name)}, got ${got}`, call.pos);
  } else {
    const min = nargs - (f.variadic > 0 ? f.variadic : 1);
    if (got < min) throw pos.error(`expected at least ${min} argument(s) in call to ${goQuote(f.name)}, got ${got}`, call.pos);
    if (f.variadic > 0 && got > nargs) {
      throw pos.error(`expected at most ${nargs} argument(s) in call to ${goQuote(f.name)}, got ${got}`, call.pos);
    }
  }
  call.args.forEach((arg, i) => {
    const want = f.argTypes[Math.min(i, nargs - 1)]!;
    expectType(arg, want, `call to function ${goQuote(f.name)}`, ctx);
  });
}

const PARAM_SCALAR = new Set(['topk', 'bottomk', 'quantile', 'limitk', 'limit_ratio']);

/** Whether the aggregation takes a parameter before the vector (`topk(3, x)`). */
export function takesParam(op: string): boolean {
  return PARAM_SCALAR.has(op) || op === 'count_values';
}

/**
 * A selector needs a matcher that rejects the empty string, so a typo cannot select every series; and the
 * metric name may come from outside the braces or a `__name__` matcher, not both.
 */
function checkVectorSelector(vs: VectorSelector, nameOutside: boolean, pos: Positions): void {
  if (nameOutside) {
    const inner = vs.matchers.find((m, i) => m.name === METRIC_NAME && i < vs.matchers.length - 1);
    if (inner) throw pos.error(`metric name must not be set twice: ${goQuote(vs.name)} or ${goQuote(inner.value)}`, vs.pos);
    return;
  }
  if (!vs.matchers.some((m) => !m.matchesEmpty())) {
    throw pos.error('vector selector must contain at least one non-empty matcher', vs.pos);
  }
}
