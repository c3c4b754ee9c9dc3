/**
 * merge: turns many stores' sorted series streams into one sorted stream with one series per label set —
 * a loser-tree k-way merge by `Labels.compare`, then chunk dedup (identical chunks from several stores
 * kept once, by xxhash64) — plus the proxy's re-sort for stores that cannot drop replica labels.
 *
 * It does not decode chunks, choose between replicas (that is replica dedup, ../dedup), talk gRPC or
 * carry warnings (each store stream reports its own warnings beside the data).
 *
 *   const hasher = await loadChunkHasher();                        // once per process
 *   const tree = new LoserTree(storeStreams, (a, b) => Labels.compare(a.labels, b.labels));
 *   const merged = new ResponseDeduplicator(tree, hasher);
 *   while (await merged.next()) use(merged.at());                  // next() may also answer synchronously
 */
export type { SortedSource } from './source.js';
export { arraySource, collect } from './source.js';
export type { StoreChunk, StoreSeries } from './chunk.js';
export { compareChunks, compareSeriesLabels } from './chunk.js';
export { LoserTree } from './loser-tree.js';
export { GroupedSource } from './group.js';
export { loadChunkHasher, chunkKey, type ChunkHasher } from './chunk-hash.js';
export { ResponseDeduplicator, mergeSeries } from './response-dedup.js';
export { sortWithoutLabels } from './sort-without-labels.js';
