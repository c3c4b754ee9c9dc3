/**
 * Reader for TSDB chunk segment files (`<block>/chunks/000001`, …). Format and invariants:
 * docs/format/chunks.md.
 *
 *   ┌──────────────────────────────┬───────────────┬─────────────────┐
 *   │ magic 0x85BD40DD (4 bytes)   │ version 1 (1) │ padding 0 (3)   │
 *   ├──────────────┬───────────────┴──┬────────────┴─────┬───────────┤
 *   │ len uvarint  │ encoding (1 byte) │ data (len bytes) │ CRC32C(4) │  … repeated
 *   └──────────────┴──────────────────┴──────────────────┴───────────┘
 *
 * A chunk is addressed by a ref = segment index << 32 | byte offset of its `len` field (segment index 0 is
 * file 000001). The CRC (Castagnoli) covers encoding + data and is checked on every read. The returned
 * `data` is a view into the file's bytes, not a copy.
 */
import { crc32c } from '@node-rs/crc32';
import { StorageError } from '../model/index.js';
import { readUvarint64, varintResult } from './varint.js';

export const CHUNKS_MAGIC = 0x85bd40dd;
export const CHUNKS_FORMAT_V1 = 1;
export const CHUNKS_HEADER_SIZE = 8;

/** Prometheus `chunkenc.Encoding` values as stored in segment files (Thanos's proto enum differs: XOR=0 there). */
export const SegmentEncoding = { None: 0, XOR: 1, Histogram: 2, FloatHistogram: 3 } as const;

/** One chunk entry of a segment file. */
export interface SegmentChunk {
  /** Byte offset of the entry's `len` field: the low 32 bits of its chunk ref. */
  offset: number;
  encoding: number;
  data: Uint8Array;
  /** Offset just past this entry's CRC, where the next entry starts. */
  next: number;
}

const WHAT = 'read chunk segment';

/** The chunk ref Prometheus's index stores for a chunk at `offset` in segment file number `segment + 1`. */
export function chunkRef(segment: number, offset: number): number {
  return segment * 4294967296 + offset;
}

/** Splits a chunk ref into the 0-based segment index and the byte offset. */
export function splitChunkRef(ref: number): { segment: number; offset: number } {
  return { segment: Math.floor(ref / 4294967296), offset: ref % 4294967296 };
}

export class ChunkSegment {
  /** Validates the 8-byte header; throws StorageError on a wrong magic or version. */
  constructor(readonly bytes: Uint8Array) {
    if (bytes.length < CHUNKS_HEADER_SIZE) throw new StorageError(`${WHAT}: ${bytes.length} bytes, shorter than the 8-byte header`);
    const magic = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
    if (magic !== CHUNKS_MAGIC) throw new StorageError(`${WHAT}: magic 0x${magic.toString(16)}, want 0x85bd40dd`);
    if (bytes[4] !== CHUNKS_FORMAT_V1) throw new StorageError(`${WHAT}: format version ${bytes[4]}, want 1`);
  }

  /** The entry whose `len` field is at `offset`; checks bounds and CRC. */
  chunkAt(offset: number): SegmentChunk {
    const b = this.bytes;
    if (!Number.isInteger(offset) || offset < CHUNKS_HEADER_SIZE || offset >= b.length) {
      throw new StorageError(`${WHAT}: chunk offset ${offset} outside file of ${b.length} bytes`);
    }
    const at = `${WHAT}: chunk at offset ${offset}`;
    const start = readUvarint64(b, offset, b.length, at);
    const len = varintResult.hi * 4294967296 + varintResult.lo;
    const end = start + 1 + len + 4;
    if (varintResult.hi !== 0 || end > b.length) {
      throw new StorageError(`${at}: length ${len} runs past the end of the file (${b.length} bytes)`);
    }
    const stored = ((b[end - 4]! << 24) | (b[end - 3]! << 16) | (b[end - 2]! << 8) | b[end - 1]!) >>> 0;
    const actual = crc32c(b.subarray(start, start + 1 + len)) >>> 0;
    if (stored !== actual) {
      throw new StorageError(`${at}: CRC32C 0x${actual.toString(16)} does not match stored 0x${stored.toString(16)}`);
    }
    return { offset, encoding: b[start]!, data: b.subarray(start + 1, start + 1 + len), next: end };
  }

  /**
   * Every entry from the header to the end of the file, in file order (the order the block writer wrote
   * them: series by series in label order, each series's chunks by time). Trailing bytes that do not form
   * a whole valid entry throw: block segment files are truncated to their last chunk when written.
   */
  *chunks(): IterableIterator<SegmentChunk> {
    for (let off = CHUNKS_HEADER_SIZE; off < this.bytes.length; ) {
      const c = this.chunkAt(off);
      yield c;
      off = c.next;
    }
  }
}
