/**
 * The pull interface every stage of the querier's series pipeline speaks: store streams, the k-way merge,
 * the response deduplicator and the replica dedup set.
 *
 * Why `boolean | Promise<boolean>` and not `Promise<boolean>`: a gRPC stream delivers frames in bursts, so
 * most `next()` calls find the next series already buffered. Answering those synchronously lets the
 * loser tree and the deduplicator run a whole burst without a microtask per series; they await only when
 * a source really has nothing buffered yet.
 */

/**
 * A pull iterator over items sorted by some order the consumer knows (label order for series).
 *
 * Contract:
 * - `next()` moves to the next item. It returns `true`/`false` when the answer is known now, or a
 *   Promise of it when the source must wait for data. Call `next()` (and await it when it returns a
 *   Promise) before `at()`; never call `next()` again while a returned Promise is pending.
 * - `false` means exhausted, for good: further `next()` calls keep returning `false`.
 * - Reading failures are thrown (sync) or rejected (async) as typed errors (StorageError, …).
 * - `at()` returns the current item. Items are not reused by the source: a consumer may keep one after
 *   calling `next()` again (the deduplicator keeps a group of equal-label series).
 */
export interface SortedSource<T> {
  next(): boolean | Promise<boolean>;
  at(): T;
}

/** A source over an array already in order (tests, buffered store responses). Always synchronous. */
export function arraySource<T>(items: readonly T[]): SortedSource<T> {
  let i = -1;
  return {
    next: () => ++i < items.length,
    at: () => items[i],
  };
}

/** Reads a whole source into an array (tests, small results). */
export async function collect<T>(src: SortedSource<T>): Promise<T[]> {
  const out: T[] = [];
  for (;;) {
    const r = src.next();
    if (!(typeof r === 'boolean' ? r : await r)) return out;
    out.push(src.at());
  }
}
