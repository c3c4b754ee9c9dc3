/**
 * The index-header (format: docs/format/index-header.md; thanos.md §5.3): a local file per block holding an
 * exact copy of the remote index's symbol table and postings offset table, so the store gateway can resolve
 * label names, label values and postings byte ranges without downloading the index.
 *
 *   ┌───────────────────────┬────────────┬──────────────────┬───────────────────────────────┐
 *   │ magic 0xBAAAD792 (4)  │ version 1  │ index version 2  │ index postings-table offset (8)│ 14 bytes
 *   ├───────────────────────┴────────────┴──────────────────┴───────────────────────────────┤
 *   │ symbol table, copied byte for byte (len | #symbols | strings | CRC32C)                 │
 *   │ postings offset table, copied byte for byte (len | #entries | entries | CRC32C)        │
 *   ├────────────────────────────────────────────────────────────────────────────────────────┤
 *   │ ref(symbols) 8 │ ref(postings offset table) 8 │ CRC32C of the 16 bytes (4)             │
 *   └────────────────────────────────────────────────────────────────────────────────────────┘
 *
 * Built once from four ranged reads of the index (header, TOC, symbols, postings offset table), written with
 * a rename so a crash never leaves half a file, and reused after a restart. In memory we keep the symbols and
 * every 32nd postings-offset entry per label name (plus each name's first and last); a lookup between two
 * samples reads that stretch of the local file (Thanos's `--store.index-header-posting-offsets-in-mem-sampling`).
 */
import { open, rename, mkdir, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import type { Bucket } from '../objstore/index.js';
import { compareStrings } from '../model/index.js';
import { Decoder, putBe32, putBe64 } from './decoder.js';
import { CorruptBlockError } from './errors.js';
import {
  forEachPostingsOffset,
  INDEX_HEADER_LEN,
  INDEX_TOC_LEN,
  parseIndexHeader,
  parseSymbols,
  parseSymbolTable,
  parseToc,
} from './index-format.js';

export const INDEX_HEADER_MAGIC = 0xbaaad792;
const HEADER_LEN = 14;
const TOC_LEN = 20;
/** Thanos's default sampling of postings offsets kept in memory. */
export const POSTINGS_OFFSETS_SAMPLING = 32;

/** A postings list's byte range in the remote index: [start, end) covers `len | … | CRC` (plus padding). */
export interface PostingsRange {
  start: number;
  end: number;
}

/** Sampled postings offset entries of one label name. */
interface NameSamples {
  values: string[];
  /** Position of each sampled entry in the index-header file. */
  filePos: number[];
  /** Offset of each sampled entry's postings list in the index. */
  offsets: number[];
  /** Position just after the name's last entry in the file. */
  end: number;
  /** Where the list after this name's last list starts in the index (bounds the last range). */
  nextOffset: number;
}

/** Builds `<path>` from the block's remote index with ranged reads; returns the bytes fetched. */
export async function buildIndexHeader(bucket: Bucket, indexName: string, path: string, signal?: AbortSignal): Promise<number> {
  const what = `index ${indexName}`;
  const { size } = await bucket.attributes(indexName, signal);
  if (size < INDEX_HEADER_LEN + INDEX_TOC_LEN) throw new CorruptBlockError(`${what}: ${size} bytes, too short for a header and TOC`);
  const head = await bucket.getRange(indexName, 0, INDEX_HEADER_LEN, signal);
  const version = parseIndexHeader(head, what);
  const toc = parseToc(await bucket.getRange(indexName, size - INDEX_TOC_LEN, INDEX_TOC_LEN, signal), size, what);

  const symLenBytes = await bucket.getRange(indexName, toc.symbols, 4, signal);
  const symLen = new Decoder(symLenBytes, `${what}: symbol table`).be32();
  const symbols = await bucket.getRange(indexName, toc.symbols, 4 + symLen + 4, signal);
  parseSymbols(symbols, what); // checks the CRC and every string before we copy it
  const table = await bucket.getRange(indexName, toc.postingsTable, size - INDEX_TOC_LEN - toc.postingsTable, signal);
  const tableLen = 4 + new Decoder(table, `${what}: postings offset table`).be32() + 4;
  if (tableLen > table.length) throw new CorruptBlockError(`${what}: postings offset table runs into the TOC`);
  const potBytes = table.subarray(0, tableLen);
  forEachPostingsOffset(potBytes, what, () => undefined);

  const out = new Uint8Array(HEADER_LEN + symbols.length + potBytes.length + TOC_LEN);
  putBe32(out, 0, INDEX_HEADER_MAGIC);
  out[4] = 1;
  out[5] = version;
  putBe64(out, 6, toc.postingsTable);
  out.set(symbols, HEADER_LEN);
  out.set(potBytes, HEADER_LEN + symbols.length);
  const t = out.length - TOC_LEN;
  putBe64(out, t, HEADER_LEN);
  putBe64(out, t + 8, HEADER_LEN + symbols.length);
  putBe32(out, t + 16, crc32c(out.subarray(t, t + 16)) >>> 0);

  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(out);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  return 4 + INDEX_HEADER_LEN + INDEX_TOC_LEN + symbols.length + 4 + table.length;
}

export class IndexHeader {
  readonly #fh: FileHandle;
  readonly #what: string;
  readonly #symbols: string[];
  readonly #names: Map<string, NameSamples>;
  /** Index offset of the postings offset table: the end of the last postings list. */
  readonly postingsTableOffset: number;
  /**
   * UTF-8 bytes of every symbol: symbol i is symbolData[symbolSpans[2i], symbolSpans[2i + 1]) (the
   * table's own bytes), for writing labels without encoding strings. Check a ref with symbol() first.
   */
  readonly symbolData: Uint8Array;
  readonly symbolSpans: Int32Array;
  /** symbolData as a DataView, for copying symbol bytes four at a time. */
  readonly symbolView: DataView;

  private constructor(
    fh: FileHandle,
    what: string,
    symbols: { strings: string[]; data: Uint8Array; spans: Int32Array },
    names: Map<string, NameSamples>,
    postingsTableOffset: number,
  ) {
    this.#fh = fh;
    this.#what = what;
    this.#symbols = symbols.strings;
    this.symbolData = symbols.data;
    this.symbolSpans = symbols.spans;
    this.symbolView = new DataView(symbols.data.buffer, symbols.data.byteOffset, symbols.data.byteLength);
    this.#names = names;
    this.postingsTableOffset = postingsTableOffset;
  }

  /** Opens and checks an index-header file; throws CorruptBlockError when it is not one (the caller rebuilds). */
  static async open(path: string, sampling = POSTINGS_OFFSETS_SAMPLING): Promise<IndexHeader> {
    const what = `index-header ${path}`;
    const fh = await open(path, 'r');
    try {
      const size = (await fh.stat()).size;
      if (size < HEADER_LEN + TOC_LEN) throw new CorruptBlockError(`${what}: ${size} bytes, too short`);
      const head = new Decoder(await readAt(fh, 0, HEADER_LEN), what);
      if (head.be32() !== INDEX_HEADER_MAGIC) throw new CorruptBlockError(`${what}: bad magic`);
      if (head.byte() !== 1) throw new CorruptBlockError(`${what}: unknown index-header version`);
      if (head.byte() !== 2) throw new CorruptBlockError(`${what}: index version is not 2`);
      const postingsTableOffset = head.be64();
      const tocBytes = await readAt(fh, size - TOC_LEN, TOC_LEN);
      if ((crc32c(tocBytes.subarray(0, 16)) >>> 0) !== new Decoder(tocBytes, what, 16).be32()) {
        throw new CorruptBlockError(`${what}: TOC CRC mismatch`);
      }
      const toc = new Decoder(tocBytes, what);
      const symRef = toc.be64();
      const potRef = toc.be64();
      if (symRef !== HEADER_LEN || potRef <= symRef || potRef > size - TOC_LEN) throw new CorruptBlockError(`${what}: TOC refs out of range`);
      const symbols = parseSymbolTable(await readAt(fh, symRef, potRef - symRef), what);
      const pot = await readAt(fh, potRef, size - TOC_LEN - potRef);
      const names = samplePostingsOffsets(pot, potRef, postingsTableOffset, sampling, what);
      return new IndexHeader(fh, what, symbols, names, postingsTableOffset);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  symbol(ref: number): string {
    const s = this.#symbols[ref];
    if (s === undefined) throw new CorruptBlockError(`${this.#what}: symbol ref ${ref} beyond the ${this.#symbols.length} symbols`);
    return s;
  }

  /** Label names in the block, sorted (without the all-postings key ""). */
  labelNames(): string[] {
    return [...this.#names.keys()].filter((n) => n !== '');
  }

  /** Every value of `name`, sorted; [] for an unknown name. */
  async labelValues(name: string): Promise<string[]> {
    const s = this.#names.get(name);
    if (s === undefined) return [];
    const out: string[] = [];
    await this.#scan(s.filePos[0]!, s.end, (value) => out.push(value));
    return out;
  }

  /**
   * Index byte ranges of the postings lists of (name, v) for each of `values` (sorted ascending),
   * undefined for a value the block does not have.
   */
  async postingsRanges(name: string, values: readonly string[]): Promise<(PostingsRange | undefined)[]> {
    const out = new Array<PostingsRange | undefined>(values.length).fill(undefined);
    const s = this.#names.get(name);
    if (s === undefined || values.length === 0) return out;
    const last = s.values.length - 1;
    // Group the wanted values by the sample at or before them; read each stretch of the file once.
    let i = 0;
    while (i < values.length) {
      const v = values[i]!;
      const j = sampleIndex(s.values, v);
      if (j < 0 || (j === last && v !== s.values[last])) {
        i++;
        continue;
      }
      const stretchEnd = j === last ? s.end : s.filePos[j + 1]!;
      const boundary = j === last ? s.nextOffset : s.offsets[j + 1]!;
      const upper = j === last ? undefined : s.values[j + 1]!;
      const wanted = new Map<string, number>();
      for (; i < values.length && (upper === undefined ? values[i] === v : compareStrings(values[i]!, upper) < 0); i++) wanted.set(values[i]!, i);
      let prevValue: string | undefined;
      let prevOffset = 0;
      const close = (nextOffset: number): void => {
        if (prevValue === undefined) return;
        const k = wanted.get(prevValue);
        if (k !== undefined) out[k] = { start: prevOffset, end: nextOffset };
      };
      await this.#scan(s.filePos[j]!, stretchEnd, (value, offset) => {
        close(offset);
        prevValue = value;
        prevOffset = offset;
      });
      close(boundary);
    }
    for (const r of out) {
      if (r !== undefined && r.end <= r.start) throw new CorruptBlockError(`${this.#what}: postings offsets of ${name} not ascending`);
    }
    return out;
  }

  /** Entries of one name's stretch of the table: the name is known, so it is skipped, not decoded. */
  async #scan(from: number, to: number, fn: (value: string, offset: number) => void): Promise<void> {
    const b = await readAt(this.#fh, from, to - from);
    const d = new Decoder(b, `${this.#what}: postings offset table`);
    while (d.remaining > 0) {
      if (d.uvarint() !== 2) d.fail('postings offset entry without exactly 2 strings');
      d.skip(d.uvarint());
      const value = d.uvarintStr();
      fn(value, d.uvarint());
    }
  }

  async close(): Promise<void> {
    await this.#fh.close();
  }
}

/** Largest j with values[j] <= v, or -1. */
function sampleIndex(values: readonly string[], v: string): number {
  let lo = 0;
  let hi = values.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (compareStrings(values[mid]!, v) <= 0) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

function samplePostingsOffsets(pot: Uint8Array, potRef: number, tableOffset: number, sampling: number, what: string): Map<string, NameSamples> {
  const names = new Map<string, NameSamples>();
  let cur: NameSamples | undefined;
  let curName = '';
  let n = 0;
  let lastPos = 0;
  let lastValue = '';
  let lastOffset = 0;
  let prevOffset = -1;
  const finish = (nextOffset: number, end: number): void => {
    if (cur === undefined) return;
    // Always keep a name's last entry: it bounds lookups past the last sample.
    if (cur.values[cur.values.length - 1] !== lastValue || cur.values.length === 0) {
      cur.values.push(lastValue);
      cur.filePos.push(lastPos);
      cur.offsets.push(lastOffset);
    }
    cur.end = end;
    cur.nextOffset = nextOffset;
  };
  forEachPostingsOffset(pot, what, (name, value, offset, entryStart) => {
    const pos = potRef + entryStart;
    if (offset <= prevOffset) throw new CorruptBlockError(`${what}: postings offsets not ascending at ${name}=${JSON.stringify(value)}`);
    prevOffset = offset;
    if (cur === undefined || name !== curName) {
      finish(offset, pos);
      if (names.has(name)) throw new CorruptBlockError(`${what}: postings offset table not sorted by name (${name} twice)`);
      cur = { values: [], filePos: [], offsets: [], end: 0, nextOffset: 0 };
      names.set(name, cur);
      curName = name;
      n = 0;
    }
    if (n % sampling === 0) {
      cur.values.push(value);
      cur.filePos.push(pos);
      cur.offsets.push(offset);
    }
    n++;
    lastPos = pos;
    lastValue = value;
    lastOffset = offset;
  });
  // The table's CRC sits after its entries; the last name ends there.
  finish(tableOffset, potRef + pot.length - 4);
  return names;
}

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Uint8Array> {
  const buf = Buffer.allocUnsafe(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, pos + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  if (got < len) throw new CorruptBlockError(`index-header: wanted ${len} bytes at ${pos}, file ends after ${got}`);
  return new Uint8Array(buf.buffer, buf.byteOffset, len);
}
