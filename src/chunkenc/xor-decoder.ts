/**
 * XOR chunk decoder, bit-exact with Prometheus `tsdb/chunkenc/xor.go` (format: docs/format/xor.md).
 *
 * Speed: the chunk is first copied (one memcpy) into a scratch buffer with room past its end, so any field
 * (control bits + payload, ≤ 32 bits) is one `peek`: a big-endian DataView load plus one byte, with no
 * end-of-data test per read; running past the real data is caught once per sample by comparing the bit
 * position with the chunk's length. The scratch buffer is module state, kept at the largest chunk seen
 * (≤ ~2.5 MB for 65535 samples); decoding is synchronous, so no two callers ever use it at once.
 *
 * Values are written as raw halves through a Uint32Array over the output's memory, never through float
 * arithmetic, so every NaN payload (the staleness marker 0x7ff0000000000002) comes out bit-exact.
 */
import { StorageError } from '../model/index.js';
import { HI, LO, int64FromHalves } from './bits.js';
import { readUvarint64, unzigzagResult, varintResult } from './varint.js';

const WHAT = 'decode XOR chunk';
const WHAT_T0 = `${WHAT}: t0`;
const WHAT_DT = `${WHAT}: first Δt`;
const WHAT_DOD = `${WHAT}: delta of delta`;
const MAX_T = Number.MAX_SAFE_INTEGER;

/** Room after the data: the widest single sample (4 + 64 + 13 + 64 bits) plus a 5-byte peek fits. */
const PAD_BYTES = 40;
let scratch = new Uint8Array(1024);
let scratchView = new DataView(scratch.buffer);

/** The 32 bits of the stream starting at bit `pos` (MSB first), as an int32. */
function peek(dv: DataView, b: Uint8Array, pos: number): number {
  const j = pos >>> 3;
  const s = pos & 7;
  // getUint32 is big-endian by default and compiles to one load + bswap; the fifth byte supplies the s low bits.
  return (dv.getUint32(j) << s) | (b[j + 4]! >>> (8 - s));
}

/** Copies the chunk into the scratch buffer, which has room for peeks past the data (PAD_BYTES). */
function loadScratch(chunk: Uint8Array): void {
  const need = chunk.length + PAD_BYTES;
  if (scratch.length < need) {
    scratch = new Uint8Array(Math.max(need, scratch.length * 2));
    scratchView = new DataView(scratch.buffer);
  }
  // No need to clear what an earlier chunk left past the end: a peek may see those bytes, but any field that
  // uses a bit past the data moves pos past nbits and the sample is rejected before it is stored.
  scratch.set(chunk);
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
  let t = +int64FromHalves(varintResult.hi, varintResult.lo, WHAT_T0);
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
  let tDelta = +int64FromHalves(varintResult.hi, varintResult.lo, WHAT_DT);

  loadScratch(chunk);
  const b = scratch;
  const dv = scratchView;
  const nbits = end * 8;
  let pos = p * 8;
  let leading = 0;
  let trailing = 0;
  const last = offset + count;
  // Sample 1 has no delta of delta, so each iteration ends by reading the next sample's one: no per-sample
  // "is this sample 1" branch.
  for (o = offset + 1; ; ) {
    t += tDelta;

    // Value: '0' same | '10' + bits in the previous window | '11' + 5-bit leading + 6-bit count + bits.
    const c = peek(dv, b, pos);
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
      // The window spans bits [trailing, 64 − leading) of the XOR; the stream holds its sig bits MSB first.
      const hi = peek(dv, b, pos);
      if (sig <= 32) {
        const x = hi >>> (32 - sig); // 32 − sig is 0…31: a valid JS shift for every sig in 1…32
        if (trailing >= 32) {
          vh ^= x << (trailing - 32);
        } else {
          vl ^= x << trailing;
          vh ^= (x >>> 1) >>> (31 - trailing); // x >>> (32 − trailing), and 0 for trailing = 0
        }
      } else {
        // More than 32 bits: leading and trailing are both < 32.
        const lo = peek(dv, b, pos + 32);
        vh ^= hi >>> leading;
        // (hi << 1) << (31 − leading) is hi << (32 − leading) that is 0 for leading = 0.
        vl ^= ((lo >>> leading) | ((hi << 1) << (31 - leading))) & (-1 << trailing);
      }
      pos += sig;
    }
    if (pos > nbits || Math.abs(t) > MAX_T) throw beyondData(pos, nbits, o - offset, count);
    outT[o] = t;
    ob[2 * o + HI] = vh;
    ob[2 * o + LO] = vl;
    if (++o === last) break;

    // Delta of delta: 0 | 10+14 | 110+17 | 1110+20 | 1111+64 bits. Prometheus reads an n-bit field as
    // negative only when it exceeds 2^(n−1), so +2^(n−1) is representable and −2^(n−1) is not.
    const d = peek(dv, b, pos);
    if (d >= 0) {
      pos += 1;
    } else if ((d & 0x40000000) === 0) {
      const x = (d >>> 16) & 0x3fff;
      tDelta += x > 0x2000 ? x - 0x4000 : x;
      pos += 16;
    } else if ((d & 0x20000000) === 0) {
      const x = (d >>> 12) & 0x1ffff;
      tDelta += x > 0x10000 ? x - 0x20000 : x;
      pos += 20;
    } else if ((d & 0x10000000) === 0) {
      const x = (d >>> 8) & 0xfffff;
      tDelta += x > 0x80000 ? x - 0x100000 : x;
      pos += 24;
    } else {
      tDelta += +int64FromHalves(peek(dv, b, pos + 4), peek(dv, b, pos + 36), WHAT_DOD);
      pos += 68;
    }
  }
  return count;
}

/** The error for a chunk whose bits ran out, or whose timestamps left the exact range, at sample i. */
function beyondData(pos: number, nbits: number, i: number, count: number): StorageError {
  return new StorageError(
    pos > nbits
      ? `${WHAT}: data ends at sample ${i} of ${count} (needs ${pos} bits, has ${nbits})`
      : `${WHAT}: timestamp beyond ±2^53 at sample ${i}`,
  );
}

/** Decodes a chunk into freshly allocated arrays. */
export function decodeXORAlloc(chunk: Uint8Array): { timestamps: Float64Array; values: Float64Array } {
  const n = xorNumSamples(chunk);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  decodeXOR(chunk, timestamps, values, 0);
  return { timestamps, values };
}
