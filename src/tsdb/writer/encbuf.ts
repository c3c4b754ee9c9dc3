/**
 * A growable byte buffer with the integer encodings of the TSDB formats (Prometheus `encoding.Encbuf`):
 * big-endian fixed width, LEB128 uvarints and zig-zag varints. One buffer is reused for every entry a
 * writer builds (reset between entries), so building a section allocates nothing per series or chunk.
 *
 * Integers are JS numbers. Timestamps and offsets are exact up to 2^53; uvarints of larger values never
 * occur here (chunk refs are segment << 32 | offset with a small segment number).
 */

const TWO32 = 4294967296;

export class Encbuf {
  #buf: Uint8Array;
  #view: DataView;
  len = 0;

  constructor(initial = 4096) {
    this.#buf = new Uint8Array(initial);
    this.#view = new DataView(this.#buf.buffer);
  }

  reset(): this {
    this.len = 0;
    return this;
  }

  /** The bytes written since the last reset: a view, valid until the next write. */
  get(): Uint8Array {
    return this.#buf.subarray(0, this.len);
  }

  #ensure(n: number): void {
    if (this.len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  putByte(b: number): void {
    this.#ensure(1);
    this.#buf[this.len++] = b;
  }

  putBytes(b: Uint8Array): void {
    this.#ensure(b.length);
    this.#buf.set(b, this.len);
    this.len += b.length;
  }

  putBE32(v: number): void {
    this.#ensure(4);
    this.#view.setUint32(this.len, v >>> 0);
    this.len += 4;
  }

  /** Overwrites 4 bytes at `at` (a length field reserved before its section was built). */
  setBE32(at: number, v: number): void {
    this.#view.setUint32(at, v >>> 0);
  }

  /** A non-negative integer below 2^53 as 8 bytes big-endian. */
  putBE64(v: number): void {
    this.#ensure(8);
    this.#view.setUint32(this.len, Math.floor(v / TWO32));
    this.#view.setUint32(this.len + 4, v % TWO32);
    this.len += 8;
  }

  /** LEB128 of a non-negative integer (up to 2^64 as long as the double holds it exactly). */
  putUvarint(v: number): void {
    this.#ensure(10);
    const b = this.#buf;
    if (v < 0x80000000) {
      let x = v | 0;
      while (x >= 0x80) {
        b[this.len++] = (x & 0x7f) | 0x80;
        x >>>= 7;
      }
      b[this.len++] = x;
      return;
    }
    let x = v;
    while (x >= 0x80) {
      b[this.len++] = (x % 128) | 0x80;
      x = Math.floor(x / 128);
    }
    b[this.len++] = x;
  }

  /**
   * Go's PutVarint: zig-zag ((x << 1) ^ (x >> 63)) then LEB128. 2·|x| − 1 is not exact in a double past
   * 2^53, so the rare negative x below −2^52 (before year −140000) goes through BigInt.
   */
  putVarint(v: number): void {
    if (v >= 0) return this.putUvarint(v * 2);
    if (v >= -4503599627370496) return this.putUvarint(-2 * v - 1);
    let z = (-BigInt(v) << 1n) - 1n;
    this.#ensure(10);
    while (z >= 0x80n) {
      this.#buf[this.len++] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    this.#buf[this.len++] = Number(z);
  }

  /** uvarint length, then the bytes. */
  putUvarintBytes(b: Uint8Array): void {
    this.putUvarint(b.length);
    this.putBytes(b);
  }
}

/** Bytes the uvarint of v takes. */
export function uvarintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}
