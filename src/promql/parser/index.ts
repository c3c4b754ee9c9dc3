/**
 * parser: PromQL text → our AST (src/promql/ast.ts), with every check Prometheus's parser makes.
 *
 * It builds on the official lezer grammar (@prometheus-io/lezer-promql), which only recovers from errors;
 * here every error node, lexer-level mistake and semantic violation (types, arity, modifiers, matchers)
 * becomes a BadDataError whose message reads like Prometheus's (`1:5: parse error: unexpected …`) and whose
 * `position` holds byte offsets. It does not evaluate anything, and it does not implement the experimental
 * grammar extensions (anchored/smoothed, fill(), histogram trim `</`, step()/range() in durations).
 *
 *   import { parse, printExpr } from '../promql/parser/index.js';
 *   const e = parse('sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))');
 *   e.type;          // 'AggregateExpr'
 *   printExpr(e);    // 'sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))'
 *   parse('foo +');  // throws BadDataError "1:6: parse error: unexpected end of input"
 */
export { parse } from './parse.js';
export type { ParseOptions } from './parse.js';
export { printExpr } from './print.js';
export { parsePromDuration } from './literals.js';
