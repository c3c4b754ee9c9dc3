/**
 * and / or / unless (many-to-many by nature), per step: a left series survives `and` at a step where some
 * right series with the same signature has a sample, `unless` where none has; `or` adds right series at
 * steps where no left series shares their signature.
 */
import type { BinaryExpr } from '../ast.js';
import type { EvalContext } from './context.js';
import { SeriesCollector, nonEmpty, type StepSeries } from './value.js';
import { signatureFn } from './vector-matching.js';
import { allocU8 } from './slab.js';

/** Per signature, the steps at which at least one series of `side` has a sample. */
function presenceBySig(side: StepSeries[], sig: (s: StepSeries) => string, steps: number): Map<string, Uint8Array> {
  const m = new Map<string, Uint8Array>();
  for (const s of side) {
    const k = sig(s);
    let p = m.get(k);
    if (p === undefined) m.set(k, (p = allocU8(steps)));
    for (let i = 0; i < steps; i++) p[i] |= s.present[i];
  }
  return m;
}

/** Whether `s` has a sample at a step where `taken` (if any) has none. */
function hasSampleOutside(s: StepSeries, taken: Uint8Array | undefined, steps: number): boolean {
  for (let i = 0; i < steps; i++) if (s.present[i] === 1 && (taken === undefined || taken[i] === 0)) return true;
  return false;
}

/**
 * Copies the samples of `s` into `o` at steps where `taken` (if given) has none. Plain functions rather than
 * loops in the async caller, so V8 optimises them early (see selector.ts pickSamples).
 */
function copySamples(s: StepSeries, taken: Uint8Array | null, o: StepSeries, steps: number): void {
  for (let i = 0; i < steps; i++) {
    if (s.present[i] === 0 || (taken !== null && taken[i] === 1)) continue;
    o.values[i] = s.values[i];
    o.present[i] = 1;
  }
}

export async function evalSetOp(ctx: EvalContext, e: BinaryExpr, left: StepSeries[], right: StepSeries[], steps: number): Promise<StepSeries[]> {
  const m = e.matching ?? { card: 'many-to-many', matchingLabels: [], on: false, include: [] };
  const sigOfLabels = signatureFn(m);
  const sig = (s: StepSeries) => sigOfLabels(s.labels);
  switch (e.op) {
    case 'and':
    case 'unless': {
      if (right.length === 0) return e.op === 'and' ? [] : left;
      const rp = presenceBySig(right, sig, steps);
      const want = e.op === 'and' ? 1 : 0;
      const out: StepSeries[] = [];
      for (const s of left) {
        if (ctx.checkpointDue()) await ctx.checkpoint();
        const p = rp.get(sig(s));
        const o = { ...s, values: s.values, present: allocU8(steps) };
        let any = false;
        for (let i = 0; i < steps; i++) {
          if (s.present[i] === 1 && (p === undefined ? 0 : p[i]) === want) {
            o.present[i] = 1;
            any = true;
          }
        }
        if (any) out.push(o);
      }
      return out;
    }
    case 'or': {
      const lp = presenceBySig(left, sig, steps);
      const out = new SeriesCollector(steps);
      for (const s of left) copySamples(s, null, out.get(s.labels, s.dropName), steps);
      for (const s of right) {
        if (ctx.checkpointDue()) await ctx.checkpoint();
        const p = lp.get(sig(s));
        if (hasSampleOutside(s, p, steps)) copySamples(s, p ?? null, out.get(s.labels, s.dropName), steps);
      }
      return nonEmpty(out.list);
    }
    default:
      throw new Error(`not a set operator: ${e.op}`);
  }
}
