/**
 * A pre-pass over the AST before evaluation (Prometheus `PreprocessExpr` + `extractFuncFromPath`):
 *  - step-invariant subtrees: a subtree whose value cannot change from step to step (every selector in it
 *    is pinned with `@`, and no function reads the evaluation time) is evaluated once and repeated;
 *  - storage hints per selector: the nearest enclosing function or aggregation, and the grouping of an
 *    aggregation directly around it.
 */
import type { Expr, VectorSelector } from '../ast.js';
import type { SelectorHints } from './selector.js';

/** Functions whose result depends on the evaluation time even when their input does not (Go AtModifierUnsafeFunctions). */
const AT_UNSAFE = new Set([
  'days_in_month', 'day_of_month', 'day_of_week', 'day_of_year', 'hour', 'minute', 'month', 'year',
  'predict_linear', 'time', 'timestamp',
]);

export interface Plan {
  stepInvariant: Set<Expr>;
  selectorHints: Map<VectorSelector, SelectorHints>;
  /** Selectors read by timestamp(): only they keep the time of each picked sample. */
  needSampleTimes: Set<VectorSelector>;
}

export function planQuery(root: Expr): Plan {
  const plan: Plan = { stepInvariant: new Set(), selectorHints: new Map(), needSampleTimes: new Set() };
  if (walk(root, [], plan)) mark(root, plan);
  return plan;
}

function mark(e: Expr, plan: Plan): void {
  if (e.type !== 'NumberLiteral' && e.type !== 'StringLiteral') plan.stepInvariant.add(e);
}

/** Returns whether `e` is step-invariant; marks invariant children of variant parents. */
function walk(e: Expr, path: Expr[], plan: Plan): boolean {
  const sub = [...path, e];
  switch (e.type) {
    case 'VectorSelector':
      plan.selectorHints.set(e, hintsFromPath(path));
      return e.at !== null;
    case 'MatrixSelector':
      walk(e.vectorSelector, sub, plan);
      return e.vectorSelector.at !== null;
    case 'SubqueryExpr':
      // The inside is evaluated over the subquery's own steps; if it is invariant there, compute it once.
      if (walk(e.expr, sub, plan)) mark(e.expr, plan);
      return e.at !== null;
    case 'Call': {
      if (e.func.name === 'timestamp' && e.args.length === 1) {
        let a = e.args[0];
        while (a.type === 'ParenExpr') a = a.expr;
        if (a.type === 'VectorSelector') plan.needSampleTimes.add(a);
      }
      const flags = e.args.map((a) => walk(a, sub, plan));
      if (!AT_UNSAFE.has(e.func.name) && flags.every(Boolean)) return true;
      flags.forEach((f, i) => f && mark(e.args[i], plan));
      return false;
    }
    case 'AggregateExpr': {
      const inner = walk(e.expr, sub, plan);
      const param = e.param === null ? true : walk(e.param, sub, plan);
      if (inner && param) return true;
      if (inner) mark(e.expr, plan);
      if (param && e.param !== null) mark(e.param, plan);
      return false;
    }
    case 'BinaryExpr': {
      const l = walk(e.lhs, sub, plan);
      const r = walk(e.rhs, sub, plan);
      if (l && r) return true;
      if (l) mark(e.lhs, plan);
      if (r) mark(e.rhs, plan);
      return false;
    }
    case 'ParenExpr':
    case 'UnaryExpr':
      return walk(e.expr, sub, plan);
    case 'NumberLiteral':
    case 'StringLiteral':
      return true;
  }
}

function hintsFromPath(path: Expr[]): SelectorHints {
  const hints: SelectorHints = {};
  for (let i = path.length - 1; i >= 0; i--) {
    const n = path[i];
    if (n.type === 'BinaryExpr') break;
    if (n.type === 'Call') {
      hints.func = n.func.name;
      break;
    }
    if (n.type === 'AggregateExpr') {
      hints.func = n.op;
      break;
    }
  }
  const parent = path[path.length - 1];
  if (parent?.type === 'AggregateExpr') {
    hints.by = !parent.without;
    hints.grouping = parent.grouping;
  }
  return hints;
}
