/**
 * XOR chunk encoder, bit-exact with Prometheus `tsdb/chunkenc/xor.go` (format: docs/format/xor.md).
 *
 * The bit stream is built in a 32-bit accumulator and flushed four bytes at a time. Encoder state lives in
 * typed arrays, and the per-sample step reads its sample from arrays by index, because a JS number that is not
 * a small integer (a ms timestamp, a uint32 half of a float) gets boxed on the heap whenever it crosses a call
 * or lands in an object field: storing it raw keeps the hot loop free of allocation. Values are taken as raw
 * IEEE-754 halves, so NaN payloads (the staleness marker) survive.
 */
import { StorageError } from '../model/index.js';
import { HI, LO, hi32, lo32 } from './bits.js';
import { varintResult, zigzagHalves } from './varint.js';

/** A chunk's sample count is a uint16 in its header. */
export const MAX_SAMPLES_PER_XOR_CHUNK = 0xffff;

const WHAT = 'encode XOR chunk';

// Int32 state slots.
const ACC = 0; // pending bits, MSB first, not yet flushed
const FILL = 1; // how many of ACC's bits are valid (0..31)
const LEN = 2; // bytes flushed, including the 2-byte sample-count header
const N = 3; // samples appended
const LEAD = 4; // leading zeros of the current value window; 0xff = no window yet, as Prometheus's fresh appender
const TRAIL = 5;
const VHI = 6; // previous value's bits
const VLO = 7;
/**
 * 1 when the last field written ended on a whole-byte write. Prometheus's bstream.writeByte always appends a
 * fresh empty byte after the one it fills, so a chunk whose stream ends byte-aligned after such a write (t0/v0
 * of a 1-sample chunk, or a value whose significant-bit count is a multiple of 8) carries one extra zero byte;
 * single-bit writes never leave one. We reproduce it to stay byte-identical.
 */
const BYTE_END = 8;
// Float64 state slots.
const T = 0;
const TDELTA = 1;

/** Most bytes one sample can flush: 4 + 64 dod bits + 2 + 11 + 64 value bits, rounded up, plus slack. */
const MAX_SAMPLE_BYTES = 24;

interface EncState {
  st: Int32Array;
  tt: Float64Array;
  buf: Uint8Array;
}

function newState(): EncState {
  const s: EncState = { st: new Int32Array(9), tt: new Float64Array(2), buf: new Uint8Array(256) };
  resetState(s);
  return s;
}

function resetState(s: EncState): void {
  s.st.fill(0);
  s.st[LEN] = 2;
  s.st[LEAD] = 0xff;
  s.tt.fill(0);
}

export class XorEncoder {
  private readonly s = newState();
  private readonly oneT = new Float64Array(1);
  private readonly oneV = new Float64Array(1);
  private readonly oneBits = new Uint32Array(this.oneV.buffer);

  /** Samples appended since construction or the last reset(). */
  get numSamples(): number {
    return this.s.st[N]!;
  }

  /** Starts a new, empty chunk (keeps the buffer). */
  reset(): void {
    resetState(this.s);
  }

  /**
   * Appends one sample. `t` must be an integer (ms) within ±2^53; order is not checked, as in Prometheus's
   * appender (a smaller t is written as a wrapped 64-bit delta). Throws StorageError past 65535 samples.
   */
  append(t: number, v: number): void {
    this.oneT[0] = t;
    this.oneV[0] = v;
    appendAt(this.s, this.oneT, this.oneBits, 0);
  }

  /** Appends a sample whose value is given as its IEEE-754 halves (hi = sign/exponent word). */
  appendBits(t: number, hi: number, lo: number): void {
    this.oneT[0] = t;
    this.oneBits[HI] = hi;
    this.oneBits[LO] = lo;
    appendAt(this.s, this.oneT, this.oneBits, 0);
  }

  /** The chunk so far (a copy): header, bit stream, last byte zero-padded (plus Prometheus's extra byte, above). */
  bytes(): Uint8Array {
    return chunkBytes(this.s);
  }
}

function chunkBytes(s: EncState): Uint8Array {
  const st = s.st;
  const fill = st[FILL]!;
  const len = st[LEN]!;
  const acc = st[ACC]!;
  const n = st[N]!;
  const pending = (fill + 7) >>> 3;
  const extra = (fill & 7) === 0 && st[BYTE_END] === 1 ? 1 : 0;
  const out = new Uint8Array(len + pending + extra); // zero-filled: padding and the extra byte
  out.set(s.buf.subarray(0, len));
  for (let i = 0; i < pending; i++) out[len + i] = (acc >>> (24 - 8 * i)) & 0xff;
  out[0] = n >>> 8;
  out[1] = n & 0xff;
  return out;
}

/** Appends the low n bits of v (1 ≤ n ≤ 32), MSB first. The caller has ensured room for 4 more bytes. */
function write(st: Int32Array, buf: Uint8Array, v: number, n: number): void {
  const fill = st[FILL]!;
  const free = 32 - fill;
  if (n < free) {
    st[ACC] = st[ACC]! | ((v & ((1 << n) - 1)) << (free - n));
    st[FILL] = fill + n;
    return;
  }
  const rest = n - free;
  const m = n === 32 ? v : v & ((1 << n) - 1);
  const word = st[ACC]! | (m >>> rest);
  const len = st[LEN]!;
  buf[len] = word >>> 24;
  buf[len + 1] = word >>> 16;
  buf[len + 2] = word >>> 8;
  buf[len + 3] = word;
  st[LEN] = len + 4;
  st[ACC] = rest === 0 ? 0 : m << (32 - rest);
  st[FILL] = rest;
}

function writeUvarint(st: Int32Array, buf: Uint8Array, hi: number, lo: number): void {
  hi >>>= 0;
  lo >>>= 0;
  while (hi !== 0 || lo >= 0x80) {
    write(st, buf, (lo & 0x7f) | 0x80, 8);
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  write(st, buf, lo, 8);
}

/** Appends sample i of (ts, bits): bits holds float64 halves as a Uint32Array over the values' memory. */
function appendAt(s: EncState, ts: ArrayLike<number>, bits: Uint32Array, i: number): void {
  const st = s.st;
  const tt = s.tt;
  const t = ts[i]!;
  if (!Number.isSafeInteger(t)) throw new StorageError(`${WHAT}: timestamp ${t} is not an integer within ±2^53`);
  const n = st[N]!;
  if (n >= MAX_SAMPLES_PER_XOR_CHUNK) throw new StorageError(`${WHAT}: more than ${MAX_SAMPLES_PER_XOR_CHUNK} samples`);
  let buf = s.buf;
  if (st[LEN]! + MAX_SAMPLE_BYTES > buf.length) {
    const next = new Uint8Array(buf.length * 2);
    next.set(buf.subarray(0, st[LEN]!));
    s.buf = buf = next;
  }
  // `| 0`: as int32 they stay small integers (no heap box) when passed to a call V8 did not inline.
  const hi = bits[2 * i + HI]! | 0;
  const lo = bits[2 * i + LO]! | 0;
  if (n >= 2) {
    const tDelta = t - tt[T]!;
    const dod = tDelta - tt[TDELTA]!;
    // Prometheus's bucket ranges are −(2^(n−1) − 1) … 2^(n−1).
    if (dod === 0) {
      write(st, buf, 0, 1);
    } else if (dod >= -8191 && dod <= 8192) {
      write(st, buf, (0b10 << 14) | (dod & 0x3fff), 16);
    } else if (dod >= -65535 && dod <= 65536) {
      write(st, buf, (0b110 << 17) | (dod & 0x1ffff), 20);
    } else if (dod >= -524287 && dod <= 524288) {
      write(st, buf, (0b1110 << 20) | (dod & 0xfffff), 24);
    } else {
      if (!Number.isSafeInteger(dod)) throw new StorageError(`${WHAT}: timestamp step at ${t} is beyond ±2^53`);
      write(st, buf, 0b1111, 4);
      write(st, buf, hi32(dod), 32);
      write(st, buf, lo32(dod) | 0, 32);
    }
    tt[TDELTA] = tDelta;
    writeValue(st, buf, hi, lo);
  } else if (n === 0) {
    zigzagHalves(hi32(t), lo32(t));
    writeUvarint(st, buf, varintResult.hi, varintResult.lo);
    write(st, buf, hi, 32);
    write(st, buf, lo, 32);
    st[BYTE_END] = 1;
  } else {
    const tDelta = t - tt[T]!;
    if (!Number.isSafeInteger(tDelta)) throw new StorageError(`${WHAT}: timestamp step at ${t} is beyond ±2^53`);
    // Prometheus writes uint64(t − prev): a negative step becomes a 10-byte two's-complement uvarint.
    writeUvarint(st, buf, hi32(tDelta), lo32(tDelta));
    tt[TDELTA] = tDelta;
    writeValue(st, buf, hi, lo);
  }
  tt[T] = t;
  st[VHI] = hi;
  st[VLO] = lo;
  st[N] = n + 1;
}

/** Prometheus xorWrite: '0' same value; '10' + bits in the previous window; '11' + new window. */
function writeValue(st: Int32Array, buf: Uint8Array, hi: number, lo: number): void {
  const xh = hi ^ st[VHI]!;
  const xl = lo ^ st[VLO]!;
  if ((xh | xl) === 0) {
    write(st, buf, 0, 1);
    st[BYTE_END] = 0;
    return;
  }
  let lead = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
  const trail = xl !== 0 ? 31 - Math.clz32(xl & -xl) : 63 - Math.clz32(xh & -xh);
  // 5 bits hold at most 31 leading zeros; the extra zeros then travel as significant bits.
  if (lead >= 32) lead = 31;
  const prevLead = st[LEAD]!;
  const prevTrail = st[TRAIL]!;
  let sig: number;
  let shift: number;
  if (prevLead !== 0xff && lead >= prevLead && trail >= prevTrail) {
    write(st, buf, 0b10, 2);
    sig = 64 - prevLead - prevTrail;
    shift = prevTrail;
  } else {
    st[LEAD] = lead;
    st[TRAIL] = trail;
    sig = 64 - lead - trail;
    shift = trail;
    // 64 significant bits do not fit in 6 bits and 0 never occurs (that is the '0' case): 0 encodes 64.
    write(st, buf, (0b11 << 11) | (lead << 6) | (sig & 63), 13);
  }
  // The sig bits of xh:xl >> shift.
  if (shift >= 32) {
    write(st, buf, (xh >>> (shift - 32)) | 0, sig);
  } else if (sig > 32) {
    // shift < 32 here; (xh << 1) << (31 − shift) is xh << (32 − shift) that is 0 for shift = 0.
    write(st, buf, (xh >>> shift) | 0, sig - 32);
    write(st, buf, (xl >>> shift) | ((xh << 1) << (31 - shift)), 32);
  } else {
    write(st, buf, (xl >>> shift) | ((xh << 1) << (31 - shift)), sig);
  }
  st[BYTE_END] = (sig & 7) === 0 ? 1 : 0;
}

const shared = newState();
let viewCache: { buffer: ArrayBufferLike; byteOffset: number; length: number; view: Uint32Array } | undefined;

/**
 * Encodes samples [from, to) of parallel arrays into one XOR chunk. Values are read as raw bits from the
 * Float64Array's memory, so NaN payloads (e.g. the staleness marker) are kept exactly.
 */
export function encodeXOR(timestamps: ArrayLike<number>, values: Float64Array, from = 0, to = values.length): Uint8Array {
  if (from < 0 || to > values.length || to > timestamps.length || from > to) {
    throw new RangeError(`encodeXOR: range [${from}, ${to}) outside arrays of ${timestamps.length}/${values.length}`);
  }
  const c = viewCache;
  let bits: Uint32Array;
  if (c && c.buffer === values.buffer && c.byteOffset === values.byteOffset && c.length === values.length) bits = c.view;
  else {
    bits = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
    viewCache = { buffer: values.buffer, byteOffset: values.byteOffset, length: values.length, view: bits };
  }
  resetState(shared);
  for (let i = from; i < to; i++) appendAt(shared, timestamps, bits, i);
  return chunkBytes(shared);
}
