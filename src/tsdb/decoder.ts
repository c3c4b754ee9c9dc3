/**
 * A cursor over bytes of a TSDB file (index, index-header, chunk segment) with the integer codings those
 * formats use: big-endian fixed width, Go uvarint (LEB128) and varint (zig-zag). Values are JS numbers: every
 * offset, ref, length and millisecond timestamp in a block is far below 2^53, and a varint that does not fit
 * is a corrupt file, reported as such rather than rounded.
 *
 * Reading past `end` throws CorruptBlockError naming what was being read, never a RangeError or undefined.
 */
import { crc32c } from '@node-rs/crc32';
import { CorruptBlockError } from './errors.js';

const TWO_32 = 4294967296;

export class Decoder {
  pos: number;
  readonly end: number;

  /** `what` names the thing decoded, for errors ("index of block 01H…: series at 4096"). */
  constructor(
    readonly b: Uint8Array,
    readonly what: string,
    start = 0,
    end = b.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  fail(msg: string): never {
    throw new CorruptBlockError(`${this.what}: ${msg} (at byte ${this.pos})`);
  }

  #need(n: number): void {
    if (this.pos + n > this.end) this.fail(`truncated: need ${n} bytes, ${this.end - this.pos} left`);
  }

  byte(): number {
    this.#need(1);
    return this.b[this.pos++]!;
  }

  be32(): number {
    this.#need(4);
    const b = this.b;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  /** A big-endian uint64 that must fit in 2^53 (file offsets). */
  be64(): number {
    const hi = this.be32();
    const lo = this.be32();
    if (hi >= 0x200000) this.fail(`64-bit value ${hi}:${lo} beyond 2^53`);
    return hi * TWO_32 + lo;
  }

  uvarint(): number {
    const b = this.b;
    let p = this.pos;
    let x = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (p >= this.end) this.fail('truncated varint');
      const byte = b[p++]!;
      x += (byte & 0x7f) * mul;
      if (byte < 0x80) {
        this.pos = p;
        return x;
      }
      mul *= 128;
    }
    // 8 × 7 = 56 bits consumed and still more: beyond 2^53 for anything a block can hold.
    this.pos = p;
    return this.fail('varint beyond 2^53');
  }

  /** Go zig-zag varint. */
  varint(): number {
    const u = this.uvarint();
    // (u >>> 1) ^ -(u & 1) without 32-bit truncation.
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** A uvarint-length-prefixed UTF-8 string. */
  uvarintStr(): string {
    const n = this.uvarint();
    this.#need(n);
    const s = decodeUtf8(this.b, this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** A uvarint-length-prefixed byte slice (a view). */
  uvarintBytes(): Uint8Array {
    const n = this.uvarint();
    this.#need(n);
    const s = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  skip(n: number): void {
    this.#need(n);
    this.pos += n;
  }
}

const utf8 = new TextDecoder('utf-8');
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, from: number, to: number): string }).latin1Slice;

/**
 * b[from, to) as UTF-8. Label names and values are short and nearly always ASCII, where TextDecoder's
 * per-call cost dominates (a symbol table or postings offset table decodes 10^5 of them): those take
 * Node's latin1 slice, which for bytes < 0x80 is the same string.
 */
export function decodeUtf8(b: Uint8Array, from: number, to: number): string {
  if (to - from <= 64) {
    let i = from;
    while (i < to && b[i]! < 0x80) i++;
    if (i === to) return latin1Slice.call(b, from, to);
  }
  return utf8.decode(b.subarray(from, to));
}

/** Reads the big-endian uint32 at `p` (callers have checked bounds). */
export function be32At(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

export function putBe32(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 24;
  b[p + 1] = (v >>> 16) & 0xff;
  b[p + 2] = (v >>> 8) & 0xff;
  b[p + 3] = v & 0xff;
}

export function putBe64(b: Uint8Array, p: number, v: number): void {
  putBe32(b, p, Math.floor(v / TWO_32));
  putBe32(b, p + 4, v % TWO_32);
}

/** Throws unless the CRC32C of b[from, to) equals the big-endian uint32 stored at `to`. */
export function checkCrc(b: Uint8Array, from: number, to: number, what: string): void {
  if (to + 4 > b.length) throw new CorruptBlockError(`${what}: truncated before its CRC32`);
  const stored = be32At(b, to);
  const actual = crc32c(b.subarray(from, to)) >>> 0;
  if (stored !== actual) {
    throw new CorruptBlockError(`${what}: CRC32C 0x${actual.toString(16)} does not match stored 0x${stored.toString(16)}`);
  }
}
