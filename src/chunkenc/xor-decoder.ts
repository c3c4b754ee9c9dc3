/**
 * XOR chunk decoder, bit-exact with Prometheus `tsdb/chunkenc/xor.go` (format: docs/format/xor.md).
 *
 * Speed: the chunk is first copied into big-endian 32-bit words with zero padding past its end, so any field
 * (control bits + payload, ≤ 32 bits) is one `peek` of two word loads and shifts, with no per-read bounds
 * check; running past the real data is caught once per sample by comparing the bit position with the chunk's
 * length. Values are written as raw halves through a Uint32Array over the output's memory, never through
 * float arithmetic, so every NaN payload (the staleness marker 0x7ff0000000000002) comes out bit-exact.
 */
import { StorageError } from '../model/index.js';
import { HI, LO, int64FromHalves } from './bits.js';
import { readUvarint64, unzigzagResult, varintResult } from './varint.js';

const WHAT = 'decode XOR chunk';
const MAX_T = Number.MAX_SAFE_INTEGER;

/** Zero words after the data: the widest single sample (4 + 64 + 13 + 64 bits) fits in them. */
const PAD_WORDS = 8;
let words = new Uint32Array(64);

/** The 32 bits of the stream starting at bit `pos` (MSB first), as an int32. */
function peek(w: Uint32Array, pos: number): number {
  const i = pos >>> 5;
  const s = pos & 31;
  // (x >>> 1) >>> (31 − s) is x >>> (32 − s) that also works for s = 0, where JS would shift by 0, not 32.
  return (w[i]! << s) | ((w[i + 1]! >>> 1) >>> (31 - s));
}

/** Copies the chunk into the padded big-endian word buffer; returns it. */
function loadWords(chunk: Uint8Array): Uint32Array {
  const n = chunk.length;
  const full = n >>> 2;
  const need = full + 1 + PAD_WORDS;
  if (words.length < need) words = new Uint32Array(Math.max(need, words.length * 2));
  const w = words;
  let j = 0;
  for (let i = 0; i < full; i++, j += 4) {
    w[i] = (chunk[j]! << 24) | (chunk[j + 1]! << 16) | (chunk[j + 2]! << 8) | chunk[j + 3]!;
  }
  let last = 0;
  for (let k = 0; j + k < n; k++) last |= chunk[j + k]! << (24 - 8 * k);
  w[full] = last;
  w.fill(0, full + 1, need);
  return w;
}

/** The sample count in a chunk's header, without decoding it. */
export function xorNumSamples(chunk: Uint8Array): number {
  if (chunk.length < 2) throw new StorageError(`${WHAT}: ${chunk.length} bytes, shorter than the 2-byte header`);
  return (chunk[0]! << 8) | chunk[1]!;
}

let viewCache: { buffer: ArrayBufferLike; byteOffset: number; length: number; view: Uint32Array } | undefined;

/** A Uint32Array over the same memory as `out`, reused while callers keep decoding into the same array. */
function bitsView(out: Float64Array): Uint32Array {
  const c = viewCache;
  if (c && c.buffer === out.buffer && c.byteOffset === out.byteOffset && c.length === out.length) return c.view;
  const view = new Uint32Array(out.buffer, out.byteOffset, out.length * 2);
  viewCache = { buffer: out.buffer, byteOffset: out.byteOffset, length: out.length, view };
  return view;
}

/**
 * Decodes a whole XOR chunk into outT/outV starting at index `offset`; returns the number of samples.
 * Throws StorageError when the bytes are malformed or end before the header's sample count is reached,
 * RangeError when the output arrays are too short. On error the outputs may hold a partial prefix.
 */
export function decodeXOR(chunk: Uint8Array, outT: Float64Array, outV: Float64Array, offset = 0): number {
  const count = xorNumSamples(chunk);
  if (count === 0) return 0;
  if (offset < 0 || offset + count > outT.length || offset + count > outV.length) {
    throw new RangeError(`${WHAT}: ${count} samples do not fit at offset ${offset} of arrays of ${outT.length}/${outV.length}`);
  }
  const end = chunk.length;
  const ob = bitsView(outV);

  // Sample 0 and the first Δt are whole bytes at fixed positions: t0 varint, v0 8 bytes, Δt uvarint.
  let p = readUvarint64(chunk, 2, end, WHAT);
  unzigzagResult();
  let t = int64FromHalves(varintResult.hi, varintResult.lo, `${WHAT}: t0`);
  if (p + 8 > end) throw new StorageError(`${WHAT}: truncated in the first value`);
  let vh = (chunk[p]! << 24) | (chunk[p + 1]! << 16) | (chunk[p + 2]! << 8) | chunk[p + 3]!;
  let vl = (chunk[p + 4]! << 24) | (chunk[p + 5]! << 16) | (chunk[p + 6]! << 8) | chunk[p + 7]!;
  p += 8;
  let o = offset;
  outT[o] = t;
  ob[2 * o + HI] = vh;
  ob[2 * o + LO] = vl;
  if (count === 1) return 1;

  p = readUvarint64(chunk, p, end, WHAT);
  let tDelta = int64FromHalves(varintResult.hi, varintResult.lo, `${WHAT}: first Δt`);

  const w = loadWords(chunk);
  const nbits = end * 8;
  let pos = p * 8;
  let leading = 0;
  let trailing = 0;
  const last = offset + count;
  for (o = offset + 1; o < last; o++) {
    if (o > offset + 1) {
      // Delta of delta: 0 | 10+14 | 110+17 | 1110+20 | 1111+64 bits. Prometheus reads an n-bit field as
      // negative only when it exceeds 2^(n−1), so +2^(n−1) is representable and −2^(n−1) is not.
      const c = peek(w, pos);
      if (c >= 0) {
        pos += 1;
      } else if ((c & 0x40000000) === 0) {
        let d = (c >>> 16) & 0x3fff;
        if (d > 0x2000) d -= 0x4000;
        tDelta += d;
        pos += 16;
      } else if ((c & 0x20000000) === 0) {
        let d = (c >>> 12) & 0x1ffff;
        if (d > 0x10000) d -= 0x20000;
        tDelta += d;
        pos += 20;
      } else if ((c & 0x10000000) === 0) {
        let d = (c >>> 8) & 0xfffff;
        if (d > 0x80000) d -= 0x100000;
        tDelta += d;
        pos += 24;
      } else {
        tDelta += int64FromHalves(peek(w, pos + 4), peek(w, pos + 36), `${WHAT}: delta of delta`);
        pos += 68;
      }
    }
    t += tDelta;

    // Value: '0' same | '10' + bits in the previous window | '11' + 5-bit leading + 6-bit count + bits.
    const c = peek(w, pos);
    if (c >= 0) {
      pos += 1;
    } else {
      let sig: number;
      if ((c & 0x40000000) === 0) {
        sig = 64 - leading - trailing;
        pos += 2;
      } else {
        leading = (c >>> 25) & 31;
        sig = (c >>> 19) & 63;
        if (sig === 0) sig = 64;
        trailing = 64 - leading - sig;
        if (trailing < 0) throw new StorageError(`${WHAT}: ${leading} leading zeros + ${sig} significant bits exceed 64 at sample ${o - offset}`);
        pos += 13;
      }
      // The window spans bits [trailing, 64 − leading) of the XOR; the stream holds them MSB first at pos.
      const a = peek(w, pos);
      let xh: number;
      let xl: number;
      if (trailing >= 32) {
        xh = (a >>> leading) & (-1 << (trailing - 32));
        xl = 0;
      } else {
        const b = peek(w, pos + 32);
        xh = a >>> leading;
        // (a << 1) << (31 − leading) is a << (32 − leading) that is 0 for leading = 0.
        xl = ((b >>> leading) | ((a << 1) << (31 - leading))) & (-1 << trailing);
      }
      vh ^= xh;
      vl ^= xl;
      pos += sig;
    }
    if (pos > nbits || t > MAX_T || t < -MAX_T) {
      throw new StorageError(
        pos > nbits
          ? `${WHAT}: data ends at sample ${o - offset} of ${count} (needs ${pos} bits, has ${nbits})`
          : `${WHAT}: timestamp beyond ±2^53 at sample ${o - offset}`,
      );
    }
    outT[o] = t;
    ob[2 * o + HI] = vh;
    ob[2 * o + LO] = vl;
  }
  return count;
}

/** Decodes a chunk into freshly allocated arrays. */
export function decodeXORAlloc(chunk: Uint8Array): { timestamps: Float64Array; values: Float64Array } {
  const n = xorNumSamples(chunk);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  decodeXOR(chunk, timestamps, values, 0);
  return { timestamps, values };
}
