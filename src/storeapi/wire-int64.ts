/**
 * 64-bit varints for the hand-written Series codec, as two uint32 words (lo, hi): no Long, no decimal
 * strings, and a bigint only where the value is a full uint64 (chunk hashes).
 *
 * On the wire int64 and uint64 are the same varint of the value's 64-bit two's complement, so one pair of
 * words serves both; only the JS reading differs:
 *
 *   int64  → number  (hi|0)·2^32 + lo: the product is exact and the sum rounds once, so this is the
 *                    correctly rounded double of the int64, i.e. exactly what `Number("<decimal>")` gives
 *                    (int64ToMillis): exact up to 2^53, MaxInt64 → 2^63, MinInt64 → −2^63.
 *   uint64 → bigint  through an 8-byte DataView (one allocation, not four bigint operations).
 */

/**
 * The words of the last `toWords` call, [lo, hi] (a shared scratch: encoding is synchronous and never
 * re-entered). A typed array rather than two exported `let`s, which importers would read through a cell.
 */
export const WORDS = new Uint32Array(2);

const TWO_32 = 4294967296;
const TWO_63 = 9223372036854775808;
const TWO_64 = 18446744073709551616;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Sets WORDS to the 64-bit two's complement of an int64/uint64 field value, as our types allow it:
 * a decimal string (protobufjs decoding, hand-built messages), a number, or a bigint. Returns false for the
 * proto3 default 0, which is not written. Numbers are truncated toward zero and clamped to the int64 range
 * (uint64 for `unsigned`), as millisToInt64 does, so 2^63 (MaxInt64 read as a number) goes back out as
 * MaxInt64; ±Infinity are the bounds. Throws TypeError on NaN and on strings that are not integers.
 */
export function toWords(v: string | number | bigint, unsigned: boolean): boolean {
  if (typeof v === 'number') return numberWords(v, unsigned);
  if (typeof v === 'bigint') return bigintWords(v);
  if (typeof v !== 'string') throw new TypeError(`int64 expected, got ${typeof v}`);
  if (v === '' || v === '0') return false;
  // Up to 15 digits a decimal string is an exact double (the same cut-over as canonical.ts).
  if (v.length <= 15) {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new TypeError(`not an integer: ${JSON.stringify(v)}`);
    return numberWords(n, unsigned);
  }
  let b: bigint;
  try {
    b = BigInt(v);
  } catch {
    throw new TypeError(`not an integer: ${JSON.stringify(v)}`);
  }
  return bigintWords(b);
}

function numberWords(v: number, unsigned: boolean): boolean {
  if (v > 0 && v <= MAX_SAFE && Math.floor(v) === v) {
    // Every real timestamp: ToUint32 is exact modulo 2^32 for any integral double, and v − lo divides exactly.
    const lo = v >>> 0;
    WORDS[0] = lo;
    WORDS[1] = (v - lo) / TWO_32;
    return true;
  }
  if (Number.isNaN(v)) throw new TypeError('NaN is not an integer');
  v = Math.trunc(v);
  if (v === 0) {
    WORDS[0] = WORDS[1] = 0;
    return false; // also −0: proto3's default, not written (protobufjs would write a 0)
  }
  if (v > 0) {
    if (unsigned ? v >= TWO_64 : v >= TWO_63) {
      WORDS[0] = 0xffffffff;
      WORDS[1] = unsigned ? 0xffffffff : 0x7fffffff;
      return true;
    }
    WORDS[0] = v % TWO_32;
    WORDS[1] = Math.floor(v / TWO_32);
    return true;
  }
  if (v <= -TWO_63) {
    WORDS[0] = 0;
    WORDS[1] = 0x80000000;
    return true;
  }
  // Two's complement of |v|: invert both words and add one, carrying from lo into hi.
  const a = -v;
  const lo = (~(a % TWO_32) + 1) >>> 0;
  WORDS[1] = (~Math.floor(a / TWO_32) + (lo === 0 ? 1 : 0)) >>> 0;
  WORDS[0] = lo;
  return true;
}

function bigintWords(v: bigint): boolean {
  if (v === 0n) {
    WORDS[0] = WORDS[1] = 0;
    return false;
  }
  // A hash is already a uint64, or an int64 holding the same 64 bits (a wasm i64): no asUintN allocation
  // for either. asUintN wraps the rest modulo 2^64.
  if (v > 0n && v <= MAX_U64) view.setBigUint64(0, v, true);
  else if (v < 0n && v >= MIN_I64) view.setBigInt64(0, v, true);
  else view.setBigUint64(0, BigInt.asUintN(64, v), true);
  WORDS[0] = view.getUint32(0, true);
  WORDS[1] = view.getUint32(4, true);
  return true;
}

const MAX_U64 = 0xffffffffffffffffn;
const MIN_I64 = -0x8000000000000000n;

const view = new DataView(new ArrayBuffer(8));

/** Bytes of the varint of (lo, hi). */
export function varint64Size(lo: number, hi: number): number {
  if (hi === 0) return varint32Size(lo);
  return ((32 - Math.clz32(hi) + 32 + 6) / 7) | 0;
}

/** Bytes of the varint of an unsigned 32-bit value. */
export function varint32Size(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 5;
}

/** Writes the varint of an unsigned 32-bit value at `p`; returns the position after it. */
export function writeVarint32(out: Uint8Array, p: number, v: number): number {
  while (v > 0x7f) {
    out[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[p++] = v;
  return p;
}

/** Writes the varint of (lo, hi) at `p`; returns the position after it. */
export function writeVarint64(out: Uint8Array, p: number, lo: number, hi: number): number {
  while (hi !== 0 || lo > 0x7f) {
    out[p++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  out[p++] = lo;
  return p;
}

/** The int64 of (lo, hi) as the correctly rounded double (see the header). */
export function int64Number(lo: number, hi: number): number {
  return (hi | 0) * TWO_32 + lo;
}

/** The uint64 of (lo, hi) as a bigint; 0n (a constant, not an allocation) for zero. */
export function uint64BigInt(lo: number, hi: number): bigint {
  if (lo === 0 && hi === 0) return 0n;
  view.setUint32(0, lo, true);
  view.setUint32(4, hi, true);
  return view.getBigUint64(0, true);
}

/** The int64 of (lo, hi) as the decimal string proto-loader makes of it (`longs: String`). */
export function int64String(lo: number, hi: number): string {
  if (hi < 0x200000) return String(hi * TWO_32 + lo); // 0 ≤ value < 2^53: exact as a double
  return BigInt.asIntN(64, uint64BigInt(lo, hi)).toString();
}
