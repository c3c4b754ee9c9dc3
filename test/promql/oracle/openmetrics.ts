/**
 * OpenMetrics text for `promtool tsdb create-blocks-from openmetrics` from the samples of promqltest loads.
 *
 * What it cannot express (the oracle then skips evals on that data): staleness markers (a promqltest
 * `stale`), series without a metric name, and label or metric names outside the legacy charset.
 * Missing samples (`_`) are simply absent, which is exactly what they mean.
 */
import type { Labels } from '../../../src/model/index.js';
import type { LoadCommand } from '../../../src/promql/promqltest/index.js';

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface SeriesData {
  labels: Labels;
  /** t (ms) → value; later loads overwrite. */
  points: Map<number, number>;
}

/** Accumulates loads since the last `clear`. */
export class DataState {
  readonly #series = new Map<string, SeriesData>();
  /** Why this data cannot be loaded into Prometheus, if it cannot. */
  unloadable: string | undefined;

  add(load: LoadCommand): void {
    if (load.unsupported) this.unloadable = load.unsupported;
    for (const s of load.series) {
      const name = s.labels.metricName();
      if (name === '') this.unloadable ??= `line ${s.line}: a series without a metric name cannot be written as OpenMetrics`;
      else if (!NAME_RE.test(name)) this.unloadable ??= `line ${s.line}: metric name ${JSON.stringify(name)} is not OpenMetrics-legal`;
      s.labels.forEach((n) => {
        if (n !== '__name__' && !LABEL_RE.test(n)) this.unloadable ??= `line ${s.line}: label name ${JSON.stringify(n)} is not OpenMetrics-legal`;
      });
      let d = this.#series.get(s.labels.key());
      if (d === undefined) this.#series.set(s.labels.key(), (d = { labels: s.labels, points: new Map() }));
      s.values.forEach((v, i) => {
        if (v === null) return;
        if (v === 'stale') {
          this.unloadable ??= `line ${s.line}: staleness markers cannot be imported into Prometheus`;
          return;
        }
        d.points.set(i * load.intervalMs, v);
      });
    }
  }

  /** OpenMetrics text: series grouped by metric name, samples in time order, seconds with ms precision. */
  toOpenMetrics(): string {
    const all = [...this.#series.values()].sort((a, b) => (a.labels.metricName() < b.labels.metricName() ? -1 : a.labels.metricName() > b.labels.metricName() ? 1 : 0));
    const out: string[] = [];
    for (const s of all) {
      const parts: string[] = [];
      s.labels.forEach((n, v) => {
        if (n !== '__name__') parts.push(`${n}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
      });
      const head = s.labels.metricName() + (parts.length > 0 ? `{${parts.join(',')}}` : '');
      for (const t of [...s.points.keys()].sort((a, b) => a - b)) out.push(`${head} ${formatOM(s.points.get(t) as number)} ${t / 1000}`);
    }
    out.push('# EOF');
    return out.join('\n') + '\n';
  }

  get empty(): boolean {
    return this.#series.size === 0;
  }
}

function formatOM(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
