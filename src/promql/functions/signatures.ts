/**
 * Signatures of every PromQL function Prometheus 3.14 knows (promql/parser/functions.go): argument types,
 * how many trailing arguments are optional, return type and whether it is experimental (then it needs
 * `--enable-feature=promql-experimental-functions`). The parser checks calls against this table; the engine's
 * implementation tables are keyed by the same names (a test checks they match).
 */
import type { ValueType } from '../ast.js';

export interface FunctionSignature {
  name: string;
  argTypes: ValueType[];
  /**
   * 0: exactly argTypes.length arguments. n > 0: the last n of argTypes may be omitted.
   * -1: the last argument type repeats any number of times (at least argTypes.length - 1 arguments).
   */
  variadic: number;
  returnType: ValueType;
  experimental: boolean;
}

const S: ValueType = 'scalar';
const V: ValueType = 'vector';
const M: ValueType = 'matrix';
const STR: ValueType = 'string';

function fn(name: string, argTypes: ValueType[], returnType: ValueType, variadic = 0, experimental = false): FunctionSignature {
  return { name, argTypes, variadic, returnType, experimental };
}

const vectorMath = [
  'abs', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'ceil', 'cos', 'cosh', 'deg', 'exp', 'floor',
  'ln', 'log10', 'log2', 'rad', 'sgn', 'sin', 'sinh', 'sqrt', 'tan', 'tanh',
];
const overTime = [
  'avg_over_time', 'count_over_time', 'first_over_time', 'last_over_time', 'max_over_time', 'min_over_time',
  'present_over_time', 'stddev_over_time', 'stdvar_over_time', 'sum_over_time', 'absent_over_time',
  'changes', 'delta', 'deriv', 'idelta', 'increase', 'irate', 'rate', 'resets',
];
const dateFunctions = ['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year'];
const histogramVector = ['histogram_avg', 'histogram_count', 'histogram_sum', 'histogram_stddev', 'histogram_stdvar'];
const experimentalOverTime = ['mad_over_time', 'ts_of_first_over_time', 'ts_of_last_over_time', 'ts_of_max_over_time', 'ts_of_min_over_time'];

const table: FunctionSignature[] = [
  ...vectorMath.map((n) => fn(n, [V], V)),
  ...overTime.map((n) => fn(n, [M], V)),
  ...dateFunctions.map((n) => fn(n, [V], V, 1)),
  ...histogramVector.map((n) => fn(n, [V], V)),
  fn('absent', [V], V),
  fn('clamp', [V, S, S], V),
  fn('clamp_max', [V, S], V),
  fn('clamp_min', [V, S], V),
  fn('histogram_fraction', [S, S, V], V),
  fn('histogram_quantile', [S, V], V),
  fn('label_join', [V, STR, STR, STR], V, -1),
  fn('label_replace', [V, STR, STR, STR, STR], V),
  fn('pi', [], S),
  fn('predict_linear', [M, S], V),
  fn('quantile_over_time', [S, M], V),
  fn('round', [V, S], V, 1),
  fn('scalar', [V], S),
  fn('sort', [V], V),
  fn('sort_desc', [V], V),
  fn('time', [], S),
  fn('timestamp', [V], V),
  fn('vector', [S], V),
  // Experimental.
  ...experimentalOverTime.map((n) => fn(n, [M], V, 0, true)),
  fn('double_exponential_smoothing', [M, S, S], V, 0, true),
  fn('sort_by_label', [V, STR], V, -1, true),
  fn('sort_by_label_desc', [V, STR], V, -1, true),
  fn('info', [V, V], V, 1, true),
  fn('start', [], S, 0, true),
  fn('end', [], S, 0, true),
  fn('range', [], S, 0, true),
  fn('step', [], S, 0, true),
  fn('min_of', [S, S], S, 0, true),
  fn('max_of', [S, S], S, 0, true),
];

/** By name. */
export const FUNCTIONS: ReadonlyMap<string, FunctionSignature> = new Map(table.map((f) => [f.name, f]));

/** Aggregations that exist only behind the experimental-functions feature flag. */
export const EXPERIMENTAL_AGGREGATIONS: ReadonlySet<string> = new Set(['limitk', 'limit_ratio']);
