/**
 * info(v [, data-label selector]) (experimental): adds the data labels of info series (target_info by
 * default, or the metrics named in the selector) to the series of v that share their identifying labels
 * `instance` and `job` (Prometheus promql/info.go).
 *
 * Per step, the newest info sample per (info metric, identifying labels) wins; two with the same timestamp
 * are an error. A label already on the base series is kept; two info series disagreeing on a label are an
 * error. When the selector has a matcher that rejects the empty string, base series without any matching
 * info series are dropped.
 */
import { ExecutionError, Labels, Matcher, MatchType, METRIC_NAME } from '../../model/index.js';
import type { Call, VectorSelector } from '../ast.js';
import type { EvalContext } from './context.js';
import type { Evaluate } from './evaluate.js';
import { goLabelsString } from './labels-format.js';
import { evalVectorSelector } from './selector.js';
import { SeriesCollector, nonEmpty, type Grid, type StepSeries, type Value } from './value.js';

const TARGET_INFO = 'target_info';
const IDENTIFYING = ['instance', 'job'];

const quoteMeta = (s: string) => s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');

export async function evalInfo(ctx: EvalContext, e: Call, grid: Grid, evaluate: Evaluate): Promise<Value> {
  const v = await evaluate(ctx, e.args[0], grid);
  if (v.kind !== 'vector') throw new Error('info: expected an instant vector');
  const base = v.series;
  const selector = e.args[1]?.type === 'VectorSelector' ? e.args[1] : null;
  const dataMatchers = new Map<string, Matcher[]>();
  let infoNames: Matcher[] = [new Matcher(MatchType.EQ, METRIC_NAME, TARGET_INFO)];
  if (selector !== null) {
    infoNames = [];
    for (const m of selector.matchers) {
      dataMatchers.set(m.name, [...(dataMatchers.get(m.name) ?? []), m]);
      if (m.name === METRIC_NAME) infoNames.push(m);
    }
  }
  // Info series themselves are passed through untouched.
  const ignored = base.map((s) => infoNames.some((m) => m.matches(s.labels.metricName())));

  const idValues = new Map<string, Set<string>>();
  base.forEach((s, i) => {
    if (ignored[i]) return;
    for (const l of IDENTIFYING) {
      const val = s.labels.get(l);
      if (val === '') continue;
      if (!idValues.has(l)) idValues.set(l, new Set());
      idValues.get(l)!.add(val);
    }
  });

  let info: StepSeries[] = [];
  if (idValues.size > 0) {
    const matchers: Matcher[] = [...idValues].map(([l, vals]) => new Matcher(MatchType.RE, l, [...vals].map(quoteMeta).join('|')));
    let named = false;
    for (const [name, ms] of dataMatchers) {
      for (const m of ms) {
        matchers.push(m);
        if (m.name === METRIC_NAME) named = true;
      }
      if (name === METRIC_NAME) dataMatchers.delete(name);
    }
    if (!named) matchers.unshift(new Matcher(MatchType.EQ, METRIC_NAME, TARGET_INFO));
    const vs: VectorSelector = { type: 'VectorSelector', name: '', matchers, offsetMs: 0, at: null, pos: e.pos };
    info = (await evalVectorSelector(ctx, vs, grid, true)).series;
  }

  const infoMetricNames = [...new Set(info.map((s) => s.labels.metricName()))];
  const sig = (name: string, l: Labels) => name + '\xff' + IDENTIFYING.map((n) => l.get(n)).join('\xff');
  const infoSigs = info.map((s) => sig(s.labels.metricName(), s.labels));
  const dropWithoutInfo = [...dataMatchers.values()].some((ms) => ms.some((m) => !m.matches('')));

  const out = new SeriesCollector(grid.count);
  const newest = new Map<string, number>();
  for (let i = 0; i < grid.count; i++) {
    await ctx.checkpoint();
    newest.clear();
    info.forEach((s, j) => {
      if (s.present[i] === 0) return;
      const k = infoSigs[j];
      const prev = newest.get(k);
      if (prev === undefined) return void newest.set(k, j);
      const tPrev = info[prev].sampleTimes![i];
      const t = s.sampleTimes![i];
      if (t > tPrev) newest.set(k, j);
      else if (t === tPrev) {
        throw new ExecutionError(`found duplicate series for info metric: existing ${goLabelsString(info[prev].labels)} @ ${tPrev}, new ${goLabelsString(s.labels)} @ ${t}`);
      }
    });
    base.forEach((s, bi) => {
      if (s.present[i] === 0) return;
      let labels = s.labels;
      if (!ignored[bi]) {
        const add = new Map<string, string>();
        for (const name of infoMetricNames) {
          const j = newest.get(sig(name, s.labels));
          if (j === undefined) continue;
          info[j].labels.forEach((n, val) => {
            if (n === METRIC_NAME || (dataMatchers.size > 0 && !dataMatchers.has(n))) return;
            const have = add.get(n);
            if (have !== undefined && have !== val) throw new ExecutionError(`conflicting label: ${n}`);
            if (!s.labels.has(n)) add.set(n, val);
          });
        }
        if (add.size === 0 && dropWithoutInfo) return;
        const b = s.labels.builder();
        for (const [n, val] of add) b.set(n, val);
        labels = b.labels();
      }
      const o = out.get(labels, s.dropName);
      if (o.present[i] === 1) throw new ExecutionError('vector cannot contain metrics with the same labelset');
      o.values[i] = s.values[i];
      o.present[i] = 1;
    });
  }
  for (const s of info) ctx.samples.release(s.present.reduce((a, b) => a + b, 0));
  return { kind: 'vector', series: nonEmpty(out.list) };
}
