/**
 * Vector⊕vector arithmetic and comparisons with on/ignoring, group_left/group_right (Prometheus
 * VectorBinop), evaluated over all steps at once.
 *
 * Matching happens per step, as in Prometheus: the "one" side may hold several series with the same
 * match signature as long as only one of them has a sample at any step. Signatures are computed once
 * per series, since labels do not change between steps.
 */
import { ExecutionError, Labels, METRIC_NAME } from '../../model/index.js';
import type { BinaryExpr, VectorMatching } from '../ast.js';
import type { EvalContext } from './context.js';
import { goLabelsString } from './labels-format.js';
import { ARITHMETIC, COMPARISON, isComparison, type Arith, type Compare } from './operators.js';
import { SeriesCollector, nonEmpty, type StepSeries } from './value.js';
import { allocU8 } from './slab.js';

/** The match signature of a label set: the `on` labels, or all but the `ignoring` labels and the name. */
export function signatureFn(m: VectorMatching): (l: Labels) => string {
  if (m.on) {
    const names = [...m.matchingLabels].sort();
    return (l) => l.keyFor(names);
  }
  const names = [...new Set([...m.matchingLabels, METRIC_NAME])].sort();
  return (l) => l.keyWithout(names);
}

/** Prometheus Labels.MatchLabels: the labels that form the match group, for error messages. */
function matchLabels(l: Labels, m: VectorMatching): Labels {
  const set = new Set(m.matchingLabels);
  const keep: string[] = [];
  l.forEach((n) => {
    if (set.has(n) === m.on && (m.on || n !== METRIC_NAME)) keep.push(n);
  });
  return l.keep(keep);
}

export async function evalVectorMatching(
  ctx: EvalContext,
  e: BinaryExpr,
  left: StepSeries[],
  right: StepSeries[],
  steps: number,
): Promise<StepSeries[]> {
  const m = e.matching ?? { card: 'one-to-one', matchingLabels: [], on: false, include: [] };
  if (left.length === 0 || right.length === 0) return [];
  // one-to-many is many-to-one with the sides swapped; values are swapped back before the operation.
  const swapped = m.card === 'one-to-many';
  const many = swapped ? right : left;
  const one = swapped ? left : right;
  const sig = signatureFn(m);

  const oneBySig = new Map<string, StepSeries[]>();
  for (const s of one) {
    const k = sig(s.labels);
    const g = oneBySig.get(k);
    if (g === undefined) oneBySig.set(k, [s]);
    else g.push(s);
  }
  for (const g of oneBySig.values()) if (g.length > 1) checkUniqueOneSide(g, m, steps, swapped ? 'left' : 'right');

  const comparison = isComparison(e.op);
  const cmp = comparison ? COMPARISON[e.op as keyof typeof COMPARISON] : null;
  const arith = comparison ? null : ARITHMETIC[e.op as keyof typeof ARITHMETIC];
  const out = new SeriesCollector(steps);
  const matchedBySig = new Map<string, Uint8Array>();
  const join: Join = { e, m, swapped, cmp, arith, out, steps, include: [...new Set(m.include)].sort() };

  for (const ls of many) {
    if (ctx.checkpointDue()) await ctx.checkpoint();
    const k = sig(ls.labels);
    const group = oneBySig.get(k);
    if (group === undefined) continue;
    let matched: Uint8Array | undefined;
    if (m.card === 'one-to-one') {
      matched = matchedBySig.get(k);
      if (matched === undefined) matchedBySig.set(k, (matched = allocU8(steps)));
    }
    joinSeries(join, ls, group, matched, !comparison || e.returnBool || ls.dropName);
  }
  return nonEmpty(out.list);
}

interface Join {
  e: BinaryExpr;
  m: VectorMatching;
  /** The "many" side is the right-hand side (group_right). */
  swapped: boolean;
  cmp: Compare | null;
  arith: Arith | null;
  out: SeriesCollector;
  steps: number;
  /** group_x extra labels, sorted, unique. */
  include: string[];
}

/**
 * Every step of one "many"-side series against its match group on the "one" side. A plain function, not
 * a loop in the async caller: V8 optimises it after a few series instead of running it unoptimised (where
 * every double is a heap allocation).
 */
function joinSeries(j: Join, ls: StepSeries, group: StepSeries[], matched: Uint8Array | undefined, dropName: boolean): void {
  const { e, m, swapped, cmp, arith, out, steps } = j;
  // The output series depends on the pair (ls, one-side series), not on the step: look it up once per
  // pair, not once per step (labels, key string and map lookup were most of a group_left join's time).
  const outs: (StepSeries | undefined)[] = new Array(group.length);
  const lvals = ls.values;
  const lpresent = ls.present;
  for (let i = 0; i < steps; i++) {
    if (lpresent[i] === 0) continue;
    let gi = 0;
    while (gi < group.length && group[gi].present[i] === 0) gi++;
    if (gi === group.length) continue;
    const rs = group[gi];
    const fl = swapped ? rs.values[i] : lvals[i];
    const fr = swapped ? lvals[i] : rs.values[i];
    let value: number;
    if (cmp !== null) {
      const keep = cmp(fl, fr);
      if (e.returnBool) value = keep ? 1 : 0;
      else if (!keep) continue;
      else value = fl;
    } else {
      value = arith!(fl, fr);
    }
    if (matched !== undefined) {
      if (matched[i] === 1) throw new ExecutionError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
      matched[i] = 1;
    }
    let o = outs[gi];
    if (o === undefined) o = outs[gi] = out.get(resultLabels(ls.labels, rs.labels, m, j.include), dropName);
    if (o.present[i] === 1) {
      throw new ExecutionError(
        m.card === 'one-to-one'
          ? 'vector cannot contain metrics with the same labelset'
          : 'multiple matches for matching labels: grouping labels must ensure unique matches',
      );
    }
    o.values[i] = value;
    o.present[i] = 1;
  }
}

/**
 * Labels of a result: from the "many" side, reduced for one-to-one matching, plus the group_x extra labels
 * (`include`, sorted) from the "one" side, where a label the "one" side lacks is removed.
 */
function resultLabels(many: Labels, one: Labels, m: VectorMatching, include: readonly string[]): Labels {
  let l = many;
  if (m.card === 'one-to-one') l = m.on ? l.keep(m.matchingLabels) : l.drop(m.matchingLabels);
  return include.length > 0 ? withLabelsOf(l, include, one) : l;
}

/**
 * `base` with each of `names` (sorted) set to its value in `from`, or removed where `from` has none: one
 * merge of two sorted lists, instead of a LabelsBuilder's maps and a sort for every output series.
 */
function withLabelsOf(base: Labels, names: readonly string[], from: Labels): Labels {
  const f = base.flat();
  const out: string[] = [];
  let j = 0;
  for (let i = 0; i < f.length; i += 2) {
    while (j < names.length && names[j] < f[i]) pushIfSet(out, names[j], from.get(names[j++]));
    if (j < names.length && names[j] === f[i]) {
      pushIfSet(out, names[j], from.get(names[j++]));
      continue;
    }
    out.push(f[i], f[i + 1]);
  }
  while (j < names.length) pushIfSet(out, names[j], from.get(names[j++]));
  return Labels.fromSorted(out);
}

function pushIfSet(out: string[], name: string, value: string): void {
  if (value !== '') out.push(name, value);
}

/** At each step at most one series of a match group may be present on the "one" side. */
function checkUniqueOneSide(group: StepSeries[], m: VectorMatching, steps: number, side: 'left' | 'right'): void {
  for (let i = 0; i < steps; i++) {
    let first: StepSeries | undefined;
    for (const s of group) {
      if (s.present[i] === 0) continue;
      if (first === undefined) {
        first = s;
        continue;
      }
      throw new ExecutionError(
        `found duplicate series for the match group ${goLabelsString(matchLabels(s.labels, m))} on the ${side} hand-side of the operation: ` +
          `[${goLabelsString(s.labels)}, ${goLabelsString(first.labels)}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
  }
}
