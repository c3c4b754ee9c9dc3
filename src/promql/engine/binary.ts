/**
 * Binary operators: scalar⊕scalar, vector⊕scalar (either side) and the dispatch to vector matching and
 * set operators. Arithmetic and `bool` comparisons mark results for `__name__` removal; filtering
 * comparisons keep the vector's labels and value (even when the scalar is on the left: `1 < foo` gives foo).
 */
import type { BinaryExpr } from '../ast.js';
import type { EvalContext } from './context.js';
import { ARITHMETIC, COMPARISON, isComparison, isSetOp } from './operators.js';
import { evalSetOp } from './set-ops.js';
import { countPresent, newStepSeries, valueSamples, type Grid, type StepSeries, type Value } from './value.js';
import { evalVectorMatching } from './vector-matching.js';
import type { Evaluate } from './evaluate.js';

export async function evalBinary(ctx: EvalContext, e: BinaryExpr, grid: Grid, evaluate: Evaluate): Promise<Value> {
  const lhs = await evaluate(ctx, e.lhs, grid);
  const rhs = await evaluate(ctx, e.rhs, grid);
  let out: Value;
  if (lhs.kind === 'scalar' && rhs.kind === 'scalar') {
    out = { kind: 'scalar', values: scalarScalar(e, lhs.values, rhs.values) };
  } else if (lhs.kind === 'vector' && rhs.kind === 'scalar') {
    out = { kind: 'vector', series: vectorScalar(ctx, e, lhs.series, rhs.values, false) };
  } else if (lhs.kind === 'scalar' && rhs.kind === 'vector') {
    out = { kind: 'vector', series: vectorScalar(ctx, e, rhs.series, lhs.values, true) };
  } else if (lhs.kind === 'vector' && rhs.kind === 'vector') {
    const series = isSetOp(e.op)
      ? await evalSetOp(ctx, e, lhs.series, rhs.series, grid.count)
      : await evalVectorMatching(ctx, e, lhs.series, rhs.series, grid.count);
    out = { kind: 'vector', series };
    ctx.samples.add(valueSamples(out));
  } else {
    throw new Error(`binary ${e.op} between ${lhs.kind} and ${rhs.kind}: the parser should have rejected it`);
  }
  ctx.samples.release(valueSamples(lhs) + valueSamples(rhs));
  return out;
}

function scalarScalar(e: BinaryExpr, l: Float64Array, r: Float64Array): Float64Array {
  const out = new Float64Array(l.length);
  if (isComparison(e.op)) {
    // Comparisons between scalars always need `bool` (parser), so they yield 0/1.
    const cmp = COMPARISON[e.op];
    for (let i = 0; i < l.length; i++) out[i] = cmp(l[i], r[i]) ? 1 : 0;
  } else if (!isSetOp(e.op)) {
    const f = ARITHMETIC[e.op];
    for (let i = 0; i < l.length; i++) out[i] = f(l[i], r[i]);
  }
  return out;
}

/** `scalarLeft`: the scalar is the left operand (`2 * foo`). */
function vectorScalar(ctx: EvalContext, e: BinaryExpr, vec: StepSeries[], sc: Float64Array, scalarLeft: boolean): StepSeries[] {
  const out: StepSeries[] = [];
  const steps = sc.length;
  if (isComparison(e.op)) {
    const cmp = COMPARISON[e.op];
    for (const s of vec) {
      const o = newStepSeries(s.labels, steps, e.returnBool || s.dropName);
      for (let i = 0; i < steps; i++) {
        if (s.present[i] === 0) continue;
        const v = s.values[i];
        const keep = scalarLeft ? cmp(sc[i], v) : cmp(v, sc[i]);
        if (e.returnBool) {
          o.values[i] = keep ? 1 : 0;
          o.present[i] = 1;
        } else if (keep) {
          o.values[i] = v;
          o.present[i] = 1;
        }
      }
      push(ctx, out, o);
    }
    return out;
  }
  if (isSetOp(e.op)) throw new Error(`set operator ${e.op} with a scalar: the parser should have rejected it`);
  const f = ARITHMETIC[e.op];
  for (const s of vec) {
    const o = newStepSeries(s.labels, steps, true);
    for (let i = 0; i < steps; i++) {
      if (s.present[i] === 0) continue;
      o.values[i] = scalarLeft ? f(sc[i], s.values[i]) : f(s.values[i], sc[i]);
      o.present[i] = 1;
    }
    push(ctx, out, o);
  }
  return out;
}

function push(ctx: EvalContext, out: StepSeries[], s: StepSeries): void {
  const n = countPresent(s.present);
  if (n === 0) return;
  ctx.samples.add(n);
  out.push(s);
}
