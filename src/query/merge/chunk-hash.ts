/**
 * Chunk identity for chunk dedup: the store's xxhash64 when it sent one, else xxhash64 of the bytes
 * (Thanos `responseDeduplicator`: key = `Chunk.hash`, or `xxhash.Sum64(data)` when 0).
 *
 * The xxhash-wasm instance is compiled once per process (`loadChunkHasher` caches the promise): compiling
 * the module costs far more than hashing thousands of chunks, so no caller should pay it per query.
 */
import xxhash from 'xxhash-wasm';
import { StorageError } from '../../model/index.js';
import type { StoreChunk } from './chunk.js';

export interface ChunkHasher {
  /** xxhash64 (seed 0) of the bytes, the same value Go's `cespare/xxhash.Sum64` gives. */
  h64(data: Uint8Array): bigint;
}

let loading: Promise<ChunkHasher> | undefined;

/** The process-wide hasher; the first call compiles the wasm module, later calls share it. */
export function loadChunkHasher(): Promise<ChunkHasher> {
  loading ??= xxhash().then((api) => ({ h64: (data: Uint8Array) => api.h64Raw(data) }));
  return loading;
}

/** The dedup key of a chunk. A hash string that is not a decimal uint64 is corrupt input: StorageError. */
export function chunkKey(c: StoreChunk, hasher: ChunkHasher): bigint {
  const h = c.hash;
  if (typeof h === 'bigint') {
    if (h !== 0n) return h;
  } else if (h !== undefined && h !== '' && h !== '0') {
    if (!/^[0-9]{1,20}$/.test(h)) throw new StorageError(`chunk hash ${JSON.stringify(h)} is not a decimal uint64`);
    return BigInt(h);
  }
  return hasher.h64(c.data);
}
