/**
 * Encoders for the pieces of an index v2 file (docs/format/index.md), each appending one complete piece to
 * an Encbuf. They are pure, so tests check them against hand-computed bytes; index-writer.ts lays them out
 * in the file with the padding and offsets Prometheus uses.
 *
 * Every table and list is `len (4 bytes BE) | body | CRC32C(body)`: the CRC covers everything after the len
 * field (counts included) — checked against promtool's own index files.
 */
import { crc32c } from '@node-rs/crc32';
import { Encbuf } from './encbuf.js';

export const INDEX_MAGIC = 0xbaaad700;
export const INDEX_VERSION_V2 = 2;
/** Series entries start at multiples of 16 so that a 4-byte series ID (offset / 16) reaches 64 GiB. */
export const SERIES_ALIGNMENT = 16;
/** Lists of 4-byte integers (postings, label indices) start at multiples of 4. */
export const LIST_ALIGNMENT = 4;
export const TOC_SIZE = 6 * 8 + 4;

/** Chunk metas of one series, as columns: chunk i is [mint[i], maxt[i]] (inclusive) at `ref[i]`. */
export interface ChunkMetas {
  count: number;
  mint: Float64Array;
  maxt: Float64Array;
  ref: Float64Array;
}

/** Section start offsets recorded in the TOC (Prometheus records them before any alignment padding). */
export interface Toc {
  symbols: number;
  series: number;
  labelIndices: number;
  labelIndicesTable: number;
  postings: number;
  postingsTable: number;
}

/** Appends the CRC32C of enc's bytes from `from` to the end. */
export function putCRC(enc: Encbuf, from: number): void {
  enc.putBE32(crc32c(enc.get().subarray(from)) >>> 0);
}

/** `magic | version 2`: the first 5 bytes. */
export function encodeHeader(enc: Encbuf): void {
  enc.putBE32(INDEX_MAGIC);
  enc.putByte(INDEX_VERSION_V2);
}

/** `len | #symbols | (uvarint strlen, bytes)* | CRC`; `symbols` are UTF-8 and already sorted bytewise. */
export function encodeSymbolTable(enc: Encbuf, symbols: readonly Uint8Array[]): void {
  const lenAt = enc.len;
  enc.putBE32(0);
  enc.putBE32(symbols.length);
  for (const s of symbols) enc.putUvarintBytes(s);
  enc.setBE32(lenAt, enc.len - lenAt - 4);
  putCRC(enc, lenAt + 4);
}

/**
 * One series entry (without the alignment padding before it): `len uvarint | #labels | (name ref, value
 * ref)* | #chunks | chunk metas | CRC`, `len` excluding itself and the CRC. Label refs are symbol ordinals
 * from `pairs[from..to)` (name, value alternating). Chunk metas are delta-encoded: the first chunk's mint
 * as a varint, each later chunk's mint as the gap from the previous maxt, maxt as the span from its own
 * mint, refs as signed deltas from the previous ref. `scratch` holds the body while its length is unknown.
 */
export function encodeSeriesEntry(enc: Encbuf, scratch: Encbuf, pairs: Uint32Array, from: number, to: number, chunks: ChunkMetas): void {
  const body = scratch.reset();
  body.putUvarint((to - from) >> 1);
  for (let i = from; i < to; i++) body.putUvarint(pairs[i]!);
  body.putUvarint(chunks.count);
  if (chunks.count > 0) {
    body.putVarint(chunks.mint[0]!);
    body.putUvarint(chunks.maxt[0]! - chunks.mint[0]!);
    body.putUvarint(chunks.ref[0]!);
    for (let c = 1; c < chunks.count; c++) {
      body.putUvarint(chunks.mint[c]! - chunks.maxt[c - 1]!);
      body.putUvarint(chunks.maxt[c]! - chunks.mint[c]!);
      body.putVarint(chunks.ref[c]! - chunks.ref[c - 1]!);
    }
  }
  const b = body.get();
  enc.putUvarint(b.length);
  enc.putBytes(b);
  enc.putBE32(crc32c(b) >>> 0);
}

/** `len | #entries | series ID (4 bytes)* | CRC` for the IDs in ids[from..to), ascending. */
export function encodePostingsList(enc: Encbuf, ids: Uint32Array, from: number, to: number): void {
  const lenAt = enc.len;
  enc.putBE32(4 + 4 * (to - from));
  enc.putBE32(to - from);
  for (let i = from; i < to; i++) enc.putBE32(ids[i]!);
  putCRC(enc, lenAt + 4);
}

/** Legacy label index for one name: `len | #names = 1 | #values | value symbol ref (4 bytes)* | CRC`. */
export function encodeLabelIndex(enc: Encbuf, valueRefs: ArrayLike<number>): void {
  const lenAt = enc.len;
  enc.putBE32(8 + 4 * valueRefs.length);
  enc.putBE32(1);
  enc.putBE32(valueRefs.length);
  for (let i = 0; i < valueRefs.length; i++) enc.putBE32(valueRefs[i]!);
  putCRC(enc, lenAt + 4);
}

/**
 * An offset table: `len | #entries | (#keys uvarint, (uvarint len, key bytes)*, offset uvarint64)* | CRC`.
 * The label offset table has one key (the name), the postings offset table two (name, value). Built by
 * calling `add` per entry and `finish` once.
 */
export class OffsetTableEncoder {
  readonly #enc: Encbuf;
  readonly #lenAt: number;
  #count = 0;

  constructor(enc: Encbuf) {
    this.#enc = enc;
    this.#lenAt = enc.len;
    enc.putBE32(0);
    enc.putBE32(0);
  }

  add(keys: readonly Uint8Array[], offset: number): void {
    this.#enc.putUvarint(keys.length);
    for (const k of keys) this.#enc.putUvarintBytes(k);
    this.#enc.putUvarint(offset);
    this.#count++;
  }

  finish(): void {
    const enc = this.#enc;
    enc.setBE32(this.#lenAt, enc.len - this.#lenAt - 4);
    enc.setBE32(this.#lenAt + 4, this.#count);
    putCRC(enc, this.#lenAt + 4);
  }
}

/** The last 52 bytes: six 8-byte section offsets and the CRC over them. */
export function encodeToc(enc: Encbuf, toc: Toc): void {
  const at = enc.len;
  enc.putBE64(toc.symbols);
  enc.putBE64(toc.series);
  enc.putBE64(toc.labelIndices);
  enc.putBE64(toc.labelIndicesTable);
  enc.putBE64(toc.postings);
  enc.putBE64(toc.postingsTable);
  putCRC(enc, at);
}
