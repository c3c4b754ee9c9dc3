/**
 * gRPC over HTTP/2, the parts both sides share: length-prefixed messages in DATA frames, `grpc-timeout` and
 * `grpc-message` header values (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).
 *
 * A message on the wire is a 5-byte prefix — compressed flag (0/1), length (uint32 big-endian) — then the
 * bytes. DATA frames do not follow message boundaries: one frame may hold several messages or a sliver of one.
 */
import zlib from 'node:zlib';
import { joinParts } from '../../net/slab-reads.js';
import { Code, GrpcStatusError } from './codes.js';
import { SnappyFrameError, uncompressSnappyFrames } from './snappy-frames.js';

/**
 * Compressions we read (`grpc-encoding`): gRPC's standard gzip and deflate, and `snappy` as Thanos registers it
 * (framed snappy, snappy-frames.ts: what a Thanos querier with `--grpc-compression=snappy` sends). We never
 * compress what we send; a grpc-go peer takes identity answers whatever it asked with.
 */
export const ACCEPT_ENCODING = 'identity,gzip,deflate,snappy';

export function isSupportedEncoding(encoding: string | undefined): boolean {
  return encoding === undefined || encoding === 'identity' || encoding === 'gzip' || encoding === 'deflate' || encoding === 'snappy';
}

// Below this a message is copied behind its prefix (one write); above, the prefix goes as a write of its own
// and the message is not copied.
const COPY_BELOW = 16 * 1024;

/** One uncompressed message with its prefix, in a new buffer. */
export function frameMessage(message: Uint8Array): Buffer {
  const n = message.byteLength;
  const out = Buffer.allocUnsafe(5 + n);
  out[0] = 0;
  out.writeUInt32BE(n, 1);
  out.set(message, 5);
  return out;
}

/** Writes one message; returns what `stream.write` returned (false: wait for 'drain'). */
export function writeMessage(stream: { write(chunk: Buffer): boolean }, message: Uint8Array): boolean {
  const n = message.byteLength;
  if (n < COPY_BELOW) return stream.write(frameMessage(message));
  const prefix = Buffer.allocUnsafe(5);
  prefix[0] = 0;
  prefix.writeUInt32BE(n, 1);
  stream.write(prefix);
  return stream.write(Buffer.isBuffer(message) ? message : Buffer.from(message.buffer, message.byteOffset, n));
}

/**
 * Cuts a stream of DATA chunks into messages. A message within one chunk is handed out as a view of it (no
 * copy); one spread over chunks is joined once it is complete. Throws GrpcStatusError: RESOURCE_EXHAUSTED
 * past `maxBytes`, INTERNAL for a compressed message without a known `grpc-encoding` or one that does not inflate.
 */
export class MessageReader {
  readonly #maxBytes: number;
  readonly #encoding: string | undefined;
  #parts: Buffer[] = [];
  #buffered = 0; // bytes in #parts
  #need = -1; // body length of the message being read, −1 while its prefix is incomplete
  #compressed = false;

  constructor(maxBytes: number, encoding: string | undefined) {
    this.#maxBytes = maxBytes;
    this.#encoding = encoding;
  }

  /** True when the stream ended in the middle of a message. */
  get partial(): boolean {
    return this.#buffered > 0;
  }

  /** Feeds one chunk; complete messages are appended to `out`. */
  push(chunk: Buffer, out: Buffer[]): void {
    let off = 0;
    const len = chunk.length;
    // Fast path: nothing carried over, whole messages inside this chunk.
    if (this.#buffered === 0 && this.#need < 0) {
      while (len - off >= 5) {
        const n = chunk.readUInt32BE(off + 1);
        this.#check(n);
        if (len - off - 5 < n) break;
        out.push(this.#body(chunk[off] !== 0, chunk.subarray(off + 5, off + 5 + n)));
        off += 5 + n;
      }
      if (off === len) return;
    }
    this.#parts.push(off === 0 ? chunk : chunk.subarray(off));
    this.#buffered += len - off;
    for (;;) {
      if (this.#need < 0) {
        if (this.#buffered < 5) return;
        const head = this.#take(5);
        this.#compressed = head[0] !== 0;
        this.#need = head.readUInt32BE(1);
        this.#check(this.#need);
      }
      if (this.#buffered < this.#need) return;
      const body = this.#take(this.#need);
      this.#need = -1;
      out.push(this.#body(this.#compressed, body));
    }
  }

  #check(n: number): void {
    if (n > this.#maxBytes) {
      throw new GrpcStatusError(Code.RESOURCE_EXHAUSTED, `received message larger than max (${n} vs. ${this.#maxBytes})`);
    }
  }

  #body(compressed: boolean, body: Buffer): Buffer {
    if (!compressed) return body;
    try {
      if (this.#encoding === 'gzip') return zlib.gunzipSync(body, { maxOutputLength: this.#maxBytes });
      if (this.#encoding === 'deflate') return zlib.inflateSync(body, { maxOutputLength: this.#maxBytes });
      if (this.#encoding === 'snappy') return uncompressSnappyFrames(body, this.#maxBytes);
    } catch (err) {
      if (err instanceof SnappyFrameError && err.tooLarge) throw new GrpcStatusError(Code.RESOURCE_EXHAUSTED, `decompress snappy message: ${err.message}`);
      throw new GrpcStatusError(Code.INTERNAL, `decompress ${this.#encoding} message: ${(err as Error).message}`);
    }
    throw new GrpcStatusError(Code.INTERNAL, `compressed message with grpc-encoding ${this.#encoding ?? 'identity'}`);
  }

  /** The next `n` buffered bytes: a view when the first part holds them or the parts are adjacent, else a joined copy. */
  #take(n: number): Buffer {
    this.#buffered -= n;
    const first = this.#parts[0];
    if (first.length > n) {
      this.#parts[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    if (first.length === n) {
      this.#parts.shift();
      return first;
    }
    const out = joinParts(this.#parts, n);
    for (let left = n; left > 0; ) {
      const p = this.#parts[0];
      if (p.length <= left) {
        this.#parts.shift();
        left -= p.length;
      } else {
        this.#parts[0] = p.subarray(left);
        left = 0;
      }
    }
    return out;
  }
}

/** `grpc-timeout` for a deadline `ms` from now: at most 8 digits, in the finest unit that fits. */
export function formatTimeout(ms: number): string {
  const t = Math.max(0, Math.ceil(ms));
  if (t < 1e8) return `${t}m`;
  const s = Math.ceil(t / 1000);
  if (s < 1e8) return `${s}S`;
  return `${Math.min(99_999_999, Math.ceil(s / 3600))}H`;
}

const TIMEOUT_UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };

/** Milliseconds of a `grpc-timeout` value; undefined when absent, NaN when malformed. */
export function parseTimeout(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  const m = /^(\d{1,8})([HMSmun])$/.exec(v);
  if (m === null) return NaN;
  return Number(m[1]) * TIMEOUT_UNIT_MS[m[2]];
}

/** `grpc-message`: UTF-8, with bytes outside printable ASCII and `%` percent-encoded. */
export function encodeStatusMessage(message: string): string {
  // Fast path: the usual plain-ASCII message goes as it is.
  if (/^[\x20-\x24\x26-\x7e]*$/.test(message)) return message;
  let out = '';
  for (const b of Buffer.from(message, 'utf8')) {
    out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Reads `grpc-message` back; a malformed escape is kept as it is, as the spec asks. */
export function decodeStatusMessage(value: string | string[] | undefined): string {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || !v.includes('%')) return v ?? '';
  const bytes: number[] = [];
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(v.slice(i + 1, i + 3))) {
      bytes.push(parseInt(v.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c & 0xff);
  }
  return Buffer.from(bytes).toString('utf8');
}
