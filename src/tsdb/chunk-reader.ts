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
import { DEFAULT_MAX_GAP, partitionRanges, type Part } from './partitioner.js';

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
  /**
   * Called with the length of each refetch (a chunk longer than the estimate), which comes on top of
   * `estimate()`: the chunk pool counts it without waiting, since waiting while holding the batch's bytes
   * could deadlock.
   */
  onExtraBytes?: (bytes: number) => void;
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

  /** Bytes `fetch(refs)` will GET, before refetches: the sum of its partitioned ranges. */
  estimate(refs: ArrayLike<number>): number {
    let total = 0;
    for (const g of this.#plan(refs)) for (const p of g.parts) total += p.end - p.start;
    return total;
  }

  #plan(refs: ArrayLike<number>): { name: string; idx: number[]; starts: number[]; parts: Part[] }[] {
    const bySegment = new Map<number, number[]>();
    for (let i = 0; i < refs.length; i++) {
      const { segment } = splitChunkRef(refs[i]!);
      let list = bySegment.get(segment);
      if (list === undefined) bySegment.set(segment, (list = []));
      list.push(i);
    }
    const estimate = this.opts.chunkSizeEstimate ?? ESTIMATED_MAX_CHUNK_SIZE;
    return [...bySegment].map(([segment, idx]) => {
      idx.sort((a, b) => refs[a]! - refs[b]!);
      const starts = idx.map((i) => splitChunkRef(refs[i]!).offset);
      const ends = starts.map((s) => s + estimate);
      return { name: segmentName(this.blockId, segment), idx, starts, parts: partitionRanges(starts, ends, this.opts.maxGap ?? DEFAULT_MAX_GAP) };
    });
  }

  /**
   * The chunks at `refs` (any order, duplicates allowed), in input order. Refetch bytes reported through
   * `opts.onExtraBytes` are also added to `lease.bytes`, even when the fetch then fails, so the caller can
   * release exactly `estimate(refs) + lease.bytes` when done with the views.
   */
  async fetch(refs: ArrayLike<number>, lease: { bytes: number }, signal?: AbortSignal): Promise<FetchedChunk[]> {
    const out = new Array<FetchedChunk>(refs.length);
    const jobs: Promise<void>[] = [];
    for (const { name, idx, starts, parts } of this.#plan(refs)) {
      for (const p of parts) {
        jobs.push(
          (async () => {
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
              this.opts.onExtraBytes?.(c);
              lease.bytes += c;
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
