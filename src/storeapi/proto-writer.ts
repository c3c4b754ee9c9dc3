/**
 * The protobuf wire-format writer under our hand-written request encoders (encoded-request.ts for
 * thanos.SeriesRequest, sidecar/read-request.ts for prometheus.ReadRequest): fields appended in order to a
 * buffer that grows, sub-messages written in place and their length put in front afterwards. The Series
 * frames have their own two-pass writer (series-encoder.ts), built for their volume.
 */
import { utf8Length } from './series-encoder.js';
import { toWords, varint32Size, WORDS, writeVarint32, writeVarint64 } from './wire-int64.js';

/** A label matcher as both prometheus.LabelMatcher and thanos.LabelMatcher lay it out: type 1, name 2, value 3. */
export interface WireMatcher {
  type: number;
  name: string;
  value: string;
}

/** Room a length prefix may take (a varint of up to 32 bits). */
const MAX_LENGTH_BYTES = 5;

export class ProtoWriter {
  #buf: Buffer;
  #pos = 0;

  constructor(capacity = 256) {
    this.#buf = Buffer.allocUnsafe(capacity);
  }

  varint(v: number): void {
    this.#room(MAX_LENGTH_BYTES);
    this.#pos = writeVarint32(this.#buf, this.#pos, v);
  }

  varint64(lo: number, hi: number): void {
    this.#room(10);
    this.#pos = writeVarint64(this.#buf, this.#pos, lo, hi);
  }

  /** An int64 field, the value as toWords takes it (decimal string, number, bigint); 0 is left out (proto3). */
  int64(tag: number, v: string | number | bigint): void {
    if (!toWords(v, false)) return;
    this.varint(tag);
    this.varint64(WORDS[0], WORDS[1]);
  }

  /** An enum is an int32: a negative one is written sign-extended to ten bytes. */
  enumValue(v: number): void {
    if (v < 0) this.varint64(v >>> 0, 0xffffffff);
    else this.varint(v);
  }

  /** A string field; `always`: written even when empty (an element of a repeated field). */
  string(tag: number, s: string, always = false): void {
    const utf8 = utf8Length(s);
    if (utf8 === 0 && !always) return;
    this.varint(tag);
    this.varint(utf8);
    this.#room(utf8);
    this.#pos += this.#buf.write(s, this.#pos, utf8, 'utf8');
  }

  /** A bytes field, written even when empty (a present sub-message encoded elsewhere). */
  bytes(tag: number, b: Uint8Array): void {
    this.varint(tag);
    this.varint(b.length);
    this.#room(b.length);
    this.#buf.set(b, this.#pos);
    this.#pos += b.length;
  }

  matcher(tag: number, m: WireMatcher): void {
    this.message(tag, () => {
      if (m.type !== 0) {
        this.varint(0x08);
        this.enumValue(m.type);
      }
      this.string(0x12, m.name);
      this.string(0x1a, m.value);
    });
  }

  /** A length-delimited field whose payload `body` writes (a present message is written, even empty). */
  message(tag: number, body: () => void): void {
    this.varint(tag);
    this.#room(MAX_LENGTH_BYTES);
    const at = this.#pos;
    this.#pos += MAX_LENGTH_BYTES;
    body();
    const n = this.#pos - at - MAX_LENGTH_BYTES;
    const prefix = varint32Size(n);
    if (prefix < MAX_LENGTH_BYTES) this.#buf.copyWithin(at + prefix, at + MAX_LENGTH_BYTES, this.#pos);
    writeVarint32(this.#buf, at, n);
    this.#pos = at + prefix + n;
  }

  /** The bytes written (a view: the writer is done with). */
  take(): Buffer {
    return this.#buf.subarray(0, this.#pos);
  }

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.#buf.length, this.#pos + n));
    this.#buf.copy(bigger, 0, 0, this.#pos);
    this.#buf = bigger;
  }
}
