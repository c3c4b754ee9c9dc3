/**
 * Chunk dedup (Thanos `responseDeduplicator`): consecutive series with identical label sets, as they come
 * out of the k-way merge, become one series whose chunks are the union of theirs, identical chunks kept
 * once, sorted by (minTime, maxTime, bytes).
 *
 * With replica labels removed upstream (`without_replica_labels`), the replicas of one series have equal
 * labels, so this merges all replicas into one series of possibly overlapping chunks; the overlap split
 * and replica dedup (../dedup) then pick samples. Two stores serving the same block (a store gateway and
 * a sidecar that already uploaded it) send byte-identical chunks, which are dropped here without decoding.
 *
 * Not replica dedup: chunks that overlap but differ are all kept.
 */
import { StorageError } from '../../model/index.js';
import { chunksSorted, compareChunks, type StoreChunk, type StoreSeries } from './chunk.js';
import { chunkKey, type ChunkHasher } from './chunk-hash.js';
import { GroupedSource } from './group.js';
import type { SortedSource } from './source.js';

export class ResponseDeduplicator implements SortedSource<StoreSeries> {
  readonly #groups: GroupedSource<StoreSeries>;
  readonly #hasher: ChunkHasher;
  #cur: StoreSeries | undefined;

  /** `hasher` from `await loadChunkHasher()`, loaded once per process. */
  constructor(src: SortedSource<StoreSeries>, hasher: ChunkHasher) {
    this.#groups = new GroupedSource(src, (a, b) => a.labels.equals(b.labels));
    this.#hasher = hasher;
  }

  at(): StoreSeries {
    return this.#cur as StoreSeries;
  }

  next(): boolean | Promise<boolean> {
    const r = this.#groups.next();
    if (typeof r === 'boolean') return this.#merge(r);
    return r.then((ok) => this.#merge(ok));
  }

  #merge(ok: boolean): boolean {
    this.#cur = ok ? mergeSeries(this.#groups.at(), this.#hasher) : undefined;
    return ok;
  }
}

/** One merged series from a group with equal labels (exported for the proxy's buffered paths and tests). */
export function mergeSeries(group: readonly StoreSeries[], hasher: ChunkHasher): StoreSeries {
  const first = group[0];
  if (group.length === 1) {
    // Thanos passes a lone series through untouched; we only make sure its chunks are in order, since
    // the overlap split relies on it and the StoreAPI contract merely recommends it.
    return chunksSorted(first.chunks) ? first : { labels: first.labels, chunks: [...first.chunks].sort(compareChunks) };
  }
  const seen = new Set<bigint>();
  const chunks: StoreChunk[] = [];
  for (const s of group) {
    for (const c of s.chunks) {
      let key: bigint;
      try {
        key = chunkKey(c, hasher);
      } catch (cause) {
        throw new StorageError(`merge chunks of series ${first.labels.toString()}`, { cause });
      }
      if (seen.has(key)) continue;
      seen.add(key);
      chunks.push(c);
    }
  }
  chunks.sort(compareChunks);
  return { labels: first.labels, chunks };
}
