/**
 * The series shape flowing from the store fan-out to replica dedup: labels plus raw XOR chunks, still
 * encoded. Decoding waits until after chunk dedup and the overlap split, so identical chunks from two
 * stores are never decoded twice.
 */
import { Labels } from '../../model/index.js';

/** One raw XOR chunk as a store sent it. */
export interface StoreChunk {
  /** First and last sample timestamp in the chunk, ms (inclusive). */
  readonly minTime: number;
  readonly maxTime: number;
  /** XOR chunk bytes (Prometheus chunkenc format, thanos.md §6.3). */
  readonly data: Uint8Array;
  /**
   * xxhash64 of `data` as the store computed it: a bigint, or a decimal uint64 string as decoded from the
   * wire. Absent, `0n` and `'0'` all mean "not computed" (proto3 default), and we hash `data` ourselves.
   */
  readonly hash?: bigint | string;
}

/** One series from one store, or the merge of several stores' series with the same labels. */
export interface StoreSeries {
  readonly labels: Labels;
  /** Sorted by (minTime, maxTime) after the response deduplicator; as sent before it. */
  readonly chunks: readonly StoreChunk[];
}

/** Order of chunks inside a merged series: (minTime, maxTime, then bytes), as Thanos sorts them. */
export function compareChunks(a: StoreChunk, b: StoreChunk): number {
  if (a.minTime !== b.minTime) return a.minTime - b.minTime;
  if (a.maxTime !== b.maxTime) return a.maxTime - b.maxTime;
  return compareBytes(a.data, b.data);
}

/** Lexicographic byte order, shorter first on a common prefix (Go `bytes.Compare`). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** True when chunks are already in `compareChunks` order (the common case: stores send them sorted). */
export function chunksSorted(chunks: readonly StoreChunk[]): boolean {
  for (let i = 1; i < chunks.length; i++) if (compareChunks(chunks[i - 1], chunks[i]) > 0) return false;
  return true;
}

/** Label order of series, the order of every StoreAPI stream and of the k-way merge. */
export function compareSeriesLabels(a: { readonly labels: Labels }, b: { readonly labels: Labels }): number {
  return Labels.compare(a.labels, b.labels);
}
