import { Labels, matchesAll, throwIfAborted, type Matcher } from '../model/index.js';
import { arraySeriesSet, type LabelQuerier, type LabelsResult, type Queryable, type Series, type SelectHints, type SeriesSet } from './queryable.js';

/**
 * An in-memory Queryable: the data behind promql-test files, the store-memory StoreAPI server and tests.
 *
 * Samples are appended per series in time order into growable typed arrays; `select` returns views trimmed
 * to [mint, maxt]. Not built for millions of series (selection scans every series), but for test-sized data.
 */
export class MemoryStorage implements Queryable, LabelQuerier {
  readonly #series = new Map<string, MutableSeries>();
  #sorted: MutableSeries[] | null = null;

  /** Appends one sample; timestamps of a series must not go backwards (an equal timestamp replaces the value). */
  append(labels: Labels, t: number, v: number): void {
    const key = labels.key();
    let s = this.#series.get(key);
    if (s === undefined) {
      s = new MutableSeries(labels);
      this.#series.set(key, s);
      this.#sorted = null;
    }
    s.append(t, v);
  }

  /** Removes everything (the promql-test `clear` command). */
  clear(): void {
    this.#series.clear();
    this.#sorted = null;
  }

  get seriesCount(): number {
    return this.#series.size;
  }

  /** All series, sorted, with their full sample arrays. */
  allSeries(): Series[] {
    return this.#sortedSeries().map((s) => s.view(-Infinity, Infinity));
  }

  select(matchers: readonly Matcher[], hints: SelectHints, signal?: AbortSignal): SeriesSet {
    throwIfAborted(signal, 'select');
    const out: Series[] = [];
    for (const s of this.#sortedSeries()) {
      if (!matchesAll(matchers, (n) => s.labels.get(n))) continue;
      const view = s.view(hints.mint, hints.maxt);
      if (view.timestamps.length > 0) out.push(view);
    }
    return arraySeriesSet(out);
  }

  async labelNames(matchers: readonly Matcher[], range: { mint: number; maxt: number }): Promise<LabelsResult> {
    const names = new Set<string>();
    for (const s of this.#matching(matchers, range)) s.labels.forEach((n) => names.add(n));
    return { values: [...names].sort(), warnings: [] };
  }

  async labelValues(name: string, matchers: readonly Matcher[], range: { mint: number; maxt: number }): Promise<LabelsResult> {
    const values = new Set<string>();
    for (const s of this.#matching(matchers, range)) {
      const v = s.labels.get(name);
      if (v !== '') values.add(v);
    }
    return { values: [...values].sort(), warnings: [] };
  }

  *#matching(matchers: readonly Matcher[], range: { mint: number; maxt: number }): Iterable<MutableSeries> {
    for (const s of this.#sortedSeries()) {
      if (matchesAll(matchers, (n) => s.labels.get(n)) && s.overlaps(range.mint, range.maxt)) yield s;
    }
  }

  #sortedSeries(): MutableSeries[] {
    if (this.#sorted === null) this.#sorted = [...this.#series.values()].sort((a, b) => Labels.compare(a.labels, b.labels));
    return this.#sorted;
  }
}

class MutableSeries {
  readonly labels: Labels;
  #t = new Float64Array(16);
  #v = new Float64Array(16);
  #n = 0;

  constructor(labels: Labels) {
    this.labels = labels;
  }

  append(t: number, v: number): void {
    const n = this.#n;
    if (n > 0 && t <= this.#t[n - 1]) {
      if (t === this.#t[n - 1]) {
        this.#v[n - 1] = v;
        return;
      }
      throw new Error(`out of order sample for ${this.labels.toString()}: ${t} after ${this.#t[n - 1]}`);
    }
    if (n === this.#t.length) {
      const t2 = new Float64Array(n * 2);
      t2.set(this.#t);
      this.#t = t2;
      const v2 = new Float64Array(n * 2);
      v2.set(this.#v);
      this.#v = v2;
    }
    this.#t[n] = t;
    this.#v[n] = v;
    this.#n = n + 1;
  }

  overlaps(mint: number, maxt: number): boolean {
    return this.#n > 0 && this.#t[0] <= maxt && this.#t[this.#n - 1] >= mint;
  }

  view(mint: number, maxt: number): Series {
    const lo = lowerBound(this.#t, this.#n, mint);
    const hi = lowerBound(this.#t, this.#n, maxt, true);
    return { labels: this.labels, timestamps: this.#t.subarray(lo, hi), values: this.#v.subarray(lo, hi) };
  }
}

/** First index with ts[i] >= x (or > x when `after`). */
function lowerBound(ts: Float64Array, n: number, x: number, after = false): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < x || (after && ts[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
