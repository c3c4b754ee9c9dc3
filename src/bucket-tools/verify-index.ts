/**
 * verify, part 1: a block's index v2 (thanos.md §6.1), read through ranged GETs only.
 *
 * - Header, TOC CRC, symbol table CRC, postings offset table CRC and ascending offsets: by building the
 *   index-header (tsdb's buildIndexHeader + IndexHeader.open) into a scratch directory.
 * - Symbols strictly ascending (byte order, as Go sorts them), so symbol ordinals compare as strings do;
 *   the legacy label index sections' CRCs (verify-sections.ts).
 * - Every series entry, walked front to back through the series section: its CRC, labels (refs in range,
 *   names non-empty, sorted, unique), series sorted and unique, zero padding between entries, chunk metas ordered without overlap, inside the
 *   block's [minTime, maxTime) and pointing into an existing segment file.
 * - Every postings list: CRC, IDs ascending (tsdb's reader), each ID an existing series; the all-postings list
 *   equal to the series walked; and the lists together hold exactly one entry per label of every series.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from '../model/index.js';
import { ObjectNotFoundError, type Bucket } from '../objstore/index.js';
import { BlockIndexReader, buildIndexHeader, IndexHeader, parseSeriesEntry, SERIES_ALIGNMENT, type BlockMeta, type PostingsRange } from '../tsdb/index.js';
import { ChunkTable } from './chunk-table.js';
import { be32, ObjectWindow, uvarintAt } from './object-window.js';
import { checkLegacySections, checkSymbols, checkZeros } from './verify-sections.js';
import type { BlockReport } from './report.js';

const TOC_LEN = 52;
const TWO_32 = 4294967296;
/** Postings lists fetched per call (the reader merges neighbouring ones into one GET). */
const POSTINGS_BATCH = 1024;

export interface IndexFacts {
  numSeries: number;
  /** Chunk metas in the index, including those whose ref was rejected. */
  numChunks: number;
  /** Chunk metas with a ref inside a segment file, for the segment walk. */
  table: ChunkTable;
  /** Every series entry was read and parsed: the counts are exact. */
  complete: boolean;
}

/** Sizes of the segment files by 0-based index; -1 for a missing one. */
export type SegmentSizes = readonly number[];

export async function verifyIndex(bucket: Bucket, id: string, meta: BlockMeta | undefined, segments: SegmentSizes, scratchDir: string, report: BlockReport): Promise<IndexFacts | undefined> {
  const name = `${id}/index`;
  let size: number;
  try {
    size = (await bucket.attributes(name)).size;
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return void report.problem('index: missing');
    throw err;
  }
  const headerPath = join(scratchDir, id, 'index-header');
  let header: IndexHeader;
  try {
    await buildIndexHeader(bucket, name, headerPath);
    header = await IndexHeader.open(headerPath);
  } catch (err) {
    if (err instanceof StorageError) return void report.problem(`index: ${err.message}`);
    throw err;
  }
  try {
    const win = new ObjectWindow(bucket, name, size);
    const tocView = await win.view(size - TOC_LEN, TOC_LEN);
    const toc = Array.from({ length: 6 }, (_, i) => be32(tocView.b, tocView.pos + 8 * i) * TWO_32 + be32(tocView.b, tocView.pos + 8 * i + 4));
    const [symbolsAt, seriesAt] = toc as [number, number];
    const numSymbols = await checkSymbols(win, symbolsAt, report);
    if (numSymbols === undefined) return undefined;
    // A section ends where the next one starts (the series section: at the label indices in Prometheus's layout).
    const sectionEnd = (at: number): number => Math.min(...toc.filter((o) => o > at), size - TOC_LEN);
    const walk = await walkSeries(win, seriesAt, sectionEnd(seriesAt), numSymbols, header, meta, segments, report);
    await checkLegacySections(win, toc[2]!, sectionEnd(toc[2]!), toc[3]!, sectionEnd(toc[3]!), report);
    await checkPostings(bucket, id, header, size, walk, report);
    return { numSeries: walk.ids.length, numChunks: walk.numChunks, table: walk.table, complete: walk.allParsed };
  } finally {
    await header.close();
    await rm(join(scratchDir, id), { recursive: true, force: true });
  }
}

interface SeriesWalk {
  /** Series IDs in index order (ascending). */
  ids: Uint32Array;
  numChunks: number;
  /** Sum over series of their label count: what the postings lists must hold. */
  labelPairs: number;
  table: ChunkTable;
  complete: boolean;
  /** Every entry parsed (none skipped for a CRC or symbol error), so labelPairs is exact. */
  allParsed: boolean;
}

async function walkSeries(
  win: ObjectWindow,
  from: number,
  end: number,
  numSymbols: number,
  header: IndexHeader,
  meta: BlockMeta | undefined,
  segments: SegmentSizes,
  report: BlockReport,
): Promise<SeriesWalk> {
  const table = new ChunkTable();
  let ids = new Uint32Array(1024);
  let n = 0;
  let numChunks = 0;
  let labelPairs = 0;
  let prev: Uint32Array | undefined;
  let allParsed = true;
  const labelsOf = (refs: Uint32Array): string => {
    const parts: string[] = [];
    for (let i = 0; i < refs.length; i += 2) parts.push(`${sym(header, refs[i]!)}=${JSON.stringify(sym(header, refs[i + 1]!))}`);
    return `{${parts.join(', ')}}`;
  };
  await checkZeros(win, from, Math.min(align(from), end), 'before the first series', report);
  for (let p = align(from); p < end; ) {
    const head = await win.view(p, 10);
    if (head.b[head.pos] === 0) {
      // Zero padding before the next section is allowed; anything else after it is not.
      const rest = await win.view(p, end - p);
      if (rest.b.subarray(rest.pos, rest.pos + (end - p)).some((x) => x !== 0)) report.problem(`index: series section: non-zero bytes after padding at offset ${p}`);
      break;
    }
    const id = p / SERIES_ALIGNMENT;
    const l = uvarintAt(head.b, head.pos, Math.min(head.avail, end - p));
    const total = l === undefined ? Infinity : l[1] + l[0] + 4;
    if (p + total > end) {
      report.problem(`index: series ${id} (offset ${p}): entry length runs past the series section (ends at ${end})`);
      return { ids: ids.subarray(0, n), numChunks, labelPairs, table, complete: false, allParsed: false };
    }
    if (n === ids.length) {
      const grown = new Uint32Array(n * 2);
      grown.set(ids);
      ids = grown;
    }
    ids[n++] = id;
    const v = await win.view(p, total);
    await checkZeros(win, p + total, Math.min(align(p + total), end), `after series ${id}`, report);
    p = align(p + total);
    let e;
    try {
      e = parseSeriesEntry(v.b, v.pos, `index: series ${id} (offset ${id * SERIES_ALIGNMENT})`);
    } catch (err) {
      if (!(err instanceof StorageError)) throw err;
      report.problem(err.message);
      prev = undefined;
      allParsed = false;
      continue;
    }
    if (typeof e === 'number') throw new Error(`series ${id}: entry read short`); // cannot happen: we read `total` bytes
    const refs = e.labelRefs;
    labelPairs += refs.length / 2;
    numChunks += e.chunkRef.length;
    const bad = refs.findIndex((r) => r >= numSymbols);
    if (bad >= 0) {
      report.problem(`index: series ${id}: label symbol ref ${refs[bad]} beyond the ${numSymbols} symbols`);
      prev = undefined;
      allParsed = false;
      continue;
    }
    if (refs.length === 0) report.problem(`index: series ${id} has no labels`);
    for (let i = 0; i < refs.length; i += 2) {
      if (sym(header, refs[i]!) === '') report.problem(`index: series ${id} ${labelsOf(refs)}: empty label name`);
      if (i > 0 && refs[i]! <= refs[i - 2]!) report.problem(`index: series ${id} ${labelsOf(refs)}: label names not sorted or repeated`);
    }
    if (prev !== undefined) {
      const c = compareRefs(prev, refs);
      if (c >= 0) report.problem(`index: series ${id} ${labelsOf(refs)}: ${c === 0 ? 'same labels as' : 'sorts before'} the series before it`);
    }
    prev = refs;
    const what = (): string => `index: series ${id} ${labelsOf(refs)}`;
    for (let i = 0; i < e.chunkRef.length; i++) {
      const mint = e.chunkMint[i]!;
      const maxt = e.chunkMaxt[i]!;
      const ref = e.chunkRef[i]!;
      if (i > 0 && mint <= e.chunkMaxt[i - 1]!) report.problem(`${what()}: chunk ${i} [${mint}, ${maxt}] overlaps the chunk before it (ends ${e.chunkMaxt[i - 1]})`);
      if (meta !== undefined && (mint < meta.minTime || maxt >= meta.maxTime)) {
        report.problem(`${what()}: chunk ${i} [${mint}, ${maxt}] outside the block's [${meta.minTime}, ${meta.maxTime})`);
      }
      const seg = Math.floor(ref / TWO_32);
      const off = ref % TWO_32;
      const segSize = segments[seg] ?? -1;
      if (segSize < 0 || off < 8 || off >= segSize) {
        const file = String(seg + 1).padStart(6, '0');
        report.problem(`${what()}: chunk ${i} ref ${ref} (file ${file}, offset ${off}) is outside the segment files (${segSize < 0 ? `no chunks/${file}` : `chunks/${file} is ${segSize} bytes`})`);
        continue;
      }
      table.push(ref, mint, maxt, id);
    }
  }
  return { ids: ids.subarray(0, n), numChunks, labelPairs, table, complete: true, allParsed };
}

async function checkPostings(bucket: Bucket, id: string, header: IndexHeader, size: number, walk: SeriesWalk, report: BlockReport): Promise<void> {
  const reader = new BlockIndexReader(bucket, id, header, size);
  const names = header.labelNames();
  for (let i = 1; i < names.length; i++) {
    if (Buffer.compare(Buffer.from(names[i - 1]!), Buffer.from(names[i]!)) >= 0) report.problem(`index: postings offset table: label names not sorted (${names[i - 1]} then ${names[i]})`);
  }
  let pairs = 0;
  let listsOk = true;
  for (const name of ['', ...names]) {
    let values: string[];
    try {
      values = name === '' ? [''] : await header.labelValues(name);
    } catch (err) {
      if (!(err instanceof StorageError)) throw err;
      report.problem(`index: values of ${name}: ${err.message}`);
      listsOk = false;
      continue;
    }
    const unsorted = values.findIndex((v, i) => i > 0 && Buffer.compare(Buffer.from(values[i - 1]!), Buffer.from(v)) >= 0);
    if (unsorted > 0) {
      report.problem(`index: postings offset table: values of ${name} not sorted (${JSON.stringify(values[unsorted - 1])} then ${JSON.stringify(values[unsorted])})`);
      listsOk = false;
      continue;
    }
    for (let b = 0; b < values.length; b += POSTINGS_BATCH) {
      const batch = values.slice(b, b + POSTINGS_BATCH);
      let ranges: (PostingsRange | undefined)[];
      try {
        ranges = await header.postingsRanges(name, batch);
      } catch (err) {
        if (!(err instanceof StorageError)) throw err;
        report.problem(`index: postings offsets of ${name}: ${err.message}`);
        listsOk = false;
        continue;
      }
      const lists = await fetchLists(reader, ranges, (i, msg) => {
        report.problem(`index: postings of ${name === '' ? 'all series' : `${name}=${JSON.stringify(batch[i])}`}: ${msg}`);
        listsOk = false;
      });
      lists.forEach((list, i) => {
        if (list === undefined) return;
        if (name === '') return void checkAllPostings(list, walk, report);
        pairs += list.length;
        if (!walk.complete) return;
        for (const sid of list) {
          if (!sortedHas(walk.ids, sid)) {
            report.problem(`index: postings of ${name}=${JSON.stringify(batch[i])} list series ${sid}, which is not in the series section`);
            listsOk = false;
            break;
          }
        }
      });
    }
  }
  if (!names.length && walk.ids.length > 0) report.problem('index: postings offset table has no label names');
  if (listsOk && walk.allParsed && pairs !== walk.labelPairs) {
    report.problem(`index: postings lists hold ${pairs} (label, series) entries but the series have ${walk.labelPairs} labels`);
  }
}

/** The lists at `ranges`; a batch that fails is read again list by list to name each bad one. */
async function fetchLists(reader: BlockIndexReader, ranges: (PostingsRange | undefined)[], fail: (i: number, msg: string) => void): Promise<(Uint32Array | undefined)[]> {
  const present = ranges.flatMap((r, i) => (r === undefined ? [] : [i]));
  const out = new Array<Uint32Array | undefined>(ranges.length);
  ranges.forEach((r, i) => r === undefined && fail(i, 'no postings list in the offset table'));
  try {
    const lists = await reader.postings(present.map((i) => ranges[i]!));
    present.forEach((i, k) => (out[i] = lists[k]));
    return out;
  } catch (err) {
    if (!(err instanceof StorageError)) throw err;
  }
  for (const i of present) {
    try {
      out[i] = (await reader.postings([ranges[i]!]))[0];
    } catch (err) {
      if (!(err instanceof StorageError)) throw err;
      fail(i, err.message);
    }
  }
  return out;
}

function checkAllPostings(list: Uint32Array, walk: SeriesWalk, report: BlockReport): void {
  if (!walk.complete) return;
  if (list.length !== walk.ids.length) {
    return void report.problem(`index: the all-postings list has ${list.length} series, the series section ${walk.ids.length}`);
  }
  const k = list.findIndex((v, i) => v !== walk.ids[i]);
  if (k >= 0) report.problem(`index: the all-postings list has series ${list[k]} where the series section has ${walk.ids[k]}`);
}

/** Prometheus labels.Compare over symbol ordinals (which sort as the strings do once symbols are checked). */
function compareRefs(a: Uint32Array, b: Uint32Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function sortedHas(a: Uint32Array, v: number): boolean {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] === v) return true;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

function sym(header: IndexHeader, ref: number): string {
  try {
    return header.symbol(ref);
  } catch {
    return `<symbol ${ref}>`;
  }
}

function align(p: number): number {
  return Math.ceil(p / SERIES_ALIGNMENT) * SERIES_ALIGNMENT;
}

