/**
 * HPACK header compression (RFC 7541) for our HTTP/2 transport: a full decoder and a stateless encoder.
 *
 * Header lists are flat string arrays [name0, value0, name1, value1, ...]. Strings are byte strings: each char
 * is one octet (latin1), both ways. HTTP/2 header values are octets, not text; gRPC metadata is ASCII and
 * `grpc-message` is percent-encoded by its sender, so latin1 loses nothing and costs no UTF-8 validation.
 * The decoder does not check the HTTP/2 rules on top of HPACK (lower-case names, no CR/LF/NUL in values,
 * pseudo-headers first): breaking those is a stream error for the message layer, not a compression error.
 *
 *   const dec = new HpackDecoder({ maxTableSize: 4096 });
 *   const headers = dec.decode(headersPlusContinuationPayloads); // [':status', '200', 'content-type', ...]
 *   const enc = new HpackEncoder();
 *   const block = enc.encode([':status', '200', 'content-type', 'application/grpc']);
 */

import { huffmanDecode } from './huffman.js';

/** A malformed header block: the connection must end with COMPRESSION_ERROR (RFC 7540 §4.3). */
export class HpackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HpackError';
  }
}

/** Flat header list: [name0, value0, name1, value1, ...]. */
export type HeaderList = string[];

/** RFC 7541 Appendix A; index i + 1 is entry i. */
const STATIC_TABLE: readonly (readonly [string, string])[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''],
  ['etag', ''], ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''],
  ['if-modified-since', ''], ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''],
  ['last-modified', ''], ['link', ''], ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''],
  ['proxy-authorization', ''], ['range', ''], ['referer', ''], ['refresh', ''], ['retry-after', ''],
  ['server', ''], ['set-cookie', ''], ['strict-transport-security', ''], ['transfer-encoding', ''],
  ['user-agent', ''], ['vary', ''], ['via', ''], ['www-authenticate', ''],
];
const STATIC_COUNT = STATIC_TABLE.length; // 61

/** RFC 7541 §4.1: an entry's size is its name and value octets plus 32. */
const ENTRY_OVERHEAD = 32;

/**
 * Integers longer than this many continuation bytes are rejected: 5 bytes carry 35 bits, far above any length,
 * index or table size we accept, and the cap keeps the arithmetic exact (< 2^53) and the loop short.
 */
const MAX_INT_CONTINUATION_BYTES = 5;

/**
 * The dynamic table (RFC 7541 §2.3.2, §4): a ring of entries, newest at `head`, evicted from the oldest end.
 * It grows by doubling, so a table of small entries costs only what it holds.
 */
class DynamicTable {
  private names: string[] = new Array(16);
  private values: string[] = new Array(16);
  private head = 0; // slot of the newest entry
  count = 0;
  size = 0; // octets, as §4.1 counts
  constructor(public maxSize: number) {}

  /** Entry i, 0 = newest (HPACK index 62 + i). */
  name(i: number): string {
    return this.names[(this.head - i) & (this.names.length - 1)];
  }
  value(i: number): string {
    return this.values[(this.head - i) & (this.values.length - 1)];
  }

  add(name: string, value: string): void {
    const entrySize = name.length + value.length + ENTRY_OVERHEAD;
    if (entrySize > this.maxSize) {
      // §4.4: an entry larger than the table empties it and is not added (not an error).
      this.evictTo(0);
      return;
    }
    this.evictTo(this.maxSize - entrySize);
    if (this.count === this.names.length) this.grow();
    this.head = (this.head + 1) & (this.names.length - 1);
    this.names[this.head] = name;
    this.values[this.head] = value;
    this.count++;
    this.size += entrySize;
  }

  setMaxSize(maxSize: number): void {
    this.maxSize = maxSize;
    this.evictTo(maxSize);
  }

  private evictTo(limit: number): void {
    const mask = this.names.length - 1;
    while (this.size > limit) {
      const oldest = (this.head - this.count + 1) & mask;
      this.size -= this.names[oldest].length + this.values[oldest].length + ENTRY_OVERHEAD;
      this.names[oldest] = this.values[oldest] = ''; // let the strings go
      this.count--;
    }
  }

  private grow(): void {
    const cap = this.names.length;
    const names: string[] = new Array(cap * 2);
    const values: string[] = new Array(cap * 2);
    // Oldest first, so the newest lands at count - 1.
    for (let i = 0; i < this.count; i++) {
      names[i] = this.name(this.count - 1 - i);
      values[i] = this.value(this.count - 1 - i);
    }
    this.names = names;
    this.values = values;
    this.head = this.count - 1;
  }
}

function asBuffer(block: Uint8Array): Buffer {
  return Buffer.isBuffer(block) ? block : Buffer.from(block.buffer, block.byteOffset, block.byteLength);
}

export class HpackDecoder {
  private readonly table: DynamicTable;
  private readonly maxTableSize: number;
  private readonly maxHeaderListBytes: number;
  // Cursor of the block being decoded; fields rather than return tuples so reading an integer allocates nothing.
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;

  constructor(opts: { maxTableSize?: number; maxHeaderListBytes?: number } = {}) {
    this.maxTableSize = opts.maxTableSize ?? 4096;
    this.maxHeaderListBytes = opts.maxHeaderListBytes ?? 1 << 20;
    this.table = new DynamicTable(this.maxTableSize);
  }

  /** Size in octets of the dynamic table now, and its entries newest first (for tests and debugging). */
  get dynamicTableSize(): number {
    return this.table.size;
  }
  dynamicTableEntries(): HeaderList {
    const out: string[] = [];
    for (let i = 0; i < this.table.count; i++) out.push(this.table.name(i), this.table.value(i));
    return out;
  }

  /**
   * Decodes one complete header block (HEADERS + CONTINUATION payloads already joined), updating the dynamic
   * table. Throws HpackError on any malformed input; the decoder is then unusable (its table may be half updated,
   * which is why RFC 7540 makes this a connection error).
   */
  decode(block: Uint8Array): HeaderList {
    const buf = (this.buf = asBuffer(block));
    const end = buf.length;
    const table = this.table;
    const out: string[] = [];
    let listBytes = 0;
    this.pos = 0;
    while (this.pos < end) {
      const first = buf[this.pos];
      let name: string;
      let value: string;
      if (first & 0x80) {
        // §6.1 indexed field.
        const index = this.readInt(7);
        name = this.nameAt(index);
        value = index <= STATIC_COUNT ? STATIC_TABLE[index - 1][1] : table.value(index - STATIC_COUNT - 1);
      } else if (first & 0x40) {
        // §6.2.1 literal with incremental indexing.
        const index = this.readInt(6);
        name = index === 0 ? this.readString() : this.nameAt(index);
        value = this.readString();
        table.add(name, value);
      } else if (first & 0x20) {
        // §6.3 dynamic table size update: only before the first field (§4.2).
        if (out.length > 0) throw new HpackError('dynamic table size update after a header field');
        const size = this.readInt(5);
        if (size > this.maxTableSize) {
          throw new HpackError(`dynamic table size update to ${size} exceeds our limit ${this.maxTableSize}`);
        }
        table.setMaxSize(size);
        continue;
      } else {
        // §6.2.2 literal without indexing (0000) and §6.2.3 never indexed (0001): the same to a decoder.
        const index = this.readInt(4);
        name = index === 0 ? this.readString() : this.nameAt(index);
        value = this.readString();
      }
      listBytes += name.length + value.length + ENTRY_OVERHEAD;
      if (listBytes > this.maxHeaderListBytes) {
        throw new HpackError(`header list exceeds ${this.maxHeaderListBytes} bytes`);
      }
      out.push(name, value);
    }
    this.buf = Buffer.alloc(0); // do not keep the caller's block alive
    return out;
  }

  private nameAt(index: number): string {
    if (index === 0) throw new HpackError('index 0');
    if (index <= STATIC_COUNT) return STATIC_TABLE[index - 1][0];
    if (index - STATIC_COUNT > this.table.count) {
      throw new HpackError(`index ${index} beyond the dynamic table (${this.table.count} entries)`);
    }
    return this.table.name(index - STATIC_COUNT - 1);
  }

  /** §5.1 integer with an N-bit prefix, starting at the current byte. */
  private readInt(prefixBits: number): number {
    const buf = this.buf;
    const mask = (1 << prefixBits) - 1;
    let value = buf[this.pos++] & mask;
    if (value < mask) return value;
    let scale = 1;
    for (let i = 0; i < MAX_INT_CONTINUATION_BYTES; i++) {
      if (this.pos >= buf.length) throw new HpackError('truncated integer');
      const b = buf[this.pos++];
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new HpackError('integer too large');
  }

  /** §5.2 string literal: H bit, 7-bit-prefix length, octets (raw or Huffman). */
  private readString(): string {
    const buf = this.buf;
    if (this.pos >= buf.length) throw new HpackError('truncated block: string literal expected');
    const huffman = buf[this.pos] & 0x80;
    const length = this.readInt(7);
    const start = this.pos;
    const end = start + length;
    if (end > buf.length) throw new HpackError(`truncated string literal: ${length} bytes announced, ${buf.length - start} left`);
    this.pos = end;
    if (huffman) {
      const s = huffmanDecode(buf, start, end);
      if (s === null) throw new HpackError('invalid Huffman string (EOS inside, or padding not 1-7 one bits)');
      return s;
    }
    return latin1(buf, start, end);
  }
}

/** Short strings are built in JS: for them it beats the call into Buffer's native latin1 slice. */
function latin1(buf: Buffer, start: number, end: number): string {
  if (end - start > 16) return buf.toString('latin1', start, end);
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]);
  return s;
}

/** name → its first static index; name + '\0' + value → the static index of that exact pair. */
const STATIC_NAME_INDEX = new Map<string, number>();
const STATIC_PAIR_INDEX = new Map<string, number>();
for (let i = STATIC_COUNT - 1; i >= 0; i--) {
  const [name, value] = STATIC_TABLE[i];
  STATIC_NAME_INDEX.set(name, i + 1);
  STATIC_PAIR_INDEX.set(name + '\0' + value, i + 1);
}

/**
 * A stateless encoder: never inserts into the dynamic table, so it has no table state for the peer to track and
 * nothing to evict. Exact static matches are indexed; other fields are literals without indexing, with the
 * static name index when there is one; strings are raw (no Huffman: gRPC headers are short, and raw copies are
 * cheaper than saving a few bytes).
 */
export class HpackEncoder {
  private first = true;

  /**
   * Encodes a header list. The first block this encoder produces starts with a dynamic table size update to 0,
   * valid whatever SETTINGS_HEADER_TABLE_SIZE the peer sent, so the peer's decoder holds no table for us.
   */
  encode(headers: HeaderList): Buffer {
    const out: number[] = [];
    if (this.first) {
      out.push(0x20); // §6.3 size update, 5-bit prefix, value 0
      this.first = false;
    }
    for (let i = 0; i + 1 < headers.length; i += 2) HpackEncoder.encodeField(headers[i], headers[i + 1], out);
    return Buffer.from(out);
  }

  /** Appends one field's encoding to `out` (for callers that pre-build constant parts of a block). */
  static encodeField(name: string, value: string, out: number[]): void {
    const pair = STATIC_PAIR_INDEX.get(name + '\0' + value);
    if (pair !== undefined) {
      pushInt(out, 0x80, 7, pair);
      return;
    }
    const nameIndex = STATIC_NAME_INDEX.get(name);
    if (nameIndex !== undefined) {
      pushInt(out, 0x00, 4, nameIndex);
    } else {
      out.push(0x00);
      pushString(out, name);
    }
    pushString(out, value);
  }
}

/** §5.1 integer: `flags` are the bits above the N-bit prefix in the first byte. */
function pushInt(out: number[], flags: number, prefixBits: number, value: number): void {
  const mask = (1 << prefixBits) - 1;
  if (value < mask) {
    out.push(flags | value);
    return;
  }
  out.push(flags | mask);
  value -= mask;
  while (value >= 128) {
    out.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
}

function pushString(out: number[], s: string): void {
  pushInt(out, 0x00, 7, s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`HPACK: header string has char code ${c}; header strings are latin1 bytes`);
    out.push(c);
  }
}
