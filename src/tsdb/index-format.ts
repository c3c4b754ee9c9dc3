/**
 * Parsers for the pieces of a Prometheus index v2 file (docs: prometheus/tsdb/docs/format/index.md;
 * thanos.md §6.1), each over bytes already fetched, with its CRC checked. They do no I/O: the callers decide
 * which byte ranges to fetch (index-header.ts builds from the TOC, symbols and postings offset table;
 * block-index.ts range-reads postings lists and series entries).
 *
 *   ┌────────────────────────────┬─────────────┐
 *   │ magic 0xBAAAD700 (4 bytes) │ version (1) │   header
 *   ├────────────────────────────┴─────────────┤
 *   │ symbol table │ series │ label indices     │
 *   │ label offset table │ postings lists       │
 *   │ postings offset table                    │
 *   ├──────────────────────────────────────────┤
 *   │ TOC: 6 × 8-byte refs │ CRC32C (4)        │   last 52 bytes
 *   └──────────────────────────────────────────┘
 *
 * Every length-prefixed section is `len (4, BE) | contents (len bytes) | CRC32C(contents)`.
 */
import { CorruptBlockError } from './errors.js';
import { checkCrc, Decoder } from './decoder.js';

export const INDEX_MAGIC = 0xbaaad700;
export const INDEX_HEADER_LEN = 5;
export const INDEX_TOC_LEN = 52;
/** v2 series entries are 16-byte aligned and a series ID is its offset / 16. */
export const SERIES_ALIGNMENT = 16;

export interface IndexToc {
  symbols: number;
  series: number;
  labelIndices: number;
  labelIndicesTable: number;
  postings: number;
  postingsTable: number;
}

/** The 5-byte header → index format version (only 2 is served; v1 used byte-offset symbol refs). */
export function parseIndexHeader(b: Uint8Array, what: string): number {
  const d = new Decoder(b, what);
  const magic = d.be32();
  if (magic !== INDEX_MAGIC) throw new CorruptBlockError(`${what}: magic 0x${magic.toString(16)}, want 0xbaaad700`);
  const version = d.byte();
  if (version !== 2) throw new CorruptBlockError(`${what}: index format version ${version}, only 2 is supported`);
  return version;
}

/** The last 52 bytes of the index → section offsets; each must lie inside a file of `fileSize` bytes. */
export function parseToc(b: Uint8Array, fileSize: number, what: string): IndexToc {
  if (b.length !== INDEX_TOC_LEN) throw new CorruptBlockError(`${what}: TOC is ${b.length} bytes, want 52`);
  checkCrc(b, 0, 48, `${what}: TOC`);
  const d = new Decoder(b, `${what}: TOC`);
  const toc: IndexToc = {
    symbols: d.be64(),
    series: d.be64(),
    labelIndices: d.be64(),
    labelIndicesTable: d.be64(),
    postings: d.be64(),
    postingsTable: d.be64(),
  };
  for (const [k, v] of Object.entries(toc)) {
    if (v > fileSize - INDEX_TOC_LEN) throw new CorruptBlockError(`${what}: TOC ${k} offset ${v} outside the file (${fileSize} bytes)`);
  }
  if (toc.symbols < INDEX_HEADER_LEN || toc.postingsTable < toc.symbols) {
    throw new CorruptBlockError(`${what}: TOC offsets out of order (symbols ${toc.symbols}, postings table ${toc.postingsTable})`);
  }
  return toc;
}

/**
 * Checks a length-prefixed section starting at b[0] (len, contents, CRC) and returns a decoder over its
 * contents. `b` may extend past the section.
 */
export function sectionDecoder(b: Uint8Array, what: string): Decoder {
  const d = new Decoder(b, what);
  const len = d.be32();
  if (4 + len + 4 > b.length) throw new CorruptBlockError(`${what}: section of ${len} bytes runs past the ${b.length} bytes read`);
  checkCrc(b, 4, 4 + len, what);
  return new Decoder(b, what, 4, 4 + len);
}

/** Symbol table section → its strings in order (v2 symbol refs are these ordinals). */
export function parseSymbols(b: Uint8Array, what: string): string[] {
  return parseSymbolTable(b, what).strings;
}

/**
 * The symbol table as strings, and each one's UTF-8 bytes: symbol i is data[spans[2i], spans[2i + 1]).
 * The bytes let a Series response copy labels without encoding strings. They are the table's own bytes
 * (data is `b`) unless a symbol is not valid UTF-8: its string then has U+FFFD in place of the bad bytes, and
 * its span points at that string's encoding, appended after `b`, so bytes and string always agree.
 */
export function parseSymbolTable(b: Uint8Array, what: string): { strings: string[]; data: Uint8Array; spans: Int32Array } {
  const d = sectionDecoder(b, `${what}: symbol table`);
  const n = d.be32();
  if (n > d.remaining) d.fail(`${n} symbols cannot fit in ${d.remaining} bytes`);
  const strings = new Array<string>(n);
  const spans = new Int32Array(2 * n);
  let fixes: number[] | undefined;
  for (let i = 0; i < n; i++) {
    const at = d.pos;
    const len = d.uvarint();
    d.pos = at;
    const str = d.uvarintStr();
    strings[i] = str;
    spans[2 * i] = d.pos - len;
    spans[2 * i + 1] = d.pos;
    if (str.length !== len || !isAscii(b, d.pos - len, d.pos)) {
      if (Buffer.compare(Buffer.from(str), b.subarray(d.pos - len, d.pos)) !== 0) (fixes ??= []).push(i);
    }
  }
  if (fixes === undefined) return { strings, data: b, spans };
  const extra = fixes.map((i) => Buffer.from(strings[i]!));
  const data = new Uint8Array(b.length + extra.reduce((a, e) => a + e.length, 0));
  data.set(b);
  let p = b.length;
  fixes.forEach((i, k) => {
    data.set(extra[k]!, p);
    spans[2 * i] = p;
    spans[2 * i + 1] = p += extra[k]!.length;
  });
  return { strings, data, spans };
}

function isAscii(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i]! >= 0x80) return false;
  return true;
}

/**
 * Walks the entries of a postings offset table: `fn(name, value, postingsOffset, entryStart)` in table order,
 * sorted by (name, value). `entryStart` is the entry's position within `b`. The CRC is checked first.
 */
export function forEachPostingsOffset(
  b: Uint8Array,
  what: string,
  fn: (name: string, value: string, offset: number, entryStart: number) => void,
): number {
  const d = sectionDecoder(b, `${what}: postings offset table`);
  const n = d.be32();
  for (let i = 0; i < n; i++) {
    const start = d.pos;
    if (d.uvarint() !== 2) d.fail('postings offset entry without exactly 2 strings');
    const name = d.uvarintStr();
    const value = d.uvarintStr();
    fn(name, value, d.uvarint(), start);
  }
  if (d.remaining !== 0) d.fail(`${d.remaining} bytes after ${n} postings offset entries`);
  return n;
}

/** A postings list (`len | #entries | id… | CRC`) at b[0] → its series IDs, ascending. */
export function parsePostingsList(b: Uint8Array, what: string): Uint32Array {
  const d = sectionDecoder(b, what);
  const n = d.be32();
  if (n * 4 !== d.remaining) d.fail(`postings list says ${n} entries but holds ${d.remaining} bytes`);
  const out = new Uint32Array(n);
  const bytes = d.b;
  let p = d.pos;
  let prev = -1;
  for (let i = 0; i < n; i++, p += 4) {
    const id = ((bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!) >>> 0;
    if (id <= prev) throw new CorruptBlockError(`${what}: postings not strictly ascending (${prev} then ${id})`);
    out[i] = prev = id;
  }
  return out;
}

/** One series entry: label symbol refs and its chunk metas as parallel arrays. */
export interface SeriesEntry {
  /** name0, value0, name1, value1, … as symbol ordinals. */
  labelRefs: Uint32Array;
  chunkMint: Float64Array;
  chunkMaxt: Float64Array;
  /** segment index × 2^32 + byte offset (chunkenc's chunkRef). */
  chunkRef: Float64Array;
}

/**
 * The series entry starting at b[pos] (`len uvarint | contents | CRC32C`), or the number of bytes the whole
 * entry needs when `b` ends too early (the caller refetches; thanos.md §5.4 "refetch").
 */
export function parseSeriesEntry(b: Uint8Array, pos: number, what: string): SeriesEntry | number {
  const head = new Decoder(b, what, pos, Math.min(b.length, pos + 10));
  let len: number;
  try {
    len = head.uvarint();
  } catch (err) {
    if (b.length - pos < 10) return b.length - pos + 16; // cut inside the varint itself: ask for a little more
    throw err;
  }
  const start = head.pos;
  const total = start - pos + len + 4;
  if (start + len + 4 > b.length) return total;
  checkCrc(b, start, start + len, what);
  const d = new Decoder(b, what, start, start + len);
  const nl = d.uvarint();
  if (nl * 2 > d.remaining) d.fail(`${nl} labels cannot fit in ${d.remaining} bytes`);
  const labelRefs = new Uint32Array(nl * 2);
  for (let i = 0; i < nl * 2; i++) labelRefs[i] = d.uvarint();
  const nc = d.uvarint();
  if (nc * 3 > d.remaining) d.fail(`${nc} chunks cannot fit in ${d.remaining} bytes`);
  const chunkMint = new Float64Array(nc);
  const chunkMaxt = new Float64Array(nc);
  const chunkRef = new Float64Array(nc);
  if (nc > 0) {
    let mint = d.varint();
    let maxt = mint + d.uvarint();
    let ref = d.uvarint();
    chunkMint[0] = mint;
    chunkMaxt[0] = maxt;
    chunkRef[0] = ref;
    for (let i = 1; i < nc; i++) {
      mint = maxt + d.uvarint();
      maxt = mint + d.uvarint();
      ref += d.varint();
      chunkMint[i] = mint;
      chunkMaxt[i] = maxt;
      chunkRef[i] = ref;
    }
  }
  if (d.remaining !== 0) d.fail(`${d.remaining} unread bytes at the end of a series entry`);
  return { labelRefs, chunkMint, chunkMaxt, chunkRef };
}
