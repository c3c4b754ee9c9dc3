/**
 * printExpr(): our AST back to canonical PromQL text, in the format of Prometheus's `String()` methods
 * (promql/parser/printer.go): `sum by (job) (rate(foo{a="b"}[5m] @ 10.000 offset 1m))`.
 *
 * Deliberate difference from Go, so that parse(printExpr(e)) is always e again: `group_left`/`group_right`
 * print even after an empty `ignoring ()` (Go drops them there, changing the meaning).
 */
import { assertNever, MatchType, METRIC_NAME } from '../../model/index.js';
import type { Matcher } from '../../model/index.js';
import type { AtModifier, Expr, SubqueryExpr, VectorMatching, VectorSelector } from '../ast.js';
import { goQuote } from './literals.js';

export function printExpr(e: Expr): string {
  switch (e.type) {
    case 'AggregateExpr': {
      let s = e.op;
      if (e.without) s += ` without (${joinLabels(e.grouping)}) `;
      else if (e.grouping.length > 0) s += ` by (${joinLabels(e.grouping)}) `;
      const param = e.param ? `${printExpr(e.param)}, ` : '';
      return `${s}(${param}${printExpr(e.expr)})`;
    }
    case 'BinaryExpr':
      return `${printExpr(e.lhs)} ${e.op}${e.returnBool ? ' bool' : ''}${matchingText(e.matching)} ${printExpr(e.rhs)}`;
    case 'Call':
      return `${e.func.name}(${e.args.map(printExpr).join(', ')})`;
    case 'MatrixSelector': {
      const vs = e.vectorSelector;
      return `${selectorText(vs)}[${durationText(e.rangeMs)}]${modifiersText(vs)}`;
    }
    case 'SubqueryExpr':
      return `${printExpr(e.expr)}[${durationText(e.rangeMs)}:${e.stepMs ? durationText(e.stepMs) : ''}]${modifiersText(e)}`;
    case 'NumberLiteral':
      return numberText(e.value);
    case 'StringLiteral':
      return goQuote(e.value);
    case 'ParenExpr':
      return `(${printExpr(e.expr)})`;
    case 'UnaryExpr':
      return `${e.op}${printExpr(e.expr)}`;
    case 'VectorSelector':
      return selectorText(e) + modifiersText(e);
    default:
      return assertNever(e, 'expression');
  }
}

function matchingText(m: VectorMatching | null): string {
  if (!m) return '';
  const grouped = m.card === 'many-to-one' || m.card === 'one-to-many';
  if (m.matchingLabels.length === 0 && !m.on && !grouped) return '';
  let s = ` ${m.on ? 'on' : 'ignoring'} (${joinLabels(m.matchingLabels)})`;
  if (grouped) s += ` group_${m.card === 'many-to-one' ? 'left' : 'right'} (${joinLabels(m.include)})`;
  return s;
}

/**
 * `foo{a="b"}` without offset/@. The name goes outside the braces when its matcher is last, which is where
 * the parser puts a name written outside; otherwise every matcher stays inside, in order, so a round trip
 * keeps the matcher order. A UTF-8 name prints in the Prometheus 3 form `{"my.metric"}`.
 */
function selectorText(vs: VectorSelector): string {
  const last = vs.matchers[vs.matchers.length - 1];
  const outside = vs.name !== '' && LEGACY_METRIC.test(vs.name) && last !== undefined && isNameMatcher(last) && last.value === vs.name;
  const inner = (outside ? vs.matchers.slice(0, -1) : vs.matchers).map((m) =>
    isNameMatcher(m) && !LEGACY_METRIC.test(m.value) ? goQuote(m.value) : matcherText(m),
  );
  const prefix = outside ? vs.name : '';
  return inner.length === 0 && prefix ? prefix : `${prefix}{${inner.join(', ')}}`;
}

const LEGACY_METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function isNameMatcher(m: Matcher): boolean {
  return m.name === METRIC_NAME && m.type === MatchType.EQ;
}

const OP_TEXT: Record<MatchType, string> = { [MatchType.EQ]: '=', [MatchType.NEQ]: '!=', [MatchType.RE]: '=~', [MatchType.NRE]: '!~' };

function matcherText(m: Matcher): string {
  return `${labelText(m.name)}${OP_TEXT[m.type]}${goQuote(m.value)}`;
}

function labelText(name: string): string {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) ? name : goQuote(name);
}

function joinLabels(names: string[]): string {
  return names.map(labelText).join(', ');
}

/** ` @ 10.000 offset 5m`: Go prints @ before offset. */
function modifiersText(e: VectorSelector | SubqueryExpr): string {
  let s = e.at ? ` @ ${atText(e.at)}` : '';
  if (e.offsetMs > 0) s += ` offset ${durationText(e.offsetMs)}`;
  else if (e.offsetMs < 0) s += ` offset -${durationText(-e.offsetMs)}`;
  return s;
}

function atText(at: AtModifier): string {
  switch (at.kind) {
    case 'start':
      return 'start()';
    case 'end':
      return 'end()';
    case 'time':
      return (at.ms / 1000).toFixed(3);
    default:
      return assertNever(at, '@ modifier');
  }
}

/** model.Duration.String(): years and weeks only when exact (`90d`, not `12w6d`). */
export function durationText(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let s = '';
  const unit = (name: string, mult: number, exact: boolean) => {
    if (exact && rest % mult !== 0) return;
    const v = Math.floor(rest / mult);
    if (v > 0) {
      s += `${v}${name}`;
      rest -= v * mult;
    }
  };
  unit('y', 365 * 86400000, true);
  unit('w', 7 * 86400000, true);
  unit('d', 86400000, false);
  unit('h', 3600000, false);
  unit('m', 60000, false);
  unit('s', 1000, false);
  unit('ms', 1, false);
  return s;
}

/** strconv.FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent; ±Inf as `+Inf`/`-Inf`. */
export function numberText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return Object.is(v, -0) ? '-0' : s;
  const [, sign, lead, frac = '', expText] = m;
  const digits = lead! + frac;
  const exp = Number(expText);
  if (exp >= 0) {
    const int = digits.length <= exp + 1 ? digits.padEnd(exp + 1, '0') : `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
    return sign + int;
  }
  return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
}
