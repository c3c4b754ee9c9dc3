/**
 * Hand-written decoder of thanos.SeriesResponse frames, the client side of every Series call: the same
 * objects proto-loader builds (snake_case fields, `result` naming the oneof member, absent sub-messages
 * null, absent repeated fields []), except for the representation of 64-bit integers and bytes:
 *
 *   AggrChunk.min_time/max_time  numbers, as int64ToMillis would make of the decimal strings (wire-int64.ts)
 *   Chunk.hash                   bigint (0n when absent)
 *   bytes (Chunk.data, Any.value) views into the frame buffer, not copies (grpc-js hands us a fresh buffer
 *                                per message, so a view keeps only that message alive)
 *
 * Unknown fields are skipped at every level (forward compatibility). Truncated or malformed input — a length
 * past the end, a varint longer than 10 bytes, a wire type that does not exist, a known field with the wrong
 * wire type (Thanos's gogo-generated code refuses that too; protobufjs reads on and misreads), field 0 —
 * throws StorageError naming the message and the offset, never a RangeError or a half-built frame.
 *
 * Short ASCII strings (label names and values) are interned in a small direct-mapped table: the same names
 * and values arrive in every series, and returning the string made last time costs less than making one,
 * and makes later label comparisons of equal strings an identity check. Layout: docs/format/storeapi.md.
 */
import { StorageError } from '../model/index.js';
import type { ProtoAggrChunk, ProtoAny, ProtoChunk, ProtoLabel, ProtoSeries, SeriesResponse } from './types.js';
import { int64Number, uint64BigInt } from './wire-int64.js';

const EMPTY = new Uint8Array(0);

/**
 * Buffer's own slice-to-string methods (what `toString(enc, start, end)` calls after checking its arguments;
 * protobufjs uses utf8Slice too): present on every Node Buffer, missing only from @types/node.
 */
type SlicingBuffer = Buffer & { utf8Slice(start: number, end: number): string; latin1Slice(start: number, end: number): string };

class MalformedError extends Error {}

/** Decodes one SeriesResponse frame. Throws StorageError on input that is not one. */
export function decodeSeriesResponse(bytes: Uint8Array): SeriesResponse {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = new Reader(buf as SlicingBuffer);
  try {
    return r.frame();
  } catch (err) {
    if (err instanceof MalformedError) {
      throw new StorageError(`decode thanos.SeriesResponse (${bytes.length} bytes): ${err.message} at offset ${r.pos}`);
    }
    throw new StorageError(`decode thanos.SeriesResponse (${bytes.length} bytes): ${(err as Error).message}`, { cause: err });
  }
}

class Reader {
  readonly buf: SlicingBuffer;
  /** buf.buffer and buf.byteOffset, read once: the getters cost more than the views made from them. */
  readonly ab: ArrayBufferLike;
  readonly base: number;
  pos = 0;
  /** The words of the last varint64. */
  lo = 0;
  hi = 0;

  constructor(buf: SlicingBuffer) {
    this.buf = buf;
    this.ab = buf.buffer;
    this.base = buf.byteOffset;
  }

  frame(): SeriesResponse {
    const end = this.buf.length;
    let out: SeriesResponse | undefined;
    while (this.pos < end) {
      const tag = this.varint32();
      switch (tag) {
        case 0x0a: // series = 1
          out = { result: 'series', series: this.series(this.len()) };
          break;
        case 0x12: // warning = 2
          out = { result: 'warning', warning: this.string(this.len()) };
          break;
        case 0x1a: // hints = 3
          out = { result: 'hints', hints: this.any(this.len()) };
          break;
        case 0x22: {
          // batch = 4
          const bEnd = this.len();
          const list: ProtoSeries[] = [];
          while (this.pos < bEnd) {
            const t = this.varint32();
            if (t === 0x0a) list.push(this.series(this.len()));
            else this.skip(t, bEnd, 1);
          }
          this.ended(bEnd);
          out = { result: 'batch', batch: { series: list } };
          break;
        }
        default:
          this.skip(tag, end, 4);
      }
    }
    // No member at all: proto-loader gives an object without `result`; keep that shape.
    return out ?? ({} as SeriesResponse);
  }

  series(end: number): ProtoSeries {
    const labels: ProtoLabel[] = [];
    const chunks: ProtoAggrChunk[] = [];
    while (this.pos < end) {
      const tag = this.varint32();
      if (tag === 0x0a) labels.push(this.label(this.len()));
      else if (tag === 0x12) chunks.push(this.aggrChunk(this.len()));
      else this.skip(tag, end, 2);
    }
    this.ended(end);
    return { labels, chunks };
  }

  label(end: number): ProtoLabel {
    // Almost every label is exactly `0a <len> name 12 <len> value` with one-byte lengths: read that shape
    // without the field loop. Anything else (long, empty or missing fields, unknown ones) takes the loop.
    const b = this.buf;
    const p = this.pos;
    if (b[p] === 0x0a) {
      const ne = p + 2 + b[p + 1];
      if (b[p + 1] < 0x80 && ne + 2 <= end && b[ne] === 0x12 && b[ne + 1] < 0x80 && ne + 2 + b[ne + 1] === end) {
        this.pos = end;
        return { name: this.stringAt(p + 2, ne), value: this.stringAt(ne + 2, end) };
      }
    }
    let name = '';
    let value = '';
    while (this.pos < end) {
      const tag = this.varint32();
      if (tag === 0x0a) name = this.string(this.len());
      else if (tag === 0x12) value = this.string(this.len());
      else this.skip(tag, end, 2);
    }
    this.ended(end);
    return { name, value };
  }

  aggrChunk(end: number): ProtoAggrChunk {
    const c: ProtoAggrChunk = { min_time: 0, max_time: 0, raw: null, count: null, sum: null, min: null, max: null, counter: null };
    while (this.pos < end) {
      const tag = this.varint32();
      switch (tag) {
        case 0x08:
          this.varint64();
          c.min_time = int64Number(this.lo, this.hi);
          break;
        case 0x10:
          this.varint64();
          c.max_time = int64Number(this.lo, this.hi);
          break;
        case 0x1a:
          c.raw = this.chunk(this.len());
          break;
        case 0x22:
          c.count = this.chunk(this.len());
          break;
        case 0x2a:
          c.sum = this.chunk(this.len());
          break;
        case 0x32:
          c.min = this.chunk(this.len());
          break;
        case 0x3a:
          c.max = this.chunk(this.len());
          break;
        case 0x42:
          c.counter = this.chunk(this.len());
          break;
        default:
          this.skip(tag, end, 8);
      }
    }
    this.ended(end);
    return c;
  }

  chunk(end: number): ProtoChunk {
    const c: ProtoChunk = { type: 0, data: EMPTY, hash: 0n };
    while (this.pos < end) {
      const tag = this.varint32();
      if (tag === 0x08) {
        // An enum is an int32; a negative one arrives sign-extended to 10 bytes. Numbers we do not know are
        // kept (proto3 open enums): the consumer refuses them by name.
        this.varint64();
        c.type = this.lo | 0;
      } else if (tag === 0x12) c.data = this.bytes(this.len());
      else if (tag === 0x18) {
        this.varint64();
        c.hash = uint64BigInt(this.lo, this.hi);
      } else this.skip(tag, end, 3);
    }
    this.ended(end);
    return c;
  }

  any(end: number): ProtoAny {
    let type_url = '';
    let value: Uint8Array = EMPTY;
    while (this.pos < end) {
      const tag = this.varint32();
      if (tag === 0x0a) type_url = this.string(this.len());
      else if (tag === 0x12) value = this.bytes(this.len());
      else this.skip(tag, end, 2);
    }
    this.ended(end);
    return { type_url, value };
  }

  /** A sub-message must end exactly at its length: a field of it may not run into its parent. */
  ended(end: number): void {
    if (this.pos !== end) throw new MalformedError('a field runs past the end of its message');
  }

  /** Reads a length prefix; returns the end of the payload, checked against the buffer. */
  len(): number {
    const n = this.varint32();
    const end = this.pos + n;
    if (n > 0x7fffffff || end > this.buf.length) throw new MalformedError(`length ${n} runs past the end`);
    return end;
  }

  bytes(end: number): Uint8Array {
    const v = new Uint8Array(this.ab, this.base + this.pos, end - this.pos);
    this.pos = end;
    return v;
  }

  string(end: number): string {
    const start = this.pos;
    this.pos = end;
    return this.stringAt(start, end);
  }

  /** The string in bytes [start, end), interned when short and ASCII. */
  stringAt(start: number, end: number): string {
    const b = this.buf;
    const n = end - start;
    if (n === 0) return '';
    if (n > INTERN_MAX_BYTES) return b.utf8Slice(start, end);
    // A string of up to 8 bytes is its length and first and last 4 bytes (overlapping): those pick the slot
    // and, compared as numbers, decide equality; longer ones compare their middle bytes too. Names and
    // values differ in those places (prefixes, numbered suffixes). Only ASCII strings are interned.
    let head: number;
    let tail: number;
    if (n >= 4) {
      head = b[start] | (b[start + 1] << 8) | (b[start + 2] << 16) | (b[start + 3] << 24);
      tail = b[end - 4] | (b[end - 3] << 8) | (b[end - 2] << 16) | (b[end - 1] << 24);
    } else {
      head = b[start] | (n > 1 ? b[start + 1] << 8 : 0) | (n > 2 ? b[start + 2] << 16 : 0);
      tail = 0;
    }
    let h = Math.imul(head ^ n, 0x9e3779b1) ^ Math.imul(tail, 0x85ebca77);
    h ^= h >>> 15;
    const slot = h & (INTERN_SLOTS - 1);
    const s = interned[slot];
    if (s.length === n && internedHead[slot] === head && internedTail[slot] === tail) {
      if (n <= 8) return s;
      let i = 4;
      while (i < n - 4 && s.charCodeAt(i) === b[start + i]) i++;
      if (i === n - 4) return s;
    }
    if (((head | tail) & 0x80808080) !== 0) return b.utf8Slice(start, end);
    for (let p = start + 4; p < end - 4; p++) if (b[p] >= 0x80) return b.utf8Slice(start, end); // invalid UTF-8 becomes U+FFFD, as in protobufjs
    internedHead[slot] = head;
    internedTail[slot] = tail;
    return (interned[slot] = b.latin1Slice(start, end));
  }

  /** A varint that must fit 32 bits (tags, lengths); the high bits of a longer one are dropped as protobufjs does. */
  varint32(): number {
    const b = this.buf;
    let p = this.pos;
    if (p >= b.length) throw new MalformedError('unexpected end of input');
    let c = b[p++];
    if (c < 0x80) {
      this.pos = p;
      return c;
    }
    this.pos = p - 1;
    this.varint64();
    return this.lo;
  }

  /** Reads a varint of up to 10 bytes into lo/hi. */
  varint64(): void {
    const b = this.buf;
    let p = this.pos;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (;;) {
      if (p >= b.length) throw new MalformedError('unexpected end of input');
      const c = b[p++];
      if (shift < 28) lo |= (c & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (c & 0x0f) << 28;
        hi = (c & 0x7f) >>> 4;
      } else hi |= (c & 0x7f) << (shift - 32);
      if (c < 0x80) break;
      shift += 7;
      if (shift >= 70) throw new MalformedError('varint longer than 10 bytes');
    }
    this.pos = p;
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /**
   * Skips an unknown field. Fields 1..`known` are the message's own, handled by the caller when their wire
   * type is right: one arriving here has the wrong one and is refused.
   */
  skip(tag: number, end: number, known: number): void {
    const wire = tag & 7;
    const num = tag >>> 3;
    if (num === 0) throw new MalformedError('field number 0');
    if (num <= known) throw new MalformedError(`field ${num} with wrong wire type ${wire}`);
    const at = this.pos;
    switch (wire) {
      case 0:
        this.varint64();
        break;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.pos = this.len();
        break;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new MalformedError(`invalid wire type ${wire} (field ${num})`);
    }
    if (this.pos > end) {
      this.pos = at;
      throw new MalformedError(`field ${num} runs past the end of its message`);
    }
  }
}

/** Strings longer than this are not interned (label names and values are shorter; hints and warnings rarer). */
const INTERN_MAX_BYTES = 64;
const INTERN_SLOTS = 4096;
const interned: string[] = new Array<string>(INTERN_SLOTS).fill('');
/** Each slot's string's first and last 4 bytes as read by stringAt, for comparing without touching the string. */
const internedHead = new Int32Array(INTERN_SLOTS);
const internedTail = new Int32Array(INTERN_SLOTS);
