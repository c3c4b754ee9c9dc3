/**
 * The STREAMED_XOR_CHUNKS framing of a Prometheus remote-read response, read as the body arrives
 * (format: docs/format/remote-read.md §Frames):
 *
 *   ┌──────────────┬─────────────────────────┬──────────────────────────────┐
 *   │ uvarint size │ CRC-32C(data), 4 B, BE  │ data (size bytes)            │  … repeated until the body ends
 *   └──────────────┴─────────────────────────┴──────────────────────────────┘
 *
 * Frames are views into the received buffers (no copy), also when a frame straddles network chunks that lie
 * one after the other in memory (reads into one slab); only a frame over chunks apart is joined. A CRC
 * mismatch, a size over the limit, or a body that ends inside a frame is a StorageError naming the frame;
 * nothing is yielded from a frame that fails.
 */
import { crc32c } from '@node-rs/crc32';
import { StorageError } from '../model/index.js';
import { joinParts } from '../net/slab-reads.js';

/** Thanos's read limit per frame (Prometheus `config.DefaultChunkedReadLimit`, 50 MB). */
export const DEFAULT_FRAME_LIMIT_BYTES = 50_000_000;

const CRC_BYTES = 4;
/** A uvarint of a 64-bit value is at most 10 bytes. */
const MAX_UVARINT_BYTES = 10;

/**
 * Splits a body into frames as its network chunks arrive, synchronously: push() hands over the CRC-checked
 * data of every frame a chunk completes. A frame inside one chunk, or over chunks adjacent in memory, is a
 * view (no copy); only a frame over chunks apart is assembled, into a buffer of its own size (its header
 * into a few bytes first).
 * Prometheus flushes after every frame, so most network chunks hold whole frames.
 */
export class FrameSplitter {
  private frameNo = 0;
  /** Header bytes of a frame whose size field or CRC is not complete yet (at most 14). */
  private head: Uint8Array | undefined;
  /**
   * The pieces of a frame whose header is read but whose bytes are still arriving (views of the chunks),
   * joined once complete: a view when they lie back to back in memory (joinParts), else a copy.
   */
  private partial: Uint8Array[] | undefined;
  private partialSize = 0;
  private filled = 0;
  private partialCrc = 0;
  private partialHeader = 0;

  constructor(private readonly limitBytes = DEFAULT_FRAME_LIMIT_BYTES) {}

  /** Appends to `out` the data of every frame `chunk` completes, in order. */
  push(chunk: Uint8Array, out: Uint8Array[]): void {
    let off = 0;
    if (this.partial !== undefined) {
      const take = Math.min(chunk.length, this.partialSize - this.filled);
      this.partial.push(take === chunk.length ? chunk : chunk.subarray(0, take));
      this.filled += take;
      if (this.filled < this.partialSize) return;
      const data = joinParts(this.partial, this.partialSize);
      this.partial = undefined;
      out.push(this.checked(data, this.partialCrc));
      off = take;
    } else if (this.head !== undefined) {
      // Rare: a header cut by a chunk boundary. Join it with this chunk and go on as if it came whole.
      const joined = Buffer.allocUnsafe(this.head.length + chunk.length);
      joined.set(this.head, 0);
      joined.set(chunk, this.head.length);
      this.head = undefined;
      chunk = joined;
    }
    const n = chunk.length;
    while (off < n) {
      // uvarint size
      let size = 0;
      let mul = 1;
      let i = off;
      let complete = false;
      while (i < n && i - off < MAX_UVARINT_BYTES) {
        const b = chunk[i++];
        size += (b & 0x7f) * mul;
        mul *= 128;
        if (b < 0x80) {
          complete = true;
          break;
        }
      }
      if (!complete) {
        if (i - off >= MAX_UVARINT_BYTES) throw new StorageError(`remote read frame ${this.frameNo}: malformed size (uvarint longer than 10 bytes)`);
        this.head = chunk.slice(off, n);
        return;
      }
      if (size > this.limitBytes) {
        throw new StorageError(`remote read frame ${this.frameNo}: size ${size} bytes exceeds the ${this.limitBytes}-byte frame limit`);
      }
      if (i + CRC_BYTES > n) {
        this.head = chunk.slice(off, n);
        return;
      }
      const want = (chunk[i] * 0x1000000 + ((chunk[i + 1] << 16) | (chunk[i + 2] << 8) | chunk[i + 3])) >>> 0;
      const start = i + CRC_BYTES;
      if (start + size > n) {
        // The data goes on in later chunks: joined when they have all come.
        this.partial = [chunk.subarray(start, n)];
        this.partialSize = size;
        this.filled = n - start;
        this.partialCrc = want;
        this.partialHeader = start - off;
        return;
      }
      out.push(this.checked(chunk.subarray(start, start + size), want));
      off = start + size;
    }
  }

  /** Call when the body has ended: throws if it ended inside a frame. */
  end(): void {
    if (this.partial !== undefined) {
      const total = this.partialHeader + this.partialSize;
      const have = this.partialHeader + this.filled;
      throw new StorageError(`remote read response truncated inside frame ${this.frameNo} (${have} of ${total} bytes received)`);
    }
    if (this.head !== undefined) {
      throw new StorageError(`remote read response truncated inside frame ${this.frameNo} (${this.head.length} bytes of an incomplete size field or checksum received)`);
    }
  }

  private checked(data: Uint8Array, want: number): Uint8Array {
    const got = crc32c(data) >>> 0;
    if (got !== want) {
      throw new StorageError(
        `remote read frame ${this.frameNo}: CRC32C mismatch (frame says 0x${want.toString(16).padStart(8, '0')}, data has 0x${got.toString(16).padStart(8, '0')})`,
      );
    }
    this.frameNo++;
    return data;
  }
}

/**
 * Yields the data of each frame in `body`, CRC-checked. `limitBytes` bounds one frame's data, so a corrupt
 * size cannot make us wait for (or allocate) gigabytes.
 */
export async function* readFrames(body: AsyncIterable<Uint8Array>, limitBytes = DEFAULT_FRAME_LIMIT_BYTES): AsyncGenerator<Uint8Array> {
  const splitter = new FrameSplitter(limitBytes);
  const frames: Uint8Array[] = [];
  for await (const chunk of body) {
    splitter.push(chunk, frames);
    for (let i = 0; i < frames.length; i++) yield frames[i];
    frames.length = 0;
  }
  splitter.end();
}

/** Writes one frame (tests, fakes and docs examples; Prometheus writes the real ones). */
export function encodeFrame(data: Uint8Array): Buffer {
  const head: number[] = [];
  let v = data.length;
  while (v >= 0x80) {
    head.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  head.push(v);
  const out = Buffer.allocUnsafe(head.length + CRC_BYTES + data.length);
  out.set(head, 0);
  out.writeUInt32BE(crc32c(data) >>> 0, head.length);
  out.set(data, head.length + CRC_BYTES);
  return out;
}
