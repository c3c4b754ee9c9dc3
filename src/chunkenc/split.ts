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

/**
 * Options of headChunkStarts; the defaults are a Prometheus server's head (2 h chunk range, 120 samples).
 * `promtool tsdb create-blocks-from` opens its block writer with twice the block duration, so pass
 * `chunkRange: 4 h` to predict its 2 h blocks.
 */
export interface HeadCutOptions {
  chunkRange?: number;
  samplesPerChunk?: number;
  /** Also cut at 2 × samplesPerChunk when the predicted end time was too far (promtool 2.42 does). */
  capAtTwice?: boolean;
}

/**
 * Where Prometheus's head (and so `promtool tsdb create-blocks-from`) starts a new chunk in a series whose
 * samples [from, to) are appended in order: the indices of each chunk's first sample.
 *
 * The head does not count to 120. When a chunk reaches 30 samples (a quarter) it predicts an end time that
 * spreads the rest of the chunk-range window evenly, and cuts at the first sample at or past it; a chunk
 * also ends at the window's end. Example, 15 s scrapes from a 2 h boundary: after 30 samples (435 s in)
 * n = 7 200 000 / (435 001 · 4) = 4 chunks, end = start + 1 800 000 ms → exactly 120 samples each.
 * With jitter the counts drift (119, 121, …).
 */
export function headChunkStarts(timestamps: ArrayLike<number>, from = 0, to = timestamps.length, opts: HeadCutOptions = {}): number[] {
  const chunkRange = opts.chunkRange ?? 7_200_000;
  const spc = opts.samplesPerChunk ?? SAMPLES_PER_CHUNK;
  const capAtTwice = opts.capAtTwice ?? true;
  const starts: number[] = [];
  if (from >= to) return starts;
  let minTime = timestamps[from]!;
  let nextAt = rangeForTimestamp(minTime, chunkRange);
  let num = 1;
  starts.push(from);
  for (let i = from + 1; i < to; i++) {
    const t = timestamps[i]!;
    if (num === Math.trunc(spc / 4)) nextAt = computeChunkEndTime(minTime, timestamps[i - 1]!, nextAt);
    if (t >= nextAt || (capAtTwice && num >= 2 * spc)) {
      starts.push(i);
      minTime = t;
      nextAt = rangeForTimestamp(t, chunkRange);
      num = 1;
    } else {
      num++;
    }
  }
  return starts;
}

/** Go's `(t / width) * width + width`: the end of the chunk-range window holding t (integer division truncates). */
function rangeForTimestamp(t: number, width: number): number {
  return Math.trunc(t / width) * width + width;
}

/** Prometheus computeChunkEndTime: spread the rest of [start, max) over chunks as full as the first quarter. */
function computeChunkEndTime(start: number, cur: number, max: number): number {
  const n = Math.trunc((max - start) / ((cur - start + 1) * 4));
  if (n <= 1) return max;
  return start + Math.trunc((max - start) / n);
}
