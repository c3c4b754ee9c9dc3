/**
 * The implicit `@` re-check of every instant eval (Prometheus promqltest `atModifierTestCases`): pin every
 * selector and subquery that has no `@` to the evaluation time, then evaluate the pinned query at several
 * other times; the answer must not change. Selectors inside a subquery are left alone (the subquery's own
 * `@` already pins them), as in Go, where `hasAtModifier(path)` stops the rewrite below a pinned subquery.
 *
 * Queries calling a function whose result depends on the evaluation time even with pinned arguments
 * (Go `AtModifierUnsafeFunctions`) get no re-check.
 */
import { assertNever } from '../../model/index.js';
import type { Expr } from '../ast.js';

/**
 * Go promql.AtModifierUnsafeFunctions, plus the experimental start/end/range/step, which depend on the
 * query's time range as time() depends on the evaluation time.
 */
export const AT_MODIFIER_UNSAFE_FUNCTIONS: ReadonlySet<string> = new Set([
  'days_in_month', 'day_of_month', 'day_of_week', 'day_of_year', 'hour', 'minute', 'month', 'year',
  'predict_linear', 'time', 'timestamp', 'start', 'end', 'range', 'step',
]);

export interface AtModifierCase {
  expr: Expr;
  evalMs: number;
}

/** The pinned query and the times to evaluate it at; [] when the query has an @-unsafe function. */
export function atModifierCases(expr: Expr, evalMs: number): AtModifierCase[] {
  if (callsAny(expr, AT_MODIFIER_UNSAFE_FUNCTIONS)) return [];
  const pinned = pinAt(expr, evalMs);
  // Go: []int64{-10 * ts, 0, ts / 5, ts, 10 * ts}, or {-1000, 0, 1000} at ts = 0 (integer division truncates).
  const times = evalMs === 0 ? [-1000, 0, 1000] : [-10 * evalMs, 0, Math.trunc(evalMs / 5), evalMs, 10 * evalMs];
  return times.map((t) => ({ expr: pinned, evalMs: t }));
}

/** A copy of `e` with `@ ms` on every selector and subquery lacking one; shared subtrees are not mutated. */
export function pinAt(e: Expr, ms: number): Expr {
  switch (e.type) {
    // `@ start()`/`@ end()` count as unpinned: Go keeps them in `StartOrEnd` with `Timestamp` nil, sets
    // `Timestamp`, and the re-printed query then carries `@ <t>` (String() prefers Timestamp).
    case 'VectorSelector':
      return e.at === null || e.at.kind !== 'time' ? { ...e, at: { kind: 'time', ms } } : e;
    case 'MatrixSelector':
      return e.vectorSelector.at === null || e.vectorSelector.at.kind !== 'time'
        ? { ...e, vectorSelector: { ...e.vectorSelector, at: { kind: 'time', ms } } }
        : e;
    case 'SubqueryExpr':
      // Its inner selectors stay relative to the subquery's own steps.
      return e.at === null || e.at.kind !== 'time' ? { ...e, at: { kind: 'time', ms } } : e;
    case 'AggregateExpr':
      return { ...e, expr: pinAt(e.expr, ms), param: e.param === null ? null : pinAt(e.param, ms) };
    case 'BinaryExpr':
      return { ...e, lhs: pinAt(e.lhs, ms), rhs: pinAt(e.rhs, ms) };
    case 'Call':
      return { ...e, args: e.args.map((a) => pinAt(a, ms)) };
    case 'ParenExpr':
    case 'UnaryExpr':
      return { ...e, expr: pinAt(e.expr, ms) };
    case 'NumberLiteral':
    case 'StringLiteral':
      return e;
    default:
      return assertNever(e, 'expression');
  }
}

/** True when the query calls one of `names` anywhere (including inside subqueries). */
export function callsAny(e: Expr, names: ReadonlySet<string>): boolean {
  switch (e.type) {
    case 'Call':
      return names.has(e.func.name) || e.args.some((a) => callsAny(a, names));
    case 'AggregateExpr':
      return callsAny(e.expr, names) || (e.param !== null && callsAny(e.param, names));
    case 'BinaryExpr':
      return callsAny(e.lhs, names) || callsAny(e.rhs, names);
    case 'ParenExpr':
    case 'UnaryExpr':
    case 'SubqueryExpr':
      return callsAny(e.expr, names);
    case 'VectorSelector':
    case 'MatrixSelector':
    case 'NumberLiteral':
    case 'StringLiteral':
      return false;
    default:
      return assertNever(e, 'expression');
  }
}

/** True when a selector or subquery uses `@ start()` or `@ end()`. */
export function usesAtStartOrEnd(e: Expr): boolean {
  switch (e.type) {
    case 'VectorSelector':
      return e.at !== null && e.at.kind !== 'time';
    case 'MatrixSelector':
      return usesAtStartOrEnd(e.vectorSelector);
    case 'SubqueryExpr':
      return (e.at !== null && e.at.kind !== 'time') || usesAtStartOrEnd(e.expr);
    case 'Call':
      return e.args.some(usesAtStartOrEnd);
    case 'AggregateExpr':
      return usesAtStartOrEnd(e.expr) || (e.param !== null && usesAtStartOrEnd(e.param));
    case 'BinaryExpr':
      return usesAtStartOrEnd(e.lhs) || usesAtStartOrEnd(e.rhs);
    case 'ParenExpr':
    case 'UnaryExpr':
      return usesAtStartOrEnd(e.expr);
    case 'NumberLiteral':
    case 'StringLiteral':
      return false;
    default:
      return assertNever(e, 'expression');
  }
}
