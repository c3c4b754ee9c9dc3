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

const NO_BLOCK: Buffer = Buffer.alloc(0);

function asBuffer(block: Uint8Array): Buffer {
  return Buffer.isBuffer(block) ? block : Buffer.from(block.buffer, block.byteOffset, block.byteLength);
}

export class HpackDecoder {
  private readonly table: DynamicTable;
  private readonly maxTableSize: number;
  private readonly maxHeaderListBytes: number;
  // Cursor of the block being decoded; fields rather than return tuples so reading an integer allocates nothing.
  private buf = NO_BLOCK;
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
    this.buf = NO_BLOCK; // do not keep the caller's block alive
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

/**
 * Strings of up to 10 octets are built in JS: about twice as fast as the call into Buffer's native latin1 slice
 * (~27 vs ~58 ns, Node 20); by 16 octets the native call wins.
 */
function latin1(buf: Buffer, start: number, end: number): string {
  if (end - start > 10) return buf.toString('latin1', start, end);
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]);
  return s;
}

/** Static entries by name: the first index with that name (for a literal's name) and the exact pairs. */
interface StaticName {
  index: number;
  values: string[];
  indexes: number[];
}
const STATIC_BY_NAME = new Map<string, StaticName>();
STATIC_TABLE.forEach(([name, value], i) => {
  let entry = STATIC_BY_NAME.get(name);
  if (!entry) STATIC_BY_NAME.set(name, (entry = { index: i + 1, values: [], indexes: [] }));
  entry.values.push(value);
  entry.indexes.push(i + 1);
});

/** Encoders write here, then copy out the block: one exact-size allocation per block. */
let scratch = Buffer.allocUnsafe(4096);

/** Room for a field: its octets, a 1-byte representation plus two length prefixes of up to 6 bytes. */
function ensureScratch(bytes: number): void {
  if (scratch.length < bytes) scratch = Buffer.allocUnsafe(Math.max(bytes, scratch.length * 2));
}

/**
 * Encodes a header list as a block, statelessly: it never inserts into the dynamic table, so there is no table
 * state for the peer to track and nothing to evict. Exact static-table matches are indexed, the rest are literals
 * without indexing (with the static name index when there is one), strings raw (no Huffman: gRPC headers are
 * short, and a raw copy is cheaper than saving a few bytes). What our HTTP/2 sends; H2Connection puts the table
 * size update to 0 in front of a connection's first block itself.
 */
export function encodeHeaderBlock(headers: HeaderList): Buffer {
  let bound = 0;
  for (let i = 0; i < headers.length; i++) bound += headers[i].length + 7;
  ensureScratch(bound);
  let pos = 0;
  for (let i = 0; i + 1 < headers.length; i += 2) pos = writeField(scratch, pos, headers[i], headers[i + 1]);
  const out = Buffer.allocUnsafe(pos);
  scratch.copy(out, 0, 0, pos);
  return out;
}

/** encodeHeaderBlock with the table size update to 0 at the start of the first block it makes (for peers of our own). */
export class HpackEncoder {
  private first = true;

  encode(headers: HeaderList): Buffer {
    const block = encodeHeaderBlock(headers);
    if (!this.first) return block;
    this.first = false;
    return Buffer.concat([Buffer.of(0x20), block]); // §6.3 size update, 5-bit prefix, value 0
  }
}

/** Writes one field at `pos` (the caller made room) and returns the position after it. */
function writeField(buf: Buffer, pos: number, name: string, value: string): number {
  const known = STATIC_BY_NAME.get(name);
  if (known !== undefined) {
    const values = known.values;
    for (let i = 0; i < values.length; i++) {
      if (values[i] === value) return writeInt(buf, pos, 0x80, 7, known.indexes[i]); // §6.1 indexed
    }
    pos = writeInt(buf, pos, 0x00, 4, known.index); // §6.2.2 without indexing, indexed name
  } else {
    buf[pos++] = 0x00; // §6.2.2 without indexing, literal name
    pos = writeString(buf, pos, name);
  }
  return writeString(buf, pos, value);
}

/** §5.1 integer: `flags` are the bits above the N-bit prefix in the first byte. */
function writeInt(buf: Buffer, pos: number, flags: number, prefixBits: number, value: number): number {
  const mask = (1 << prefixBits) - 1;
  if (value < mask) {
    buf[pos++] = flags | value;
    return pos;
  }
  buf[pos++] = flags | mask;
  value -= mask;
  while (value >= 128) {
    buf[pos++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  buf[pos++] = value;
  return pos;
}

/** §5.2 raw string literal (H = 0). */
function writeString(buf: Buffer, pos: number, s: string): number {
  pos = writeInt(buf, pos, 0x00, 7, s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`HPACK: header string has char code ${c}; header strings are latin1 bytes`);
    buf[pos++] = c;
  }
  return pos;
}
