/**
 * The PromQL AST: what the parser produces and the engine evaluates. Shapes follow Prometheus's Go AST
 * (promql/parser/ast.go) so behaviour can be compared node for node; offsets and `@` are folded into the
 * selector or subquery they modify, as Go does.
 */
import type { Matcher } from '../model/index.js';
import type { FunctionSignature } from './functions/signatures.js';

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

/** Byte offsets [start, end) into the query text. */
export interface PositionRange {
  start: number;
  end: number;
}

export type Expr =
  | AggregateExpr
  | BinaryExpr
  | Call
  | MatrixSelector
  | SubqueryExpr
  | NumberLiteral
  | StringLiteral
  | ParenExpr
  | UnaryExpr
  | VectorSelector;

export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'count'
  | 'min'
  | 'max'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'count_values'
  | 'quantile'
  | 'limitk'
  | 'limit_ratio';

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

/** `@` modifier: a fixed time in ms, or the query's start()/end(). */
export type AtModifier = { kind: 'time'; ms: number } | { kind: 'start' } | { kind: 'end' };

export interface VectorSelector {
  type: 'VectorSelector';
  /** Metric name if given outside the braces (or via a `__name__` equality matcher), else ''. */
  name: string;
  /** All matchers, including the `__name__` one for a bare metric name. */
  matchers: Matcher[];
  /** `offset` in ms; negative allowed. 0 when absent. */
  offsetMs: number;
  at: AtModifier | null;
  pos: PositionRange;
}

export interface MatrixSelector {
  type: 'MatrixSelector';
  /** The selector being ranged over; its offset and @ apply. */
  vectorSelector: VectorSelector;
  rangeMs: number;
  pos: PositionRange;
}

export interface SubqueryExpr {
  type: 'SubqueryExpr';
  expr: Expr;
  rangeMs: number;
  /** Resolution in ms; 0 means the engine default (the global evaluation interval, 1m). */
  stepMs: number;
  offsetMs: number;
  at: AtModifier | null;
  pos: PositionRange;
}

export interface Call {
  type: 'Call';
  func: FunctionSignature;
  args: Expr[];
  pos: PositionRange;
}

export interface AggregateExpr {
  type: 'AggregateExpr';
  op: AggregateOp;
  expr: Expr;
  /** topk/bottomk/quantile/limitk/limit_ratio (scalar) and count_values (string); null otherwise. */
  param: Expr | null;
  /** Grouping label names, as written (the engine sorts as it needs). */
  grouping: string[];
  /** `without (…)` rather than `by (…)`. A bare aggregation is `by ()`. */
  without: boolean;
  pos: PositionRange;
}

export type VectorMatchCardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

export interface VectorMatching {
  card: VectorMatchCardinality;
  /** Labels from on(…) or ignoring(…). */
  matchingLabels: string[];
  /** true for on(…), false for ignoring(…) or no clause. */
  on: boolean;
  /** Extra labels from group_left(…)/group_right(…). */
  include: string[];
}

export interface BinaryExpr {
  type: 'BinaryExpr';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  /** Set when both sides are vectors (Go: VectorMatching is nil otherwise). Set ops are many-to-many. */
  matching: VectorMatching | null;
  /** The `bool` modifier on a comparison. */
  returnBool: boolean;
  pos: PositionRange;
}

export interface NumberLiteral {
  type: 'NumberLiteral';
  value: number;
  pos: PositionRange;
}

export interface StringLiteral {
  type: 'StringLiteral';
  value: string;
  pos: PositionRange;
}

export interface ParenExpr {
  type: 'ParenExpr';
  expr: Expr;
  pos: PositionRange;
}

export interface UnaryExpr {
  type: 'UnaryExpr';
  op: '+' | '-';
  expr: Expr;
  pos: PositionRange;
}

/** The value type an expression evaluates to (Go: Expr.Type()). */
export function exprType(e: Expr): ValueType {
  switch (e.type) {
    case 'AggregateExpr':
    case 'VectorSelector':
      return 'vector';
    case 'MatrixSelector':
    case 'SubqueryExpr':
      return 'matrix';
    case 'NumberLiteral':
      return 'scalar';
    case 'StringLiteral':
      return 'string';
    case 'Call':
      return e.func.returnType;
    case 'ParenExpr':
    case 'UnaryExpr':
      return exprType(e.expr);
    case 'BinaryExpr':
      return exprType(e.lhs) === 'scalar' && exprType(e.rhs) === 'scalar' ? 'scalar' : 'vector';
  }
}

/** The matchers of every vector selector in `e`, in query order (Prometheus's parser.ExtractSelectors). */
export function extractSelectors(e: Expr): Matcher[][] {
  const out: Matcher[][] = [];
  const walk = (x: Expr): void => {
    switch (x.type) {
      case 'VectorSelector':
        out.push(x.matchers);
        return;
      case 'MatrixSelector':
        return walk(x.vectorSelector);
      case 'SubqueryExpr':
      case 'ParenExpr':
      case 'UnaryExpr':
        return walk(x.expr);
      case 'AggregateExpr':
        if (x.param !== null) walk(x.param);
        return walk(x.expr);
      case 'Call':
        return x.args.forEach(walk);
      case 'BinaryExpr':
        walk(x.lhs);
        return walk(x.rhs);
      case 'NumberLiteral':
      case 'StringLiteral':
        return;
    }
  };
  walk(e);
  return out;
}
