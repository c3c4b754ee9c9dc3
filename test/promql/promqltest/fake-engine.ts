/**
 * A deliberately tiny PromQL stand-in for testing the runner on its own: it parses only a metric name with
 * optional `{l="v"}` equality matchers, an optional `[<n>m]` range, or a number; it evaluates selectors with a
 * 5m lookback (left-open windows), honours `@`, and can be told to misbehave so the runner's checks are seen
 * to catch it. It is not the engine under test and shares no code with it.
 */
import { Labels, Matcher, isStaleNaN } from '../../../src/model/index.js';
import { BadDataError, ExecutionError } from '../../../src/model/index.js';
import type { Queryable } from '../../../src/storage/index.js';
import type { Expr, VectorSelector } from '../../../src/promql/ast.js';
import type { Engine, InstantSample, QueryResult, QueryValue, RangeSeries } from '../../../src/promql/types.js';
import type { RunnerDeps } from '../../../src/promql/promqltest/index.js';

export interface Quirks {
  /** Ignore `@` (so the runner's @ re-check should fail). */
  ignoreAt?: boolean;
  /** Add 1 to every value in range queries (so the range re-check should fail). */
  skewRange?: boolean;
  /** Emit this warning on every query. */
  warning?: string;
}

const LOOKBACK = 300_000;

export function fakeDeps(q: Quirks = {}): RunnerDeps {
  return { engine: new FakeEngine(q), parse: fakeParse };
}

export function fakeParse(s: string): Expr {
  const pos = { start: 0, end: s.length };
  if (/^-?[0-9.]+$/.test(s)) return { type: 'NumberLiteral', value: Number(s), pos };
  const m = /^([a-z_]+)(?:\{([^}]*)\})?(?:\[([0-9]+)m\])?$/.exec(s);
  if (!m) throw new BadDataError(`1:1: parse error: fake parser cannot read ${JSON.stringify(s)}`);
  const matchers = [Matcher.eq('__name__', m[1])];
  for (const part of (m[2] ?? '').split(',').filter((x) => x !== '')) {
    const [n, v] = part.split('=');
    matchers.push(Matcher.eq(n.trim(), JSON.parse(v.trim()) as string));
  }
  const vs: VectorSelector = { type: 'VectorSelector', name: m[1], matchers, offsetMs: 0, at: null, pos };
  if (m[3] !== undefined) return { type: 'MatrixSelector', vectorSelector: vs, rangeMs: Number(m[3]) * 60_000, pos };
  return vs;
}

class FakeEngine implements Engine {
  constructor(private readonly q: Quirks) {}

  async instantQuery(db: Queryable, query: string | Expr, t: number): Promise<QueryResult> {
    const e = typeof query === 'string' ? fakeParse(query) : query;
    return this.result(await this.eval(db, e, t));
  }

  async rangeQuery(db: Queryable, query: string | Expr, start: number, end: number, step: number): Promise<QueryResult> {
    const e = typeof query === 'string' ? fakeParse(query) : query;
    if (e.type === 'MatrixSelector') throw new BadDataError('invalid expression type "range vector" for range query');
    const byKey = new Map<string, { labels: Labels; ts: number[]; vs: number[] }>();
    for (let t = start; t <= end; t += step) {
      const v = await this.eval(db, e, t);
      const samples: InstantSample[] = v.resultType === 'scalar' ? [{ labels: Labels.EMPTY, t, v: v.v }] : v.resultType === 'vector' ? v.result : [];
      for (const s of samples) {
        let r = byKey.get(s.labels.key());
        if (!r) byKey.set(s.labels.key(), (r = { labels: s.labels, ts: [], vs: [] }));
        r.ts.push(t);
        r.vs.push(s.v + (this.q.skewRange ? 1 : 0));
      }
    }
    const result: RangeSeries[] = [...byKey.values()]
      .sort((a, b) => Labels.compare(a.labels, b.labels))
      .map((r) => ({ labels: r.labels, timestamps: Float64Array.from(r.ts), values: Float64Array.from(r.vs) }));
    return this.result({ resultType: 'matrix', result });
  }

  private result(value: QueryValue): QueryResult {
    return { value, warnings: this.q.warning ? [this.q.warning] : [], infos: [], stats: { totalQueryableSamples: 0, peakSamples: 0 } };
  }

  private async eval(db: Queryable, e: Expr, t: number): Promise<QueryValue> {
    if (e.type === 'NumberLiteral') return { resultType: 'scalar', t, v: e.value };
    const vs = e.type === 'VectorSelector' ? e : e.type === 'MatrixSelector' ? e.vectorSelector : undefined;
    if (vs === undefined) throw new ExecutionError(`fake engine cannot evaluate ${e.type}`);
    const at = vs.at !== null && vs.at.kind === 'time' && !this.q.ignoreAt ? vs.at.ms : t;
    const range = e.type === 'MatrixSelector' ? e.rangeMs : LOOKBACK;
    const set = db.select(vs.matchers, { mint: at - range + 1, maxt: at });
    const vec: InstantSample[] = [];
    const mat: RangeSeries[] = [];
    while (await set.next()) {
      const s = set.at();
      if (e.type === 'MatrixSelector') {
        const keep = [...s.values.keys()].filter((i) => !isStaleNaN(s.values[i]));
        mat.push({ labels: s.labels, timestamps: Float64Array.from(keep.map((i) => s.timestamps[i])), values: Float64Array.from(keep.map((i) => s.values[i])) });
        continue;
      }
      const n = s.values.length;
      if (n > 0 && !isStaleNaN(s.values[n - 1])) vec.push({ labels: s.labels, t, v: s.values[n - 1] });
    }
    return e.type === 'MatrixSelector' ? { resultType: 'matrix', result: mat } : { resultType: 'vector', result: vec };
  }
}
