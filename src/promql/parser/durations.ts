/**
 * Duration expressions: ranges `[…]`, subquery steps and `offset` take either a duration literal (`5m`, or
 * a bare number meaning seconds) or, since Prometheus 3.14, arithmetic over them (`[5m+30s]`,
 * `offset (1h/2)`, `max_of(1m, 2*30s)`). Constant ones are folded here to milliseconds, as Prometheus's
 * durationVisitor does; `step()` and `range()` depend on the query and are rejected as not supported yet.
 */
import * as T from '@prometheus-io/lezer-promql';
import { isDurationToken, LiteralError, parseDurationMs, parseNumber } from './literals.js';
import type { Positions } from './position.js';
import { children, type SyntaxNode } from './tree.js';

/** Value of a DurationExpr / OffsetDurationExpr node in milliseconds. */
export function durationMs(node: SyntaxNode, pos: Positions): number {
  const s = seconds(node, pos);
  // Go holds durations as int64 nanoseconds: about ±292 years.
  if (!(Math.abs(s) <= MAX_DURATION_SECONDS)) throw pos.errorAt('duration out of range', node.from, node.to);
  return Math.round(s * 1000);
}

const MAX_DURATION_SECONDS = 9223372036.854775;

/** True when the node is a bare literal (not arithmetic), which is what Prometheus ≤3.13 allowed. */
export function literalChild(node: SyntaxNode): SyntaxNode | null {
  const kids = children(node);
  return kids.length === 1 && kids[0]!.type.id === T.NumberDurationLiteralInDurationContext ? kids[0]! : null;
}

function seconds(node: SyntaxNode, pos: Positions): number {
  const text = (n: SyntaxNode) => pos.input.slice(n.from, n.to);
  const kids = children(node);
  switch (node.type.id) {
    case T.NumberDurationLiteralInDurationContext: {
      const t = text(node);
      try {
        if (isDurationToken(t)) {
          const ms = parseDurationMs(t);
          if (ms === 0) throw new LiteralError('duration must be greater than 0');
          return ms / 1000;
        }
        return parseNumber(t);
      } catch (err) {
        if (err instanceof LiteralError) throw pos.errorAt(err.message, node.from, node.to);
        throw err;
      }
    }
    case T.DurationExpr:
    case T.OffsetDurationExpr:
      break;
    default:
      throw pos.errorAt(`unexpected ${node.type.name} in duration expression`, node.from, node.to);
  }
  const first = kids[0];
  if (!first) throw pos.errorAt('empty duration expression', node.from, node.to);
  if (first.type.id === T.UnaryOp) {
    const v = seconds(kids[1]!, pos);
    return text(first) === '-' ? -v : v;
  }
  if (first.type.id === T.DurationStep || first.type.id === T.DurationRange) {
    throw pos.errorAt(`${text(first)}() in duration expressions is not supported yet`, node.from, node.to);
  }
  if (first.type.id === T.DurationMinOf || first.type.id === T.DurationMaxOf) {
    const a = seconds(kids[1]!, pos);
    const b = seconds(kids[2]!, pos);
    return first.type.id === T.DurationMinOf ? Math.min(a, b) : Math.max(a, b);
  }
  if (kids.length === 1) return seconds(first, pos);
  const [lhsNode, opNode, rhsNode] = kids;
  const lhs = seconds(lhsNode!, pos);
  const rhs = seconds(rhsNode!, pos);
  switch (opNode!.type.id) {
    case T.Add:
      return lhs + rhs;
    case T.Sub:
      return lhs - rhs;
    case T.Mul:
      return lhs * rhs;
    case T.Div:
      if (rhs === 0) throw pos.errorAt('division by zero', node.from, node.to);
      return lhs / rhs;
    case T.Mod:
      if (rhs === 0) throw pos.errorAt('modulo by zero', node.from, node.to);
      return lhs % rhs;
    case T.Pow:
      return Math.pow(lhs, rhs);
    default:
      throw pos.errorAt(`unexpected ${opNode!.type.name} in duration expression`, opNode!.from, opNode!.to);
  }
}
