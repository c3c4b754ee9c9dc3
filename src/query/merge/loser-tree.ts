/**
 * K-way merge of sorted sources with a loser tree (Thanos `NewProxyResponseLoserTree`, itself
 * github.com/bboreham/go-loser): after the winner's source advances, only its leaf-to-root path is
 * replayed, log2(k) comparisons per item, against k for a linear scan and ~2·log2(k) for a binary heap.
 *
 * Layout: k leaves at implicit nodes k…2k−1 (leaf i is node k+i), internal nodes 1…k−1 hold the index of
 * the source that LOST the match played there, `tree[0]` holds the overall winner. Parent of node n is
 * n >> 1. This works for any k, not only powers of two (leaves simply sit at two depths).
 *
 * Ties (equal items) go to the lower source index, so the output order is deterministic and a group of
 * equal-label series comes out in source order.
 */
import type { SortedSource } from './source.js';

export class LoserTree<T> implements SortedSource<T> {
  readonly #sources: readonly SortedSource<T>[];
  readonly #cmp: (a: T, b: T) => number;
  /** Current item of each source; `undefined` once the source is exhausted (it then loses every match). */
  readonly #items: (T | undefined)[];
  readonly #tree: Int32Array;
  #started = false;
  #winner = -1;

  constructor(sources: readonly SortedSource<T>[], compare: (a: T, b: T) => number) {
    this.#sources = sources;
    this.#cmp = compare;
    this.#items = new Array<T | undefined>(sources.length).fill(undefined);
    this.#tree = new Int32Array(Math.max(1, sources.length));
  }

  /** Index of the source the current item came from. */
  atSource(): number {
    return this.#winner;
  }

  at(): T {
    return this.#items[this.#winner] as T;
  }

  next(): boolean | Promise<boolean> {
    if (!this.#started) return this.#init();
    const w = this.#winner;
    if (w < 0) return false;
    const r = this.#advance(w);
    if (r === undefined) {
      this.#replay(w);
      return this.#winner >= 0;
    }
    return r.then(() => {
      this.#replay(w);
      return this.#winner >= 0;
    });
  }

  /** Pulls the first item of every source, concurrently where they must wait, then builds the tree. */
  #init(): boolean | Promise<boolean> {
    this.#started = true;
    const k = this.#sources.length;
    if (k === 0) return false;
    const waits: Promise<void>[] = [];
    for (let i = 0; i < k; i++) {
      const r = this.#advance(i);
      if (r !== undefined) waits.push(r);
    }
    if (waits.length === 0) {
      this.#build();
      return this.#winner >= 0;
    }
    return Promise.all(waits).then(() => {
      this.#build();
      return this.#winner >= 0;
    });
  }

  /** Moves source i forward; returns a Promise only when the source had to wait. */
  #advance(i: number): Promise<void> | undefined {
    const src = this.#sources[i];
    const r = src.next();
    if (typeof r === 'boolean') {
      this.#items[i] = r ? src.at() : undefined;
      return undefined;
    }
    return r.then((ok) => {
      this.#items[i] = ok ? src.at() : undefined;
    });
  }

  /** True when source i's item should come out before source j's. */
  #beats(i: number, j: number): boolean {
    const a = this.#items[i];
    const b = this.#items[j];
    if (a === undefined) return false;
    if (b === undefined) return true;
    const c = this.#cmp(a, b);
    return c < 0 || (c === 0 && i < j);
  }

  #build(): void {
    const k = this.#sources.length;
    // winners[n] = winner of the subtree at node n; leaves are their own winners.
    const winners = new Int32Array(2 * k);
    for (let i = 0; i < k; i++) winners[k + i] = i;
    for (let n = k - 1; n >= 1; n--) {
      const l = winners[2 * n];
      const r = winners[2 * n + 1];
      if (this.#beats(l, r)) {
        winners[n] = l;
        this.#tree[n] = r;
      } else {
        winners[n] = r;
        this.#tree[n] = l;
      }
    }
    this.#setWinner(k === 1 ? 0 : winners[1]);
  }

  /** After source w advanced: replay its path to the root, the stored loser of each match challenging it. */
  #replay(w: number): void {
    const tree = this.#tree;
    let winner = w;
    for (let n = (this.#sources.length + w) >> 1; n >= 1; n >>= 1) {
      const loser = tree[n];
      if (this.#beats(loser, winner)) {
        tree[n] = winner;
        winner = loser;
      }
    }
    this.#setWinner(winner);
  }

  #setWinner(w: number): void {
    this.#winner = this.#items[w] === undefined ? -1 : w;
  }
}
