/**
 * chunkenc: Prometheus XOR chunks (Gorilla-style float compression), bit-exact with
 * `prometheus/tsdb/chunkenc/xor.go` (format: docs/format/xor.md), and the chunk segment files
 * (`<block>/chunks/000001`) that hold them (format: docs/format/chunks.md).
 *
 * It encodes samples into chunk bytes and decodes chunk bytes straight into Float64Arrays (timestamps in ms,
 * values with every NaN payload kept, so the staleness marker survives). Malformed bytes throw StorageError.
 * It does not do histogram chunks, know about series, labels or the block index, or do any I/O.
 *
 *   const enc = new XorEncoder();
 *   enc.append(1000, 1); enc.append(16000, 2);
 *   const bytes = enc.bytes();                  // or encodeXOR(ts, vs, from, to); encodeChunks(ts, vs) cuts ≤120
 *   const ts = new Float64Array(2), vs = new Float64Array(2);
 *   decodeXOR(bytes, ts, vs, 0);               // → 2
 *   for (const c of new ChunkSegment(fileBytes).chunks()) decodeXORAlloc(c.data);
 */
export { XorEncoder, encodeXOR, MAX_SAMPLES_PER_XOR_CHUNK } from './xor-encoder.js';
export { decodeXOR, decodeXORAlloc, xorNumSamples } from './xor-decoder.js';
export { encodeChunks, headChunkStarts, SAMPLES_PER_CHUNK } from './split.js';
export type { XorChunk, HeadCutOptions } from './split.js';
export { ChunkSegment, chunkRef, splitChunkRef, SegmentEncoding, CHUNKS_MAGIC, CHUNKS_FORMAT_V1, CHUNKS_HEADER_SIZE } from './segment.js';
export type { SegmentChunk } from './segment.js';
