/**
 * Sequential reads of one object through ranged GETs of a fixed window, so walking a multi-GB index reads it
 * front to back with bounded memory (one window at a time) and one request per window, never the whole file.
 */
import type { Bucket } from '../objstore/index.js';

/** 8 MiB: large enough that a GCS request's latency is small beside its transfer, small enough to hold. */
export const WINDOW_BYTES = 8 << 20;

export interface WindowView {
  /** The window's bytes; the requested range starts at `pos`. */
  b: Uint8Array;
  pos: number;
  /** Bytes available from `pos`: at least those asked for, fewer only at the end of the object. */
  avail: number;
}

export class ObjectWindow {
  #buf: Uint8Array = new Uint8Array(0);
  #start = 0;

  constructor(
    readonly bucket: Bucket,
    readonly name: string,
    /** Object size: reads never go past it. */
    readonly size: number,
    readonly windowBytes = WINDOW_BYTES,
    readonly signal?: AbortSignal,
  ) {}

  /** At least `len` bytes from `offset` (fewer at the end of the object), from the current window or a new GET. */
  async view(offset: number, len: number): Promise<WindowView> {
    const end = Math.min(this.size, offset + len);
    if (offset < this.#start || end > this.#start + this.#buf.length) {
      const want = Math.min(this.size - offset, Math.max(len, this.windowBytes));
      this.#buf = want > 0 ? await this.bucket.getRange(this.name, offset, want, this.signal) : new Uint8Array(0);
      this.#start = offset;
    }
    const pos = offset - this.#start;
    return { b: this.#buf, pos, avail: Math.max(0, this.#buf.length - pos) };
  }
}

/** A uvarint at b[pos] within `avail` bytes → [value, bytes used], or undefined when cut or longer than 2^53. */
export function uvarintAt(b: Uint8Array, pos: number, avail: number): [number, number] | undefined {
  let x = 0;
  let mul = 1;
  for (let i = 0; i < Math.min(avail, 8); i++) {
    const byte = b[pos + i]!;
    x += (byte & 0x7f) * mul;
    if (byte < 0x80) return [x, i + 1];
    mul *= 128;
  }
  return undefined;
}

/** Big-endian uint32 at b[p]. */
export function be32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}
