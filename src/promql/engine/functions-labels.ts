/**
 * label_replace and label_join. Regexes are RE2 (re2js), fully anchored with `.` matching newlines, as
 * Prometheus compiles them (`^(?s:re)$`); the replacement is expanded like Go's Regexp.Expand, so `$1x`
 * means the group named `1x` (empty), not group 1 followed by x. Use `${1}x`.
 */
import { RE2JS } from 're2js';
import { ExecutionError, METRIC_NAME } from '../../model/index.js';
import type { Call } from '../ast.js';
import type { EvalContext } from './context.js';
import type { Evaluate } from './evaluate.js';
import { isValidLabelName } from './label-names.js';
import { type Grid, type StepSeries, type Value } from './value.js';

function stringArg(e: Call, i: number): string {
  const a = e.args[i];
  if (a.type !== 'StringLiteral') throw new Error(`${e.func.name}: argument ${i + 1} must be a string literal`);
  return a.value;
}

/** label_replace(v, dst, replacement, src, regex). */
export async function evalLabelReplace(ctx: EvalContext, e: Call, grid: Grid, evaluate: Evaluate): Promise<Value> {
  const dst = stringArg(e, 1);
  const repl = stringArg(e, 2);
  const src = stringArg(e, 3);
  const regex = stringArg(e, 4);
  let re: RE2JS;
  try {
    re = RE2JS.compile(`^(?s:${regex})$`);
  } catch (err) {
    throw new ExecutionError(`invalid regular expression in label_replace(): ${regex}`, { cause: err });
  }
  if (!isValidLabelName(dst)) throw new ExecutionError(`invalid destination label name in label_replace(): ${dst}`);
  const names = re.namedGroups();
  const vec = await evaluate(ctx, e.args[0], grid);
  if (vec.kind !== 'vector') throw new Error('label_replace: expected an instant vector');
  const series: StepSeries[] = [];
  for (const s of vec.series) {
    await ctx.checkpoint();
    const m = re.matcher(s.labels.get(src));
    if (!m.matches()) {
      series.push(s);
      continue;
    }
    const value = expand(repl, (g) => (typeof g === 'number' ? (g <= m.groupCount() ? m.group(g) : null) : g in names ? m.group(g) : null));
    series.push({ ...s, labels: s.labels.builder().set(dst, value).labels(), dropName: dst === METRIC_NAME ? false : s.dropName });
  }
  return { kind: 'vector', series: checkUnique(series) };
}

/** label_join(v, dst, separator, src...). */
export async function evalLabelJoin(ctx: EvalContext, e: Call, grid: Grid, evaluate: Evaluate): Promise<Value> {
  const dst = stringArg(e, 1);
  const sep = stringArg(e, 2);
  const srcs: string[] = [];
  for (let i = 3; i < e.args.length; i++) {
    const src = stringArg(e, i);
    if (!isValidLabelName(src)) throw new ExecutionError(`invalid source label name in label_join(): ${src}`);
    srcs.push(src);
  }
  if (!isValidLabelName(dst)) throw new ExecutionError(`invalid destination label name in label_join(): ${dst}`);
  const vec = await evaluate(ctx, e.args[0], grid);
  if (vec.kind !== 'vector') throw new Error('label_join: expected an instant vector');
  const series = vec.series.map((s) => {
    const value = srcs.map((n) => s.labels.get(n)).join(sep);
    return { ...s, labels: s.labels.builder().set(dst, value).labels(), dropName: dst === METRIC_NAME ? false : s.dropName };
  });
  return { kind: 'vector', series: checkUnique(series) };
}

/** Relabelling can make two series identical; Prometheus refuses that result. */
function checkUnique(series: StepSeries[]): StepSeries[] {
  const seen = new Set<string>();
  for (const s of series) {
    const k = s.labels.key();
    if (seen.has(k)) throw new ExecutionError('vector cannot contain metrics with the same labelset');
    seen.add(k);
  }
  return series;
}

/**
 * Go's Regexp.Expand: `$name` / `${name}` take the longest run of letters, digits and `_`; an all-digit
 * name is a group number; unknown groups expand to ''; `$$` is `$`; a malformed `$` is kept as is.
 */
export function expand(template: string, group: (g: number | string) => string | null): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const d = template.indexOf('$', i);
    if (d < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, d);
    i = d + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | undefined;
    if (template[i] === '{') {
      const close = template.indexOf('}', i + 1);
      const inner = close < 0 ? '' : template.slice(i + 1, close);
      if (close >= 0 && /^[A-Za-z0-9_]+$/.test(inner)) {
        name = inner;
        i = close + 1;
      }
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(template.slice(i));
      if (m !== null) {
        name = m[0];
        i += name.length;
      }
    }
    if (name === undefined) {
      out += '$';
      continue;
    }
    // Go reads a group number only without leading zeros ("01" is a name).
    const g = /^(0|[1-9][0-9]{0,7})$/.test(name) ? Number(name) : name;
    out += group(g) ?? '';
  }
  return out;
}
