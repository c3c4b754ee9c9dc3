/**
 * Groups runs of consecutive equal items of a sorted source (Thanos `responseDeduplicator` and
 * `dedupSeriesSet` both start with this): with a look-ahead of one item, each `next()` yields the run of
 * items equal to the first one. Synchronous for as long as the source answers synchronously.
 */
import type { SortedSource } from './source.js';

export class GroupedSource<T> implements SortedSource<T[]> {
  readonly #src: SortedSource<T>;
  readonly #equal: (a: T, b: T) => boolean;
  /** The first item of the next group, already pulled (look-ahead of one). */
  #pending: T | undefined;
  #havePending = false;
  #group: T[] = [];
  #started = false;

  constructor(src: SortedSource<T>, equal: (a: T, b: T) => boolean) {
    this.#src = src;
    this.#equal = equal;
  }

  /** The current run, at least one item, in source order. A fresh array per run: callers may keep it. */
  at(): T[] {
    return this.#group;
  }

  next(): boolean | Promise<boolean> {
    if (!this.#started) {
      this.#started = true;
      const r = this.#src.next();
      if (typeof r !== 'boolean') return r.then((ok) => this.#start(ok) && this.#fill());
      if (!this.#start(r)) return false;
    } else if (!this.#start(this.#havePending)) {
      return false;
    }
    return this.#fill();
  }

  #start(have: boolean): boolean {
    if (!have) {
      this.#group = [];
      return false;
    }
    this.#group = [this.#havePending ? (this.#pending as T) : this.#src.at()];
    this.#pending = undefined;
    this.#havePending = false;
    return true;
  }

  #fill(): boolean | Promise<boolean> {
    for (;;) {
      const r = this.#src.next();
      if (typeof r !== 'boolean') return r.then((ok) => (this.#take(ok) ? this.#fill() : true));
      if (!this.#take(r)) return true;
    }
  }

  /** Takes the source's current item into the run; false when the run is complete. */
  #take(ok: boolean): boolean {
    if (!ok) return false;
    const x = this.#src.at();
    if (this.#equal(this.#group[0], x)) {
      this.#group.push(x);
      return true;
    }
    this.#pending = x;
    this.#havePending = true;
    return false;
  }
}
