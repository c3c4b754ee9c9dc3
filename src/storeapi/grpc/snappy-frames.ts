/**
 * The snappy framing format (github.com/google/snappy, framing_format.txt), as the `snappy` grpc-encoding
 * Thanos registers: its compressor wraps golang/snappy's stream Writer and Reader, so a Thanos querier started
 * with `--grpc-compression=snappy` sends every message as such a stream. We read it; we never compress.
 *
 *   stream  = chunk*            (the first is the stream identifier; more identifiers may follow: concatenated streams)
 *   chunk   = type (1 B) | length (3 B, little-endian) | data (length B)
 *   0xff      stream identifier, data "sNaPpY"
 *   0x00      compressed:   masked CRC-32C of the uncompressed data (4 B LE) | snappy block (≤ 65,536 B uncompressed)
 *   0x01      uncompressed: masked CRC-32C (4 B LE) | the bytes (≤ 65,536)
 *   0xfe      padding; 0x80–0xfd reserved, skippable; 0x02–0x7f reserved, not skippable (an error)
 *   masked CRC = ((crc >>> 15) | (crc << 17)) + 0xa282ead8 (mod 2^32)
 *
 * The CRCs cover data only: a type byte flipped into a skippable one loses that chunk unnoticed, as in every
 * reader of the format (the protobuf decode of the shortened message is then what fails).
 */
import { crc32c } from '@node-rs/crc32';
import snappy from 'snappyjs';

const MAX_CHUNK_DATA = 65536;
const IDENTIFIER = Buffer.from('sNaPpY', 'latin1');

/** Why a message did not decode (callers turn it into a gRPC status); `tooLarge`: it would pass the size bound. */
export class SnappyFrameError extends Error {
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

/** The data of a framed snappy stream. Throws SnappyFrameError when malformed or when it would pass `maxBytes`. */
export function uncompressSnappyFrames(stream: Uint8Array, maxBytes: number): Buffer {
  const parts: Uint8Array[] = [];
  let total = 0;
  let at = 0;
  let identified = false;
  while (at < stream.length) {
    if (stream.length - at < 4) throw new SnappyFrameError(`chunk header cut short at byte ${at}`);
    const type = stream[at];
    const len = stream[at + 1] | (stream[at + 2] << 8) | (stream[at + 3] << 16);
    const start = at + 4;
    const end = start + len;
    if (end > stream.length) throw new SnappyFrameError(`chunk at byte ${at} says ${len} bytes, ${stream.length - start} remain`);
    if (type === 0xff) {
      if (len !== IDENTIFIER.length || !IDENTIFIER.equals(stream.subarray(start, end))) throw new SnappyFrameError(`bad stream identifier at byte ${at}`);
      identified = true;
    } else if (!identified) {
      throw new SnappyFrameError('stream does not start with the stream identifier');
    } else if (type === 0x00 || type === 0x01) {
      if (len < 4) throw new SnappyFrameError(`data chunk at byte ${at} too short for its checksum`);
      const want = (stream[start] | (stream[start + 1] << 8) | (stream[start + 2] << 16) | (stream[start + 3] << 24)) >>> 0;
      const payload = stream.subarray(start + 4, end);
      let data: Uint8Array;
      if (type === 0x01) data = payload;
      else {
        try {
          data = snappy.uncompress(payload, MAX_CHUNK_DATA);
        } catch (err) {
          throw new SnappyFrameError(`chunk at byte ${at}: ${(err as Error).message}`);
        }
      }
      if (data.length > MAX_CHUNK_DATA) throw new SnappyFrameError(`chunk at byte ${at} holds ${data.length} bytes, over the format's ${MAX_CHUNK_DATA}`);
      if (maskedCrc32c(data) !== want) throw new SnappyFrameError(`chunk at byte ${at}: checksum mismatch`);
      total += data.length;
      if (total > maxBytes) throw new SnappyFrameError(`uncompressed message larger than max (${maxBytes} bytes)`, true);
      parts.push(data);
    } else if (type >= 0x02 && type <= 0x7f) {
      throw new SnappyFrameError(`reserved unskippable chunk type 0x${type.toString(16).padStart(2, '0')} at byte ${at}`);
    }
    // 0x80–0xfe: padding and reserved skippable chunks.
    at = end;
  }
  if (!identified) throw new SnappyFrameError('empty stream (no stream identifier)');
  return parts.length === 1 ? Buffer.from(parts[0].buffer, parts[0].byteOffset, parts[0].byteLength) : Buffer.concat(parts, total);
}

function maskedCrc32c(data: Uint8Array): number {
  const c = crc32c(Buffer.from(data.buffer, data.byteOffset, data.byteLength)) >>> 0;
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}
