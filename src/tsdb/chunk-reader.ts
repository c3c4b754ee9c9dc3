/**
 * Ranged reads of chunks from a block's segment files (`<block>/chunks/000001`, …; docs/format/chunks.md):
 * refs grouped by segment, sorted, partitioned by the gap-merging partitioner with Thanos's 16,000-byte
 * length estimate per chunk (`EstimatedMaxChunkSize`, thanos.md §5.4 step 4), one GET per part; a chunk longer
 * than the estimate is read again on its own. Every chunk's CRC32C is checked (Thanos skips it; a corrupt
 * chunk must not reach a querier as data).
 */
import { crc32c } from '@node-rs/crc32';
import { splitChunkRef } from '../chunkenc/index.js';
import type { Bucket } from '../objstore/index.js';
import { be32At, Decoder } from './decoder.js';
import { CorruptBlockError } from './errors.js';
import { DEFAULT_MAX_GAP, partitionRanges } from './partitioner.js';

export const ESTIMATED_MAX_CHUNK_SIZE = 16000;

export interface FetchedChunk {
  /** Prometheus chunkenc encoding (1 = XOR). */
  encoding: number;
  /** View into a fetched part: valid until the caller drops the batch. */
  data: Uint8Array;
}

export interface ChunkFetchOptions {
  maxGap?: number;
  chunkSizeEstimate?: number;
  /** Awaited before each GET with its length: the chunk pool's byte budget. */
  acquire?: (bytes: number, signal?: AbortSignal) => Promise<void>;
  onFetch?: (bytes: number) => void;
  onRefetch?: () => void;
}

/** `chunks/000001` for segment index 0. */
export function segmentName(blockId: string, segment: number): string {
  return `${blockId}/chunks/${String(segment + 1).padStart(6, '0')}`;
}

export class BlockChunkReader {
  constructor(
    readonly bucket: Bucket,
    readonly blockId: string,
    readonly opts: ChunkFetchOptions = {},
  ) {}

  /**
   * The chunks at `refs` (any order, duplicates allowed), in input order. Bytes acquired through
   * `opts.acquire` are added to `lease.bytes` as they are taken, even when the fetch then fails, so the
   * caller can always release exactly that after it is done with the views.
   */
  async fetch(refs: ArrayLike<number>, lease: { bytes: number }, signal?: AbortSignal): Promise<FetchedChunk[]> {
    const n = refs.length;
    const out = new Array<FetchedChunk>(n);
    const bySegment = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const { segment } = splitChunkRef(refs[i]!);
      let list = bySegment.get(segment);
      if (list === undefined) bySegment.set(segment, (list = []));
      list.push(i);
    }
    const acquire = async (bytes: number): Promise<void> => {
      await this.opts.acquire?.(bytes, signal);
      lease.bytes += bytes;
    };
    const estimate = this.opts.chunkSizeEstimate ?? ESTIMATED_MAX_CHUNK_SIZE;
    const jobs: Promise<void>[] = [];
    for (const [segment, idx] of bySegment) {
      const name = segmentName(this.blockId, segment);
      idx.sort((a, b) => refs[a]! - refs[b]!);
      const starts = idx.map((i) => splitChunkRef(refs[i]!).offset);
      const ends = starts.map((s) => s + estimate);
      for (const p of partitionRanges(starts, ends, this.opts.maxGap ?? DEFAULT_MAX_GAP)) {
        jobs.push(
          (async () => {
            await acquire(p.end - p.start);
            const bytes = await this.bucket.getRange(name, p.start, p.end - p.start, signal);
            this.opts.onFetch?.(bytes.length);
            for (let k = p.first; k < p.last; k++) {
              const off = starts[k]!;
              const what = `${name}: chunk at ${off}`;
              const c = parseChunk(bytes, off - p.start, what);
              if (typeof c !== 'number') {
                out[idx[k]!] = c;
                continue;
              }
              this.opts.onRefetch?.();
              await acquire(c);
              const again = await this.bucket.getRange(name, off, c, signal);
              this.opts.onFetch?.(again.length);
              const c2 = parseChunk(again, 0, what);
              if (typeof c2 === 'number') throw new CorruptBlockError(`${what}: runs past the end of the segment file`);
              out[idx[k]!] = c2;
            }
          })(),
        );
      }
    }
    const results = await Promise.allSettled(jobs); // all settled: the lease is final when we return
    for (const r of results) if (r.status === 'rejected') throw r.reason;
    return out;
  }
}

/** The chunk at b[pos], or the byte count the whole entry needs when `b` ends first. */
function parseChunk(b: Uint8Array, pos: number, what: string): FetchedChunk | number {
  if (pos >= b.length) throw new CorruptBlockError(`${what}: offset beyond the segment file`);
  const d = new Decoder(b, what, pos, Math.min(b.length, pos + 10));
  let len: number;
  try {
    len = d.uvarint();
  } catch (err) {
    if (b.length - pos < 10) return b.length - pos + 16;
    throw err;
  }
  const start = d.pos;
  const end = start + 1 + len;
  if (end + 4 > b.length) return end + 4 - pos;
  const stored = be32At(b, end);
  const actual = crc32c(b.subarray(start, end)) >>> 0;
  if (stored !== actual) throw new CorruptBlockError(`${what}: CRC32C 0x${actual.toString(16)} does not match stored 0x${stored.toString(16)}`);
  return { encoding: b[start]!, data: b.subarray(start + 1, end) };
}
