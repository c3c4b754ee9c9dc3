/**
 * Ranged reads of chunks from a block's segment files (`<block>/chunks/000001`, …; docs/format/chunks.md):
 * refs grouped by segment, sorted, partitioned by the gap-merging partitioner with Thanos's 16,000-byte
 * length estimate per chunk (`EstimatedMaxChunkSize`, thanos.md §5.4 step 4), one GET per part; a chunk longer
 * than the estimate is read again on its own. Every chunk's CRC32C is checked (Thanos skips it; a corrupt
 * chunk must not reach a querier as data).
 */
import { crc32c } from '@node-rs/crc32';
import type { Bucket } from '../objstore/index.js';
import { be32At } from './decoder.js';
import { CorruptBlockError } from './errors.js';
import { DEFAULT_MAX_GAP, partitionRanges, type Part } from './partitioner.js';
import { RangeHasher } from './xxhash64.js';

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
  /** Compute each chunk's xxHash64 (FetchedChunks.hashes) while its part is at hand. */
  hashes?: boolean;
}

/** `chunks/000001` for segment index 0. */
export function segmentName(blockId: string, segment: number): string {
  return `${blockId}/chunks/${String(segment + 1).padStart(6, '0')}`;
}

/**
 * Chunks fetched for a list of refs, by position in that list (no object per chunk): chunk i's bytes are
 * bufs[i][starts[i], ends[i]) — a fetched part, shared by its chunks, kept until the caller drops the batch.
 * No view per chunk: views kept until a frame is written outlive young-generation collections.
 */
export interface FetchedChunks {
  /** Prometheus chunkenc encoding per chunk (1 = XOR). */
  encodings: Uint8Array;
  bufs: Uint8Array[];
  starts: Int32Array;
  ends: Int32Array;
  /** xxHash64 of each chunk's data, as a signed 64-bit bigint (xxhash64.ts), with `hashes: true`. */
  hashes: bigint[];
}

/** One segment file's share of a fetch: positions into `refs` sorted by offset, and its GETs. */
interface SegmentPlan {
  name: string;
  idx: Int32Array;
  starts: Float64Array;
  parts: Part[];
}

export class BlockChunkReader {
  constructor(
    readonly bucket: Bucket,
    readonly blockId: string,
    readonly opts: ChunkFetchOptions = {},
  ) {}

  /** Bytes `fetch(refs)` will GET, before refetches: the sum of its partitioned ranges. */
  estimate(refs: ArrayLike<number>): number {
    const plan = this.#plan(refs);
    // The store asks for the estimate, then fetches the same refs: plan once (refs must not change between).
    this.#planned = { refs, plan };
    let total = 0;
    for (const g of plan) for (const p of g.parts) total += p.end - p.start;
    return total;
  }

  #planned: { refs: ArrayLike<number>; plan: SegmentPlan[] } | undefined;

  #plan(refs: ArrayLike<number>): SegmentPlan[] {
    const n = refs.length;
    const idx = new Int32Array(n);
    let sorted = true;
    for (let i = 0; i < n; i++) {
      idx[i] = i;
      if (i > 0 && refs[i]! < refs[i - 1]!) sorted = false;
    }
    // A batch's refs are nearly always ascending already (series in ID order, chunks in file order).
    if (!sorted) idx.sort((a, b) => refs[a]! - refs[b]! || a - b);
    const estimate = this.opts.chunkSizeEstimate ?? ESTIMATED_MAX_CHUNK_SIZE;
    const out: SegmentPlan[] = [];
    for (let from = 0; from < n; ) {
      const segment = Math.floor(refs[idx[from]!]! / TWO_32);
      let to = from + 1;
      while (to < n && Math.floor(refs[idx[to]!]! / TWO_32) === segment) to++;
      const starts = new Float64Array(to - from);
      const ends = new Float64Array(to - from);
      for (let k = from; k < to; k++) {
        starts[k - from] = refs[idx[k]!]! % TWO_32;
        ends[k - from] = starts[k - from]! + estimate;
      }
      const parts = partitionRanges(starts, ends, this.opts.maxGap ?? DEFAULT_MAX_GAP);
      out.push({ name: segmentName(this.blockId, segment), idx: idx.subarray(from, to), starts, parts });
      from = to;
    }
    return out;
  }

  /**
   * The chunks at `refs` (any order, duplicates allowed), in input order. Refetch bytes reported through
   * `opts.onExtraBytes` are also added to `lease.bytes`, even when the fetch then fails, so the caller can
   * release exactly `estimate(refs) + lease.bytes` when done with the views.
   */
  async fetch(refs: ArrayLike<number>, lease: { bytes: number }, signal?: AbortSignal): Promise<FetchedChunk[]> {
    const got = await this.fetchColumns(refs, lease, signal);
    return got.bufs.map((b, i) => ({ encoding: got.encodings[i]!, data: b.subarray(got.starts[i]!, got.ends[i]!) }));
  }

  /** As fetch, with the answer in columns: what the store's Series path uses. */
  async fetchColumns(refs: ArrayLike<number>, lease: { bytes: number }, signal?: AbortSignal): Promise<FetchedChunks> {
    const n = refs.length;
    const out: FetchedChunks = { encodings: new Uint8Array(n), bufs: new Array<Uint8Array>(n), starts: new Int32Array(n), ends: new Int32Array(n), hashes: [] };
    const jobs: Promise<void>[] = [];
    const plan = this.#planned?.refs === refs ? this.#planned.plan : this.#plan(refs);
    this.#planned = undefined;
    for (const seg of plan) for (const p of seg.parts) jobs.push(this.#fetchPart(seg, p, out, lease, signal));
    const results = await Promise.allSettled(jobs); // all settled: the lease is final when we return
    for (const r of results) if (r.status === 'rejected') throw r.reason;
    return out;
  }

  async #fetchPart(seg: SegmentPlan, p: Part, out: FetchedChunks, lease: { bytes: number }, signal?: AbortSignal): Promise<void> {
    const { name, idx, starts } = seg;
    const bytes = await this.bucket.getRange(name, p.start, p.end - p.start, signal);
    this.opts.onFetch?.(bytes.length);
    const hashes = this.opts.hashes === true;
    for (let k = p.first; k < p.last; k++) {
      const off = starts[k]!;
      const at = off - p.start;
      let need = parseChunkInto(bytes, at, out, idx[k]!, name, off);
      if (need === 0) continue;
      this.opts.onRefetch?.();
      this.opts.onExtraBytes?.(need);
      lease.bytes += need;
      const again = await this.bucket.getRange(name, off, need, signal);
      this.opts.onFetch?.(again.length);
      need = parseChunkInto(again, 0, out, idx[k]!, name, off);
      if (need !== 0) throw new CorruptBlockError(`${name}: chunk at ${off}: runs past the end of the segment file`);
      if (hashes) out.hashes[idx[k]!] = RangeHasher.get().hashBytes(again.subarray(out.starts[idx[k]!]!, out.ends[idx[k]!]!));
    }
    if (hashes) hashPart(bytes, p, idx, out);
  }
}

const TWO_32 = 4294967296;

/** Hashes the part's chunks read from it (not those read again on their own): one copy into wasm. */
function hashPart(bytes: Uint8Array, p: Part, idx: Int32Array, out: FetchedChunks): void {
  let lo = Infinity;
  let hi = 0;
  for (let k = p.first; k < p.last; k++) {
    const i = idx[k]!;
    if (out.bufs[i] !== bytes) continue;
    if (out.starts[i]! < lo) lo = out.starts[i]!;
    if (out.ends[i]! > hi) hi = out.ends[i]!;
  }
  if (lo === Infinity) return;
  const h = RangeHasher.get();
  h.load(bytes, lo, hi);
  for (let k = p.first; k < p.last; k++) {
    const i = idx[k]!;
    if (out.bufs[i] === bytes) out.hashes[i] = h.hash(out.starts[i]!, out.ends[i]!);
  }
}

/**
 * Parses the chunk at b[pos] into out[i] (where it is in `b`, no copy); returns 0, or the byte count the whole
 * entry needs when `b` ends first. `name`/`off` only name it in errors.
 */
function parseChunkInto(b: Uint8Array, pos: number, out: FetchedChunks, i: number, name: string, off: number): number {
  if (pos >= b.length) throw new CorruptBlockError(`${name}: chunk at ${off}: offset beyond the segment file`);
  // uvarint data length (Go's binary.Uvarint; a chunk is far below 2^35 bytes, so 5 bytes suffice).
  let p = pos;
  let len = 0;
  let mul = 1;
  for (let k = 0; ; k++) {
    if (p >= b.length) return b.length - pos + 16; // cut inside the varint: ask for a little more
    if (k === 5) throw new CorruptBlockError(`${name}: chunk at ${off}: length varint too long`);
    const byte = b[p++]!;
    len += (byte & 0x7f) * mul;
    if (byte < 0x80) break;
    mul *= 128;
  }
  const start = p;
  const end = start + 1 + len;
  if (end + 4 > b.length) return end + 4 - pos;
  const stored = be32At(b, end);
  // The CRC covers the encoding byte and the data: continue the encoding byte's CRC over a view of the data
  // (crc32c takes no offsets; the view dies at once).
  const enc = b[start]!;
  const actual = crc32c(b.subarray(start + 1, end), (ENCODING_CRC[enc] ??= crc32c(Uint8Array.of(enc)))) >>> 0;
  if (stored !== actual) {
    throw new CorruptBlockError(`${name}: chunk at ${off}: CRC32C 0x${actual.toString(16)} does not match stored 0x${stored.toString(16)}`);
  }
  out.encodings[i] = enc;
  out.bufs[i] = b;
  out.starts[i] = start + 1;
  out.ends[i] = end;
  return 0;
}

/** CRC32C of each one-byte encoding, filled as encodings are met. */
const ENCODING_CRC: number[] = [];
