/**
 * The STREAMED_XOR_CHUNKS framing of a Prometheus remote-read response, read as the body arrives
 * (format: docs/format/remote-read.md §Frames):
 *
 *   ┌──────────────┬─────────────────────────┬──────────────────────────────┐
 *   │ uvarint size │ CRC-32C(data), 4 B, BE  │ data (size bytes)            │  … repeated until the body ends
 *   └──────────────┴─────────────────────────┴──────────────────────────────┘
 *
 * Frames are yielded as views into the received buffers (no copy) unless a frame straddles two network
 * chunks, when just that frame's bytes are joined. A CRC mismatch, a size over the limit, or a body that
 * ends inside a frame is a StorageError naming the frame; nothing is yielded from a frame that fails.
 */
import { crc32c } from '@node-rs/crc32';
import { StorageError } from '../model/index.js';

/** Thanos's read limit per frame (Prometheus `config.DefaultChunkedReadLimit`, 50 MB). */
export const DEFAULT_FRAME_LIMIT_BYTES = 50_000_000;

const CRC_BYTES = 4;
/** A uvarint of a 64-bit value is at most 10 bytes. */
const MAX_UVARINT_BYTES = 10;

/**
 * Yields the data of each frame in `body`, CRC-checked. `limitBytes` bounds one frame's data, so a corrupt
 * size cannot make us wait for (or allocate) gigabytes.
 */
export async function* readFrames(body: AsyncIterable<Uint8Array>, limitBytes = DEFAULT_FRAME_LIMIT_BYTES): AsyncGenerator<Uint8Array> {
  // Unread bytes: parts[0] from `off`, then the other parts whole. `need` is how many unread bytes the
  // next parse step must see contiguously; below that we only collect.
  let parts: Uint8Array[] = [];
  let off = 0;
  let have = 0;
  let need = 1;
  let frameNo = 0;
  let expected = -1; // the current frame's total length once its header is read, for the truncation message

  for await (const chunk of body) {
    if (chunk.length === 0) continue;
    parts.push(chunk);
    have += chunk.length;
    if (have < need) continue;
    if (parts.length > 1) {
      parts = [Buffer.concat([parts[0].subarray(off), ...parts.slice(1)])];
      off = 0;
    }
    const buf = parts[0];
    for (;;) {
      // uvarint size
      let size = 0;
      let mul = 1;
      let n = 0;
      let complete = false;
      while (off + n < buf.length && n < MAX_UVARINT_BYTES) {
        const b = buf[off + n++];
        size += (b & 0x7f) * mul;
        mul *= 128;
        if (b < 0x80) {
          complete = true;
          break;
        }
      }
      if (!complete) {
        if (n >= MAX_UVARINT_BYTES) throw new StorageError(`remote read frame ${frameNo}: malformed size (uvarint longer than 10 bytes)`);
        need = have + 1;
        expected = -1;
        break;
      }
      if (size > limitBytes) {
        throw new StorageError(`remote read frame ${frameNo}: size ${size} bytes exceeds the ${limitBytes}-byte frame limit`);
      }
      const total = n + CRC_BYTES + size;
      if (have < total) {
        need = total;
        expected = total;
        break;
      }
      const want = (buf[off + n] * 0x1000000 + ((buf[off + n + 1] << 16) | (buf[off + n + 2] << 8) | buf[off + n + 3])) >>> 0;
      const data = buf.subarray(off + n + CRC_BYTES, off + total);
      const got = crc32c(data) >>> 0;
      if (got !== want) {
        throw new StorageError(
          `remote read frame ${frameNo}: CRC32C mismatch (frame says 0x${want.toString(16).padStart(8, '0')}, data has 0x${got.toString(16).padStart(8, '0')})`,
        );
      }
      off += total;
      have -= total;
      frameNo++;
      yield data;
      if (have === 0) {
        parts = [];
        off = 0;
        need = 1;
        expected = -1;
        break;
      }
    }
  }
  if (have > 0) {
    const of = expected > 0 ? `${have} of ${expected} bytes` : `${have} bytes of an incomplete size field`;
    throw new StorageError(`remote read response truncated inside frame ${frameNo} (${of} received)`);
  }
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
