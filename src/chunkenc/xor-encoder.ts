/**
 * XOR chunk encoder, bit-exact with Prometheus `tsdb/chunkenc/xor.go` (format: docs/format/xor.md).
 *
 * The bit stream is built in a 32-bit accumulator and flushed four bytes at a time, so the per-sample cost
 * is a few shifts; values are taken as raw IEEE-754 halves, so NaN payloads (the staleness marker) survive.
 */
import { StorageError } from '../model/index.js';
import { HI, LO, floatHi, floatLoOfLast, hi32, lo32 } from './bits.js';
import { varintResult, zigzagHalves } from './varint.js';

/** A chunk's sample count is a uint16 in its header. */
export const MAX_SAMPLES_PER_XOR_CHUNK = 0xffff;

const WHAT = 'encode XOR chunk';

export class XorEncoder {
  private buf = new Uint8Array(256);
  /** Bytes flushed so far, including the 2-byte sample-count header. */
  private len = 2;
  /** Pending bits, MSB first, not yet flushed; `fill` of them are valid (0..31). */
  private acc = 0;
  private fill = 0;
  private n = 0;
  private t = 0;
  private tDelta = 0;
  private vHi = 0;
  private vLo = 0;
  /** 0xff = no leading/trailing window yet, as Prometheus's fresh appender. */
  private leading = 0xff;
  private trailing = 0;
  /**
   * Whether the last field written ended on a whole-byte write. Prometheus's bstream.writeByte always appends
   * a fresh empty byte after the one it fills, so a chunk whose stream ends byte-aligned after such a write
   * (t0/v0 of a 1-sample chunk, or a value whose significant-bit count is a multiple of 8) carries one extra
   * zero byte; single-bit writes never leave one. We reproduce it to stay byte-identical.
   */
  private endsWithByteWrite = false;

  /** Samples appended since construction or the last reset(). */
  get numSamples(): number {
    return this.n;
  }

  /** Starts a new, empty chunk (keeps the buffer). */
  reset(): void {
    this.len = 2;
    this.acc = 0;
    this.fill = 0;
    this.n = 0;
    this.t = 0;
    this.tDelta = 0;
    this.vHi = 0;
    this.vLo = 0;
    this.leading = 0xff;
    this.trailing = 0;
    this.endsWithByteWrite = false;
  }

  /**
   * Appends one sample. `t` must be an integer (ms) within ±2^53; order is not checked, as in Prometheus's
   * appender (a smaller t is written as a wrapped 64-bit delta). Throws StorageError past 65535 samples.
   */
  append(t: number, v: number): void {
    const hi = floatHi(v);
    this.appendBits(t, hi, floatLoOfLast());
  }

  /** Appends a sample whose value is given as its IEEE-754 halves (hi = sign/exponent word). */
  appendBits(t: number, hi: number, lo: number): void {
    if (!Number.isSafeInteger(t)) throw new StorageError(`${WHAT}: timestamp ${t} is not an integer within ±2^53`);
    const n = this.n;
    if (n >= MAX_SAMPLES_PER_XOR_CHUNK) throw new StorageError(`${WHAT}: more than ${MAX_SAMPLES_PER_XOR_CHUNK} samples`);
    if (n >= 2) {
      const tDelta = t - this.t;
      const dod = tDelta - this.tDelta;
      if (dod === 0) {
        this.write(0, 1);
      } else if (dod >= -8191 && dod <= 8192) {
        this.write((0b10 << 14) | (dod & 0x3fff), 16);
      } else if (dod >= -65535 && dod <= 65536) {
        this.write((0b110 << 17) | (dod & 0x1ffff), 20);
      } else if (dod >= -524287 && dod <= 524288) {
        this.write((0b1110 << 20) | (dod & 0xfffff), 24);
      } else {
        if (!Number.isSafeInteger(dod)) throw new StorageError(`${WHAT}: timestamp step at ${t} is beyond ±2^53`);
        this.write(0b1111, 4);
        this.write(hi32(dod), 32);
        this.write(lo32(dod), 32);
      }
      this.tDelta = tDelta;
      this.writeValue(hi, lo);
    } else if (n === 0) {
      zigzagHalves(hi32(t), lo32(t));
      this.writeUvarint(varintResult.hi, varintResult.lo);
      this.write(hi, 32);
      this.write(lo, 32);
      this.endsWithByteWrite = true;
    } else {
      const tDelta = t - this.t;
      if (!Number.isSafeInteger(tDelta)) throw new StorageError(`${WHAT}: timestamp step at ${t} is beyond ±2^53`);
      // Prometheus writes uint64(t − prev): a negative step becomes a 10-byte two's-complement uvarint.
      this.writeUvarint(hi32(tDelta), lo32(tDelta));
      this.tDelta = tDelta;
      this.writeValue(hi, lo);
    }
    this.t = t;
    this.vHi = hi;
    this.vLo = lo;
    this.n = n + 1;
  }

  /** The chunk so far (a copy): header, bit stream, last byte zero-padded (plus Prometheus's extra byte, above). */
  bytes(): Uint8Array {
    const pending = (this.fill + 7) >>> 3;
    const extra = (this.fill & 7) === 0 && this.endsWithByteWrite ? 1 : 0;
    const out = new Uint8Array(this.len + pending + extra); // zero-filled: padding and the extra byte
    out.set(this.buf.subarray(0, this.len));
    for (let i = 0; i < pending; i++) out[this.len + i] = (this.acc >>> (24 - 8 * i)) & 0xff;
    out[0] = this.n >>> 8;
    out[1] = this.n & 0xff;
    return out;
  }

  /** Prometheus xorWrite: '0' same value; '10' + bits in the previous window; '11' + new window. */
  private writeValue(hi: number, lo: number): void {
    const xh = hi ^ this.vHi;
    const xl = lo ^ this.vLo;
    if ((xh | xl) === 0) {
      this.write(0, 1);
      this.endsWithByteWrite = false;
      return;
    }
    let lead = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
    const trail = xl !== 0 ? 31 - Math.clz32(xl & -xl) : 63 - Math.clz32(xh & -xh);
    // 5 bits hold at most 31 leading zeros; the extra zeros then travel as significant bits.
    if (lead >= 32) lead = 31;
    if (this.leading !== 0xff && lead >= this.leading && trail >= this.trailing) {
      this.write(0b10, 2);
      this.writeSignificant(xh, xl, this.trailing, 64 - this.leading - this.trailing);
      return;
    }
    this.leading = lead;
    this.trailing = trail;
    const sig = 64 - lead - trail;
    // 64 significant bits do not fit in 6 bits and 0 never occurs (that is the '0' case): 0 encodes 64.
    this.write((0b11 << 11) | (lead << 6) | (sig & 63), 13);
    this.writeSignificant(xh, xl, trail, sig);
  }

  /** Writes the `sig` bits of xh:xl >> trail. */
  private writeSignificant(xh: number, xl: number, trail: number, sig: number): void {
    this.endsWithByteWrite = (sig & 7) === 0;
    let rh: number;
    let rl: number;
    if (trail >= 32) {
      rh = 0;
      rl = xh >>> (trail - 32);
    } else if (trail === 0) {
      rh = xh;
      rl = xl;
    } else {
      rh = xh >>> trail;
      rl = (xl >>> trail) | (xh << (32 - trail));
    }
    if (sig > 32) {
      this.write(rh, sig - 32);
      this.write(rl, 32);
    } else {
      this.write(rl, sig);
    }
  }

  private writeUvarint(hi: number, lo: number): void {
    hi >>>= 0;
    lo >>>= 0;
    while (hi !== 0 || lo >= 0x80) {
      this.write((lo & 0x7f) | 0x80, 8);
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.write(lo, 8);
  }

  /** Appends the low n bits of v (1 ≤ n ≤ 32), MSB first. */
  private write(v: number, n: number): void {
    const free = 32 - this.fill;
    if (n < free) {
      this.acc |= (v & ((1 << n) - 1)) << (free - n);
      this.fill += n;
      return;
    }
    const rest = n - free;
    const m = n === 32 ? v : v & ((1 << n) - 1);
    const word = this.acc | (m >>> rest);
    let len = this.len;
    if (len + 4 > this.buf.length) this.grow();
    const buf = this.buf;
    buf[len] = word >>> 24;
    buf[len + 1] = word >>> 16;
    buf[len + 2] = word >>> 8;
    buf[len + 3] = word;
    this.len = len + 4;
    this.acc = rest === 0 ? 0 : m << (32 - rest);
    this.fill = rest;
  }

  private grow(): void {
    const next = new Uint8Array(this.buf.length * 2);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}

const shared = new XorEncoder();

/**
 * Encodes samples [from, to) of parallel arrays into one XOR chunk. Values are read as raw bits from the
 * Float64Array's memory, so NaN payloads (e.g. the staleness marker) are kept exactly.
 */
export function encodeXOR(timestamps: ArrayLike<number>, values: Float64Array, from = 0, to = values.length): Uint8Array {
  if (from < 0 || to > values.length || to > timestamps.length || from > to) {
    throw new RangeError(`encodeXOR: range [${from}, ${to}) outside arrays of ${timestamps.length}/${values.length}`);
  }
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  shared.reset();
  for (let i = from; i < to; i++) shared.appendBits(timestamps[i]!, bits[2 * i + HI]!, bits[2 * i + LO]!);
  return shared.bytes();
}
