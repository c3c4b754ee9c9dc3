/**
 * Ranged reads of one block's remote index: postings lists and series entries, fetched in as few GETs as the
 * gap-merging partitioner allows, never the whole file (thanos.md §5.4 steps 2–3). Byte ranges of postings
 * come from the index-header; series entries are read at `id × 16` with a 64 KiB length estimate and
 * refetched when an entry turns out longer.
 *
 * No caching here: the store's index cache sits in front (store/block.ts) and passes only misses.
 */
import type { Bucket } from '../objstore/index.js';
import { CorruptBlockError } from './errors.js';
import { parsePostingsList, SERIES_ALIGNMENT } from './index-format.js';
import type { IndexHeader, PostingsRange } from './index-header.js';
import { DEFAULT_MAX_GAP, partitionRanges } from './partitioner.js';

/** Thanos's `EstimatedMaxSeriesSize`: bytes read per series entry before knowing its length. */
export const ESTIMATED_MAX_SERIES_SIZE = 64 * 1024;

export interface BlockIndexOptions {
  maxGap?: number;
  seriesSizeEstimate?: number;
  /** Called with the bytes of every GET (for `promfed_store_bucket_bytes_fetched_total`). */
  onFetch?: (bytes: number, kind: 'postings' | 'series') => void;
  /** Called when a series entry was longer than the estimate and had to be read again. */
  onSeriesRefetch?: () => void;
}

export class BlockIndexReader {
  readonly #name: string;
  readonly #size: number;

  constructor(
    readonly bucket: Bucket,
    readonly blockId: string,
    readonly header: IndexHeader,
    /** Size of the index object (bounds the series estimate reads). */
    indexSize: number,
    readonly opts: BlockIndexOptions = {},
  ) {
    this.#name = `${blockId}/index`;
    this.#size = indexSize;
  }

  /**
   * The postings lists at the given ranges (from IndexHeader.postingsRanges), in input order. Ranges are
   * fetched sorted and partitioned; each list's CRC is checked.
   */
  async postings(ranges: readonly PostingsRange[], signal?: AbortSignal): Promise<Uint32Array[]> {
    const order = ranges.map((_, i) => i).sort((a, b) => ranges[a]!.start - ranges[b]!.start);
    const starts = order.map((i) => ranges[i]!.start);
    const ends = order.map((i) => ranges[i]!.end);
    const out = new Array<Uint32Array>(ranges.length);
    const parts = partitionRanges(starts, ends, this.opts.maxGap ?? DEFAULT_MAX_GAP);
    await Promise.all(
      parts.map(async (p) => {
        const bytes = await this.bucket.getRange(this.#name, p.start, p.end - p.start, signal);
        this.opts.onFetch?.(bytes.length, 'postings');
        for (let k = p.first; k < p.last; k++) {
          const r = ranges[order[k]!]!;
          out[order[k]!] = parsePostingsList(bytes.subarray(r.start - p.start, r.end - p.start), `${this.#name}: postings at ${r.start}`);
        }
      }),
    );
    return out;
  }

  /**
   * The raw entries (`len | contents | CRC`, copied out of the fetched parts so a cache can keep them) of the
   * series with the given IDs, which must be ascending.
   */
  async seriesEntries(ids: ArrayLike<number>, signal?: AbortSignal): Promise<Uint8Array[]> {
    const n = ids.length;
    const estimate = this.opts.seriesSizeEstimate ?? ESTIMATED_MAX_SERIES_SIZE;
    const starts = new Float64Array(n);
    const ends = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      starts[i] = ids[i]! * SERIES_ALIGNMENT;
      if (starts[i]! >= this.#size) throw new CorruptBlockError(`${this.#name}: series ${ids[i]} beyond the index (${this.#size} bytes)`);
      ends[i] = Math.min(this.#size, starts[i]! + estimate);
    }
    const out = new Array<Uint8Array>(n);
    const parts = partitionRanges(starts, ends, this.opts.maxGap ?? DEFAULT_MAX_GAP);
    await Promise.all(
      parts.map(async (p) => {
        const bytes = await this.bucket.getRange(this.#name, p.start, p.end - p.start, signal);
        this.opts.onFetch?.(bytes.length, 'series');
        for (let k = p.first; k < p.last; k++) {
          const at = starts[k]! - p.start;
          const what = `${this.#name}: series ${ids[k]}`;
          const need = entryLength(bytes, at, what);
          if (at + need <= bytes.length) {
            out[k] = bytes.slice(at, at + need);
            continue;
          }
          // Longer than the estimate (or cut by the part's end): read exactly what it needs.
          this.opts.onSeriesRefetch?.();
          const again = await this.bucket.getRange(this.#name, starts[k]!, need, signal);
          this.opts.onFetch?.(again.length, 'series');
          if (entryLength(again, 0, what) > again.length) throw new CorruptBlockError(`${what}: entry runs past the end of the index`);
          out[k] = again;
        }
      }),
    );
    return out;
  }
}

/**
 * Bytes of the series entry at b[pos] (its uvarint length field, the contents and the CRC); when `b` ends
 * inside the length field, more than is available, so the caller refetches. The CRC is checked at parse time.
 */
function entryLength(b: Uint8Array, pos: number, what: string): number {
  let len = 0;
  let mul = 1;
  let p = pos;
  for (let i = 0; ; i++) {
    if (p >= b.length) return b.length - pos + 16;
    if (i === 8) throw new CorruptBlockError(`${what}: entry length varint too long`);
    const byte = b[p++]!;
    len += (byte & 0x7f) * mul;
    if (byte < 0x80) break;
    mul *= 128;
  }
  if (len === 0) throw new CorruptBlockError(`${what}: empty series entry`);
  return p - pos + len + 4;
}
