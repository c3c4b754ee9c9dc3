/**
 * Deterministic scrape-like data for real-Prometheus tests and the sidecar bench, written as OpenMetrics
 * for `promtool tsdb create-blocks-from openmetrics`. Timestamps are whole multiples of the step and values
 * are integers or two-decimal numbers, so what Prometheus parses from the text is exactly what we hold
 * (no float-to-text rounding to reason about).
 *
 * Families: `sc_requests_total{code,instance}` (counters, integer increments) and `sc_temperature{instance}`
 * (gauges, two decimals). A replica is the same data with its own gaps: windows [from, to) with no samples.
 */

/** 2024-01-01T00:00:00Z, a 2 h block boundary. */
export const T0 = 1_704_067_200_000;
export const STEP_MS = 15_000;

export interface GenSeries {
  /** Sorted by name, __name__ included. */
  labels: Record<string, string>;
  ts: number[];
  vs: number[];
}

export interface GenOptions {
  instances: number;
  /** Samples from T0 + step to `end` (inclusive); end 15 s before a 2 h boundary avoids a 1 ms extra block. */
  end: number;
  step?: number;
  gaps?: [number, number][];
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), a | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateSeries(opts: GenOptions): GenSeries[] {
  const step = opts.step ?? STEP_MS;
  const inGap = (t: number): boolean => (opts.gaps ?? []).some(([a, b]) => t >= a && t < b);
  const out: GenSeries[] = [];
  for (let i = 0; i < opts.instances; i++) {
    const instance = `i${String(i).padStart(4, '0')}`;
    for (const code of ['200', '500']) {
      // Seeded per series, so a replica's values do not depend on the other series or on its gaps.
      const rnd = prng(i * 7 + (code === '200' ? 1 : 2));
      const s: GenSeries = { labels: { __name__: 'sc_requests_total', code, instance }, ts: [], vs: [] };
      let v = Math.floor(rnd() * 1000);
      for (let t = T0 + step; t <= opts.end; t += step) {
        v += Math.floor(rnd() * (code === '200' ? 50 : 3));
        if (!inGap(t)) {
          s.ts.push(t);
          s.vs.push(v);
        }
      }
      out.push(s);
    }
    const rnd = prng(i * 7 + 3);
    const g: GenSeries = { labels: { __name__: 'sc_temperature', instance }, ts: [], vs: [] };
    for (let t = T0 + step; t <= opts.end; t += step) {
      const v = Math.round(2000 + 500 * Math.sin(t / 3_600_000 + i) + rnd() * 100) / 100;
      if (!inGap(t)) {
        g.ts.push(t);
        g.vs.push(v);
      }
    }
    out.push(g);
  }
  return out;
}

export function toOpenMetrics(series: readonly GenSeries[]): string {
  const lines: string[] = [];
  const byFamily = new Map<string, GenSeries[]>();
  for (const s of series) {
    const name = s.labels.__name__;
    const family = name.endsWith('_total') ? name.slice(0, -6) : name;
    if (!byFamily.has(family)) byFamily.set(family, []);
    byFamily.get(family)!.push(s);
  }
  for (const [family, list] of byFamily) {
    lines.push(`# HELP ${family} test data`, `# TYPE ${family} ${list[0].labels.__name__.endsWith('_total') ? 'counter' : 'gauge'}`);
    for (const s of list) {
      const { __name__: name, ...rest } = s.labels;
      const ls = Object.entries(rest).map(([k, v]) => `${k}="${v}"`).join(',');
      const head = `${name}{${ls}}`;
      for (let j = 0; j < s.ts.length; j++) lines.push(`${head} ${s.vs[j]} ${s.ts[j] / 1000}`);
    }
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}
