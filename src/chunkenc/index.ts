/**
 * chunkenc: Prometheus XOR chunks (Gorilla-style float compression), bit-exact with
 * `prometheus/tsdb/chunkenc/xor.go`. Format and invariants: docs/format/xor.md.
 *
 * It encodes samples into chunk bytes and decodes chunk bytes straight into Float64Arrays (timestamps in ms,
 * values with every NaN payload kept, so the staleness marker survives). It does not do histogram chunks,
 * know about series or labels, or do any I/O.
 *
 *   const enc = new XorEncoder();
 *   enc.append(1000, 1); enc.append(16000, 2);
 *   const bytes = enc.bytes();                        // or encodeXOR(ts, vs), encodeChunks(ts, vs) (≤120 each)
 *   const ts = new Float64Array(2), vs = new Float64Array(2);
 *   decodeXOR(bytes, ts, vs, 0);                     // → 2; bad bytes throw StorageError
 */
export { XorEncoder, encodeXOR, MAX_SAMPLES_PER_XOR_CHUNK } from './xor-encoder.js';
export { decodeXOR, decodeXORAlloc, xorNumSamples } from './xor-decoder.js';
export { encodeChunks, SAMPLES_PER_CHUNK } from './split.js';
export type { XorChunk } from './split.js';
