/**
 * Lays out an index v2 file (docs/format/index.md) in the order and with the padding Prometheus 2.x's
 * `index.Writer` uses, so our files are byte-identical to promtool's for the same series and chunks:
 *
 *   header · symbols · series (each at a 16-byte boundary) · label indices (each at 4) ·
 *   postings (each at 4; the all-postings key ("", "") first) · label offset table ·
 *   postings offset table · TOC
 *
 * The TOC records each section's offset before its alignment padding, as Prometheus does (the series
 * section of promtool's indexes starts at the unpadded end of the symbol table, e.g. 0x2a, while the first
 * entry sits at 0x30). Series are written one at a time as the caller produces them; postings need every
 * series ID, so they are written in `finish`.
 */
import { StorageError } from '../../model/index.js';
import { Encbuf } from './encbuf.js';
import { FileSink } from './file-sink.js';
import {
  LIST_ALIGNMENT,
  OffsetTableEncoder,
  SERIES_ALIGNMENT,
  encodeHeader,
  encodeLabelIndex,
  encodePostingsList,
  encodeSeriesEntry,
  encodeSymbolTable,
  encodeToc,
  type ChunkMetas,
  type Toc,
} from './index-sections.js';
import type { Postings } from './postings.js';

/** Series IDs are 4-byte offset / 16 in postings lists. */
const MAX_SERIES_OFFSET = 0xffffffff * SERIES_ALIGNMENT;

export class IndexWriter {
  readonly #sink: FileSink;
  readonly #enc = new Encbuf(1 << 16);
  readonly #scratch = new Encbuf(1 << 12);
  readonly #symbols: readonly Uint8Array[];
  readonly #toc: Toc = { symbols: 0, series: 0, labelIndices: 0, labelIndicesTable: 0, postings: 0, postingsTable: 0 };
  /** Every series ID so far, ascending: the all-postings list. */
  #ids = new Uint32Array(1024);
  #numSeries = 0;
  /** Largest series entry, len varint and CRC included (Thanos's index_stats.series_max_size). */
  maxSeriesSize = 0;

  /** Opens `path` (which must not exist) and writes the header and the symbol table. */
  constructor(path: string, symbols: readonly Uint8Array[]) {
    this.#sink = new FileSink(path);
    this.#symbols = symbols;
    const enc = this.#enc.reset();
    encodeHeader(enc);
    this.#toc.symbols = enc.len;
    encodeSymbolTable(enc, symbols);
    this.#sink.write(enc.get());
    this.#toc.series = this.#sink.pos;
  }

  /** Writes the next series (callers go in label order) and returns its ID: its offset / 16. */
  addSeries(pairs: Uint32Array, from: number, to: number, chunks: ChunkMetas): number {
    const sink = this.#sink;
    sink.pad(SERIES_ALIGNMENT);
    if (sink.pos > MAX_SERIES_OFFSET) throw new StorageError('write index: series section passed 64 GiB; series IDs are 32-bit');
    const id = sink.pos / SERIES_ALIGNMENT;
    const enc = this.#enc.reset();
    encodeSeriesEntry(enc, this.#scratch, pairs, from, to, chunks);
    sink.write(enc.get());
    if (enc.len > this.maxSeriesSize) this.maxSeriesSize = enc.len;
    if (this.#numSeries === this.#ids.length) {
      const next = new Uint32Array(this.#ids.length * 2);
      next.set(this.#ids);
      this.#ids = next;
    }
    this.#ids[this.#numSeries++] = id;
    return id;
  }

  /** Writes label indices, postings, both offset tables and the TOC; closes the file and returns its size. */
  finish(postings: Postings): number {
    const sink = this.#sink;
    const sym = this.#symbols;
    const { keys, start, ids } = postings;
    const numKeys = keys.length >> 1;

    // Label indices: one per name, listing its values. Written before the postings, as Prometheus does.
    this.#toc.labelIndices = sink.pos;
    const labelTable = new Encbuf(1 << 12);
    const labelOffsets = new OffsetTableEncoder(labelTable);
    for (let k = 0; k < numKeys; ) {
      const name = keys[2 * k]!;
      let end = k;
      while (end < numKeys && keys[2 * end] === name) end++;
      sink.pad(LIST_ALIGNMENT);
      labelOffsets.add([sym[name]!], sink.pos);
      const values = new Uint32Array(end - k);
      for (let j = k; j < end; j++) values[j - k] = keys[2 * j + 1]!;
      this.#writePiece((enc) => encodeLabelIndex(enc, values));
      k = end;
    }
    labelOffsets.finish();

    // Postings: the all-postings key ("", "") lists every series, then one list per label pair.
    this.#toc.postings = sink.pos;
    const postingsTable = new Encbuf(1 << 12);
    const postingsOffsets = new OffsetTableEncoder(postingsTable);
    const empty = new Uint8Array(0);
    sink.pad(LIST_ALIGNMENT);
    postingsOffsets.add([empty, empty], sink.pos);
    this.#writePiece((enc) => encodePostingsList(enc, this.#ids, 0, this.#numSeries));
    for (let k = 0; k < numKeys; k++) {
      sink.pad(LIST_ALIGNMENT);
      postingsOffsets.add([sym[keys[2 * k]!]!, sym[keys[2 * k + 1]!]!], sink.pos);
      this.#writePiece((enc) => encodePostingsList(enc, ids, start[k]!, start[k + 1]!));
    }
    postingsOffsets.finish();

    this.#toc.labelIndicesTable = sink.pos;
    sink.write(labelTable.get());
    this.#toc.postingsTable = sink.pos;
    sink.write(postingsTable.get());
    this.#writePiece((enc) => encodeToc(enc, this.#toc));
    return sink.close();
  }

  #writePiece(encode: (enc: Encbuf) => void): void {
    const enc = this.#enc.reset();
    encode(enc);
    this.#sink.write(enc.get());
  }

  abort(): void {
    this.#sink.abort();
  }
}
