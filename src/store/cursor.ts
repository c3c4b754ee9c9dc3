/**
 * One block's share of a Series request, streamed: matchers → postings once, then series entries in batches
 * of SERIES_BATCH, each decoded into columns (tsdb SeriesColumns) and given its final labels — the block's
 * external labels inserted (external wins on a name clash), the dropped replica labels left out — built
 * straight from the symbol table's strings. Only the current batch (and a short run carried over) is held,
 * so a request over 10^5 series does not keep 10^5 decoded series alive.
 *
 * Order. The index orders series by their own labels; the output must be ordered by the final labels.
 * Inserting label pairs can reorder only series where one's labels are a prefix of the other's:
 *
 *   own      {a=1}          <  {a=1, b=1}           (shorter first)
 *   + c=1    {a=1, c=1}     >  {a=1, b=1, c=1}      (b < c)
 *
 * Where the first difference is a differing name or value, both sides get the same pairs inserted at the
 * same places before it, and the difference decides as before. Series that have a series S as prefix follow
 * S contiguously in index order, so each such run is sorted on its own and runs keep their order. When an
 * external label also names a label of the block's own series (the value is overridden), order can change
 * anywhere and two series can become equal: then the whole block is read, sorted and merged (rare: sidecars
 * refuse such external labels).
 */
import type { Matcher } from '../model/index.js';
import { encodeLabels, varint32Size, writeVarint32, type SeriesFrameWriter } from '../storeapi/index.js';
import type { SeriesColumns } from '../tsdb/index.js';
import { SERIES_BATCH, type StoreBlock } from './block.js';
import { labelSize, type LabelBytes } from './label-bytes.js';
import { postingsForMatchers } from './postings.js';

/** Label positions whose insertion point copyLabels remembers. */
const MEMO = 32;

/** Label sets as flat [name0, value0, …] arrays, ordered like Prometheus labels.Compare. */
export function compareFlat(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const p = a[i]!;
    const q = b[i]!;
    if (p !== q) return p < q ? -1 : 1;
  }
  return a.length - b.length;
}

export class BlockSeriesCursor {
  /**
   * Ready series: where their entries are (columns and row) and their final labels, which are built only
   * when needed (labelsAt: comparisons in a merge, sorting a run) — a single-block request writes label
   * bytes straight from the symbol table (writeLabels) and never builds them.
   */
  labels: (string[] | undefined)[] = [];
  cols: SeriesColumns[] = [];
  rows: number[] = [];
  /** Next ready series to take. */
  pos = 0;
  /** Whether two of this cursor's series can have equal final labels (an external label overrides one). */
  readonly mayRepeat: boolean;

  #ids: Uint32Array | undefined;
  #next = 0;
  /** External pairs to insert, flat, sorted by name (without the dropped ones). */
  readonly #insert: string[];
  /** The same pairs as encoded Series.labels entries, concatenated; pair k's entry ends at #insEnd[k]. */
  readonly #insFlat: Uint8Array;
  readonly #insEnd: Int32Array;
  /** Whether an inserted name is also one of the block's own label names. */
  readonly #overrides: boolean;
  /** Per label position: the name ref last seen there and how many inserted names sort before it. */
  readonly #memoRef = new Int32Array(MEMO).fill(-1);
  readonly #memoBefore = new Int32Array(MEMO);
  /** Start (in the ready arrays) of the last run: series whose own labels have its first's as a prefix. */
  #runStart = 0;
  /** The last run of the previous batch, held back since the next batch may extend it. */
  #carry: { labels: (string[] | undefined)[]; cols: SeriesColumns[]; rows: number[] } | undefined;

  constructor(
    readonly block: StoreBlock,
    readonly matchers: readonly Matcher[],
    readonly mint: number,
    readonly maxt: number,
    dropLabels: readonly string[],
    readonly signal?: AbortSignal,
    /** false for skip_chunks: the series' chunk metas are not kept (SeriesColumns). */
    readonly keepChunks = true,
  ) {
    const ins: string[] = [];
    let overrides = false;
    block.extLabels.forEach((n, v) => {
      if (dropLabels.includes(n)) return;
      ins.push(n, v);
      if (block.hasLabelName(n)) overrides = true;
    });
    this.#insert = ins;
    const pairs: { name: string; value: string }[] = [];
    for (let j = 0; j < ins.length; j += 2) pairs.push({ name: ins[j]!, value: ins[j + 1]! });
    // A plain Uint8Array like the symbol bytes and the target, so the copy loops see one array kind.
    this.#insFlat = new Uint8Array(encodeLabels(pairs));
    this.#insEnd = new Int32Array(pairs.length);
    for (let k = 0, at = 0; k < pairs.length; k++) this.#insEnd[k] = at += encodeLabels([pairs[k]!]).length;
    this.#overrides = overrides;
    this.mayRepeat = overrides;
  }

  /** Final labels of ready series i (flat, sorted by name), built once. */
  labelsAt(i: number): string[] {
    return (this.labels[i] ??= this.#build(this.cols[i]!, this.rows[i]!));
  }

  /**
   * Final labels of a row as Series.labels entries, copied from the symbol table's bytes into `to`, and
   * handed to the writer as that range: no strings, no label objects.
   */
  writeLabels(w: SeriesFrameWriter, to: LabelBytes, cols: SeriesColumns, row: number): void {
    const size = this.#labelsSize(cols, row);
    const buf = to.reserve(size);
    const start = to.pos;
    to.pos = this.#copyLabels(buf, to.view, start, cols, row);
    w.labels(buf, start, to.pos);
  }

  /**
   * A whole Series message of a row with labels only, as a `series` field (0x0a, length, its labels
   * entries) appended to `to`: the bytes of a skip_chunks frame (LabelBytes.frame), no writer in between.
   */
  writeSeries(to: LabelBytes, cols: SeriesColumns, row: number): void {
    const size = this.#labelsSize(cols, row);
    const buf = to.reserve(size + 6);
    let p = to.pos;
    buf[p++] = 0x0a;
    p = writeVarint32(buf, p, size);
    to.pos = this.#copyLabels(buf, to.view, p, cols, row);
  }

  /** Bytes of a row's final labels entries (own ones from symbol lengths, plus every inserted one). */
  #labelsSize(cols: SeriesColumns, row: number): number {
    const header = this.block.header;
    const spans = header.symbolSpans;
    const nSymbols = spans.length >> 1;
    const refs = cols.labelRefs;
    const end = cols.labelStart[row + 1]!;
    let size = this.#insFlat.length;
    for (let i = cols.labelStart[row]!; i < end; i += 2) {
      const n = refs[i]!;
      const v = refs[i + 1]!;
      if (n >= nSymbols || v >= nSymbols) header.symbol(Math.max(n, v)); // throws CorruptBlockError naming it
      const ls = labelSize(spans[2 * n + 1]! - spans[2 * n]!, spans[2 * v + 1]! - spans[2 * v]!);
      size += 1 + varint32Size(ls) + ls;
    }
    return size;
  }

  /** Writes a row's final labels entries at buf[p] (room checked by the caller: #labelsSize); returns the end. */
  #copyLabels(buf: Uint8Array, view: DataView, p: number, cols: SeriesColumns, row: number): number {
    const header = this.block.header;
    const data = header.symbolData;
    const dv = header.symbolView;
    const spans = header.symbolSpans;
    const refs = cols.labelRefs;
    const end = cols.labelStart[row + 1]!;
    const names = this.#insert;
    const nIns = names.length >> 1;
    const ins = this.#insFlat;
    const insEnd = this.#insEnd;
    const memoRef = this.#memoRef;
    const memoBefore = this.#memoBefore;
    let j = 0; // inserted pairs written
    for (let i = cols.labelStart[row]!, at = 0; i < end; i += 2, at++) {
      const n = refs[i]!;
      const v = refs[i + 1]!;
      if (j < nIns) {
        // Inserted pairs sorting before this name: remembered per label position, as series of one metric
        // repeat their names at the same positions (a string comparison per pair costs more).
        let before: number;
        if (at < MEMO && memoRef[at] === n) before = memoBefore[at]!;
        else {
          const name = header.symbol(n);
          before = 0;
          while (before < nIns && names[2 * before]! < name) before++;
          if (at < MEMO) {
            memoRef[at] = n;
            memoBefore[at] = before;
          }
        }
        if (before > j) {
          for (let k = j === 0 ? 0 : insEnd[j - 1]!, e = insEnd[before - 1]!; k < e; k++) buf[p++] = ins[k]!;
          j = before;
        }
      }
      const n0 = spans[2 * n]!;
      const nl = spans[2 * n + 1]! - n0;
      const v0 = spans[2 * v]!;
      const vl = spans[2 * v + 1]! - v0;
      buf[p++] = 0x0a;
      p = writeVarint32(buf, p, labelSize(nl, vl));
      // Symbol bytes four at a time, then the rest: fewer loop turns than byte by byte.
      if (nl > 0) {
        buf[p++] = 0x0a;
        p = writeVarint32(buf, p, nl);
        let k = 0;
        for (; k + 4 <= nl; k += 4) view.setUint32(p + k, dv.getUint32(n0 + k));
        for (; k < nl; k++) buf[p + k] = data[n0 + k]!;
        p += nl;
      }
      if (vl > 0) {
        buf[p++] = 0x12;
        p = writeVarint32(buf, p, vl);
        let k = 0;
        for (; k + 4 <= vl; k += 4) view.setUint32(p + k, dv.getUint32(v0 + k));
        for (; k < vl; k++) buf[p + k] = data[v0 + k]!;
        p += vl;
      }
    }
    for (let k = j === 0 ? 0 : insEnd[j - 1]!; k < ins.length; k++) buf[p++] = ins[k]!;
    return p;
  }

  /** Own pairs and inserted pairs merged by name: one array, no sort, strings shared with the symbol table. */
  #build(cols: SeriesColumns, row: number): string[] {
    const header = this.block.header;
    const ins = this.#insert;
    const refs = cols.labelRefs;
    const from = cols.labelStart[row]!;
    const to = cols.labelStart[row + 1]!;
    const flat = new Array<string>(to - from + ins.length);
    let w = 0;
    let j = 0;
    for (let i = from; i < to; i += 2) {
      const name = header.symbol(refs[i]!);
      for (; j < ins.length && ins[j]! < name; j += 2) {
        flat[w++] = ins[j]!;
        flat[w++] = ins[j + 1]!;
      }
      flat[w++] = name;
      flat[w++] = header.symbol(refs[i + 1]!);
    }
    while (j < ins.length) flat[w++] = ins[j++]!;
    return flat;
  }

  /** Whether ready series remain; loads the next batch when the current one is used up. */
  async more(): Promise<boolean> {
    while (this.pos >= this.labels.length) {
      if (!(await this.#load())) return false;
    }
    return true;
  }

  /** Loads the next ready series; false when the block has no more. */
  async #load(): Promise<boolean> {
    this.#ids ??= await postingsForMatchers(this.block, this.matchers, this.signal);
    const ids = this.#ids;
    if (this.#next >= ids.length) return false;
    const carry = this.#carry;
    this.labels = carry?.labels ?? [];
    this.cols = carry?.cols ?? [];
    this.rows = carry?.rows ?? [];
    this.#carry = undefined;
    this.#runStart = 0;
    this.pos = 0;
    if (this.#overrides) {
      await this.#loadAllSorted(ids);
      return true;
    }
    const batch = ids.subarray(this.#next, Math.min(ids.length, this.#next + SERIES_BATCH));
    this.#next += batch.length;
    const cols = await this.block.readSeries(batch, this.mint, this.maxt, this.signal, this.keepChunks);
    const ins = this.#insert;
    for (let r = 0; r < cols.rows; r++) {
      if (ins.length === 0) this.#push(undefined, cols, r);
      else this.#addToRuns(cols, r);
    }
    if (ins.length === 0) return true;
    if (this.#next >= ids.length) this.#closeRun();
    else {
      // Hold the last run back: the next batch may extend it.
      const k = this.#runStart;
      this.#carry = { labels: this.labels.splice(k), cols: this.cols.splice(k), rows: this.rows.splice(k) };
    }
    return true;
  }

  #push(labels: string[] | undefined, cols: SeriesColumns, row: number): void {
    this.labels.push(labels);
    this.cols.push(cols);
    this.rows.push(row);
  }

  #addToRuns(cols: SeriesColumns, row: number): void {
    const k = this.#runStart;
    if (k < this.labels.length && !ownPrefix(this.cols[k]!, this.rows[k]!, cols, row)) this.#closeRun();
    this.#push(undefined, cols, row);
  }

  /** Sorts the last run by final labels (it is usually one series long) and starts a new one after it. */
  #closeRun(): void {
    const k = this.#runStart;
    const n = this.labels.length - k;
    if (n > 1) {
      const order = Array.from({ length: n }, (_, i) => k + i).sort((a, b) => compareFlat(this.labelsAt(a), this.labelsAt(b)) || a - b);
      const labels = order.map((i) => this.labelsAt(i));
      const cols = order.map((i) => this.cols[i]!);
      const rows = order.map((i) => this.rows[i]!);
      for (let i = 0; i < n; i++) {
        this.labels[k + i] = labels[i]!;
        this.cols[k + i] = cols[i]!;
        this.rows[k + i] = rows[i]!;
      }
    }
    this.#runStart = this.labels.length;
  }

  /** The override case: every series of the block, sorted by final labels (equal ones stay adjacent). */
  async #loadAllSorted(ids: Uint32Array): Promise<void> {
    const all: { labels: string[]; cols: SeriesColumns; row: number }[] = [];
    const header = this.block.header;
    for (; this.#next < ids.length; ) {
      const batch = ids.subarray(this.#next, Math.min(ids.length, this.#next + SERIES_BATCH));
      this.#next += batch.length;
      const cols = await this.block.readSeries(batch, this.mint, this.maxt, this.signal, this.keepChunks);
      for (let r = 0; r < cols.rows; r++) {
        const byName = new Map<string, string>();
        for (let i = cols.labelStart[r]!; i < cols.labelStart[r + 1]!; i += 2) byName.set(header.symbol(cols.labelRefs[i]!), header.symbol(cols.labelRefs[i + 1]!));
        for (let j = 0; j < this.#insert.length; j += 2) byName.set(this.#insert[j]!, this.#insert[j + 1]!);
        const flat: string[] = [];
        for (const n of [...byName.keys()].sort()) flat.push(n, byName.get(n)!);
        all.push({ labels: flat, cols, row: r });
      }
    }
    all.sort((a, b) => compareFlat(a.labels, b.labels));
    for (const s of all) this.#push(s.labels, s.cols, s.row);
  }
}

/** Whether row a's own label refs are a prefix of row b's (symbol refs are unique per string). */
function ownPrefix(ca: SeriesColumns, ra: number, cb: SeriesColumns, rb: number): boolean {
  const a0 = ca.labelStart[ra]!;
  const n = ca.labelStart[ra + 1]! - a0;
  const b0 = cb.labelStart[rb]!;
  if (cb.labelStart[rb + 1]! - b0 < n) return false;
  for (let i = 0; i < n; i++) if (ca.labelRefs[a0 + i] !== cb.labelRefs[b0 + i]) return false;
  return true;
}
