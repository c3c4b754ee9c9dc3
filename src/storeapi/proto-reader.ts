/**
 * The protobuf wire-format reader under our hand-written decoders (series-decoder.ts, series-request-decoder.ts):
 * varints, length-delimited fields checked against the buffer, strings (short ASCII ones interned), unknown
 * fields skipped. Malformed input throws MalformedError (the decoders add the message name and offset);
 * a decoder extends ProtoReader with one method per message.
 *
 * Short ASCII strings (label names and values) are interned in a small direct-mapped table: the same names
 * and values arrive in every series, and returning the string made last time costs less than making one,
 * and makes later label comparisons of equal strings an identity check.
 */

/**
 * Buffer's own slice-to-string methods (what `toString(enc, start, end)` calls after checking its arguments;
 * protobufjs uses utf8Slice too): present on every Node Buffer, missing only from @types/node.
 */
export type SlicingBuffer = Buffer & { utf8Slice(start: number, end: number): string; latin1Slice(start: number, end: number): string };

/** Input that is not the message it should be; the decoder names the message and the offset. */
export class MalformedError extends Error {}

export class ProtoReader {
  readonly buf: SlicingBuffer;
  /** buf.buffer and buf.byteOffset, read once: the getters cost more than the views made from them. */
  readonly ab: ArrayBufferLike;
  readonly base: number;
  pos = 0;
  /** The words of the last varint64. */
  lo = 0;
  hi = 0;
  /** The value of the last smallVarint. */
  num = 0;

  constructor(bytes: Uint8Array) {
    const buf = (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as SlicingBuffer;
    this.buf = buf;
    this.ab = buf.buffer;
    this.base = buf.byteOffset;
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

  /**
   * The varint at p if it has at most 7 bytes (< 2^49: lengths, and millisecond times from 1970 to the year
   * 19 800) and ends by `end`, as a number in `num`; returns the position after it, or −1 (longer, or not ended
   * by `end`). For fast paths that fall back to the general reading on −1.
   */
  smallVarint(p: number, end: number): number {
    const b = this.buf;
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 7 && p < end; i++) {
      const c = b[p++];
      v += (c & 0x7f) * mul;
      if (c < 0x80) {
        this.num = v;
        return p;
      }
      mul *= 128;
    }
    return -1;
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
