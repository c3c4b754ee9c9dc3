/**
 * Cutting a long series into XOR chunks.
 *
 * Prometheus targets 120 samples per chunk (`samplesPerChunk` in tsdb/head_append.go): past ~120 samples
 * the XOR stream compresses no better, and decoding a chunk to read one sample costs more. Its head predicts
 * the cut by time, so real chunks hold about 120 samples, not exactly (see headChunkStarts). For data we
 * serve ourselves a plain "at most N samples" cut is simpler and just as good for readers.
 */
import { encodeXOR } from './xor-encoder.js';

/** Prometheus's target samples per chunk. */
export const SAMPLES_PER_CHUNK = 120;

/** One encoded chunk and the time range of its samples (both inclusive, ms). */
export interface XorChunk {
  minTime: number;
  maxTime: number;
  data: Uint8Array;
}

/** Encodes samples [from, to) as consecutive chunks of at most `maxSamples` samples each. */
export function encodeChunks(
  timestamps: ArrayLike<number>,
  values: Float64Array,
  from = 0,
  to = values.length,
  maxSamples = SAMPLES_PER_CHUNK,
): XorChunk[] {
  if (!(maxSamples >= 1 && maxSamples <= 0xffff)) throw new RangeError(`encodeChunks: maxSamples ${maxSamples} not in 1..65535`);
  const out: XorChunk[] = [];
  for (let s = from; s < to; s += maxSamples) {
    const e = Math.min(to, s + maxSamples);
    out.push({ minTime: timestamps[s]!, maxTime: timestamps[e - 1]!, data: encodeXOR(timestamps, values, s, e) });
  }
  return out;
}
