/**
 * Labels: an immutable label set, sorted by name, with no duplicate names.
 *
 * The representation is private (a flat [name0, value0, name1, value1, …] array) so it can change
 * without touching callers, as Prometheus's did three times. Build one with `Labels.from`,
 * `Labels.fromSorted` or a `LabelsBuilder`.
 */

export const METRIC_NAME = '__name__';

/** Separator for `key()`: a byte that cannot appear in valid UTF-8 text. */
const SEP = '\xff';

export class Labels {
  /** name0, value0, name1, value1, … sorted by name. */
  readonly #flat: readonly string[];
  #key: string | undefined;

  private constructor(flat: readonly string[]) {
    this.#flat = flat;
  }

  static readonly EMPTY = new Labels([]);

  /** From a plain object or [name, value] pairs in any order; empty values are dropped, as in Prometheus. */
  static from(input: Record<string, string> | Iterable<readonly [string, string]>): Labels {
    const pairs: [string, string][] = [];
    const entries = Symbol.iterator in input ? (input as Iterable<readonly [string, string]>) : Object.entries(input);
    for (const [n, v] of entries) if (v !== '') pairs.push([n, v]);
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const flat: string[] = [];
    for (let i = 0; i < pairs.length; i++) {
      if (i > 0 && pairs[i][0] === pairs[i - 1][0]) {
        flat[flat.length - 1] = pairs[i][1]; // last one wins
        continue;
      }
      flat.push(pairs[i][0], pairs[i][1]);
    }
    return new Labels(flat);
  }

  /**
   * From a flat [name, value, …] array the caller guarantees is sorted by name with unique names
   * (decoders of sorted wire data). The array is taken over, not copied.
   */
  static fromSorted(flat: string[]): Labels {
    return flat.length === 0 ? Labels.EMPTY : new Labels(flat);
  }

  /** Number of labels. */
  get length(): number {
    return this.#flat.length >> 1;
  }

  isEmpty(): boolean {
    return this.#flat.length === 0;
  }

  get(name: string): string {
    const f = this.#flat;
    for (let i = 0; i < f.length; i += 2) if (f[i] === name) return f[i + 1];
    return '';
  }

  has(name: string): boolean {
    const f = this.#flat;
    for (let i = 0; i < f.length; i += 2) if (f[i] === name) return true;
    return false;
  }

  forEach(fn: (name: string, value: string) => void): void {
    const f = this.#flat;
    for (let i = 0; i < f.length; i += 2) fn(f[i], f[i + 1]);
  }

  name(i: number): string {
    return this.#flat[2 * i];
  }

  value(i: number): string {
    return this.#flat[2 * i + 1];
  }

  /** The metric name (`__name__`), or '' when absent. */
  metricName(): string {
    return this.get(METRIC_NAME);
  }

  /**
   * A string that is equal for equal label sets and distinct otherwise: use it as a Map key.
   * Cached, so hashing the same series twice costs nothing.
   */
  key(): string {
    if (this.#key === undefined) this.#key = this.#flat.join(SEP);
    return this.#key;
  }

  equals(other: Labels): boolean {
    if (this === other) return true;
    const a = this.#flat;
    const b = other.#flat;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /**
   * Orders label sets like Prometheus `labels.Compare`: pairwise by name then value (byte order of UTF-8,
   * which for strings without surrogates equals UTF-16 code-unit order), the shorter set first on a tie.
   */
  static compare(a: Labels, b: Labels): number {
    const x = a.#flat;
    const y = b.#flat;
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) {
      const p = x[i];
      const q = y[i];
      if (p !== q) return compareStrings(p, q);
    }
    return x.length - y.length;
  }

  /** Key over only the given names (for `by (…)` grouping); names must be sorted. */
  keyFor(sortedNames: readonly string[]): string {
    const f = this.#flat;
    const parts: string[] = [];
    let j = 0;
    for (let i = 0; i < f.length && j < sortedNames.length; ) {
      const c = compareStrings(f[i], sortedNames[j]);
      if (c === 0) {
        parts.push(f[i], f[i + 1]);
        i += 2;
        j++;
      } else if (c < 0) i += 2;
      else j++;
    }
    return parts.join(SEP);
  }

  /** Key over all names except the given ones (for `without (…)`); names must be sorted. */
  keyWithout(sortedNames: readonly string[]): string {
    const f = this.#flat;
    const parts: string[] = [];
    for (let i = 0; i < f.length; i += 2) if (!binaryHas(sortedNames, f[i])) parts.push(f[i], f[i + 1]);
    return parts.join(SEP);
  }

  /** Only the labels with the given names. */
  keep(names: readonly string[]): Labels {
    const f = this.#flat;
    const out: string[] = [];
    for (let i = 0; i < f.length; i += 2) if (names.includes(f[i])) out.push(f[i], f[i + 1]);
    return out.length === f.length ? this : Labels.fromSorted(out);
  }

  /** All labels except the given names. */
  drop(names: readonly string[]): Labels {
    const f = this.#flat;
    const out: string[] = [];
    for (let i = 0; i < f.length; i += 2) if (!names.includes(f[i])) out.push(f[i], f[i + 1]);
    return out.length === f.length ? this : Labels.fromSorted(out);
  }

  /** Without `__name__`. */
  dropMetricName(): Labels {
    return this.#flat[0] === METRIC_NAME ? Labels.fromSorted(this.#flat.slice(2)) : this;
  }

  builder(): LabelsBuilder {
    return new LabelsBuilder(this);
  }

  toObject(): Record<string, string> {
    const o: Record<string, string> = {};
    this.forEach((n, v) => (o[n] = v));
    return o;
  }

  /** Prometheus text form: `{__name__="up", job="x"}` → `up{job="x"}`. */
  toString(): string {
    const f = this.#flat;
    let name = '';
    const parts: string[] = [];
    for (let i = 0; i < f.length; i += 2) {
      if (f[i] === METRIC_NAME) name = f[i + 1];
      else parts.push(`${f[i]}=${JSON.stringify(f[i + 1])}`);
    }
    return parts.length === 0 && name !== '' ? name : `${name}{${parts.join(', ')}}`;
  }

  /** The flat sorted [name, value, …] array (read-only view). */
  flat(): readonly string[] {
    return this.#flat;
  }
}

/** Mutable edits over a base label set; `labels()` gives the sorted result. */
export class LabelsBuilder {
  readonly #base: Labels;
  readonly #set = new Map<string, string>();
  readonly #del = new Set<string>();

  constructor(base: Labels = Labels.EMPTY) {
    this.#base = base;
  }

  /** Sets a label; an empty value deletes it, as in Prometheus. */
  set(name: string, value: string): this {
    if (value === '') return this.del(name);
    this.#del.delete(name);
    this.#set.set(name, value);
    return this;
  }

  del(...names: string[]): this {
    for (const n of names) {
      this.#set.delete(n);
      this.#del.add(n);
    }
    return this;
  }

  get(name: string): string {
    if (this.#del.has(name)) return '';
    return this.#set.get(name) ?? this.#base.get(name);
  }

  labels(): Labels {
    if (this.#set.size === 0 && this.#del.size === 0) return this.#base;
    const pairs: [string, string][] = [];
    this.#base.forEach((n, v) => {
      if (!this.#del.has(n) && !this.#set.has(n)) pairs.push([n, v]);
    });
    for (const p of this.#set) pairs.push(p);
    return Labels.from(pairs);
  }
}

/** Byte-order string comparison consistent with Go's for BMP text. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function binaryHas(sorted: readonly string[], s: string): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid];
    if (v === s) return true;
    if (v < s) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
