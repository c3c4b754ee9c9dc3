/**
 * verify, part 2: a block's chunk segment files (thanos.md §6.2), one whole-object GET per file, one file in
 * memory at a time (≤ 512 MiB each). Each file: the 8-byte header; every entry up to the end of the file
 * (`len | encoding | data | CRC32C`, no trailing bytes: writers truncate the file after the last chunk); each
 * entry's CRC; XOR chunks decoded, timestamps strictly increasing; and, walking the index's chunk refs in
 * ascending order beside the entries, each ref at the start of an entry whose first and last timestamps are
 * the index's min and max time for it. Histogram chunks are counted from their header, not decoded.
 */
import { crc32c } from '@node-rs/crc32';
import { ChunkSegment, decodeXOR, SegmentEncoding } from '../chunkenc/index.js';
import { StorageError } from '../model/index.js';
import type { Bucket } from '../objstore/index.js';
import { segmentName } from '../tsdb/index.js';
import type { ChunkTable } from './chunk-table.js';
import { be32, uvarintAt } from './object-window.js';
import type { BlockReport } from './report.js';

const TWO_32 = 4294967296;
const HEADER = 8;
/** uint16 sample count in a chunk's header: no chunk holds more. */
const MAX_CHUNK_SAMPLES = 65535;

export interface ChunkFacts {
  /** Samples in the chunks the index refers to (each counted once per referring series, as Prometheus's stats). */
  samples: number;
  floatSamples: number;
  histogramSamples: number;
  /** Every referenced chunk was read, passed its CRC and decoded: the sample counts are exact. */
  complete: boolean;
}

/** Sizes of `<id>/chunks/NNNNNN` by 0-based index (-1 for a gap in the numbering), with problems for gaps and strays. */
export async function segmentSizes(bucket: Bucket, id: string, report: BlockReport): Promise<number[]> {
  const names = await bucket.list(`${id}/chunks/`);
  const sizes: number[] = [];
  for (const n of names) {
    const m = /\/chunks\/(\d{6})$/.exec(n);
    if (!m || Number(m[1]) === 0) {
      report.problem(`unexpected object ${n} in chunks/`);
      continue;
    }
    sizes[Number(m[1]) - 1] = (await bucket.attributes(n)).size;
  }
  for (let i = 0; i < sizes.length; i++) {
    if (sizes[i] === undefined) {
      sizes[i] = -1;
      report.problem(`chunks/${String(i + 1).padStart(6, '0')} is missing (later segment files exist)`);
    }
  }
  return sizes;
}

export async function verifySegments(bucket: Bucket, id: string, sizes: readonly number[], table: ChunkTable, report: BlockReport): Promise<ChunkFacts> {
  const order = table.order();
  const facts: ChunkFacts = { samples: 0, floatSamples: 0, histogramSamples: 0, complete: true };
  const ts = new Float64Array(MAX_CHUNK_SAMPLES);
  const vs = new Float64Array(MAX_CHUNK_SAMPLES);
  let k = 0; // next position in `order`
  let unreferenced = 0;
  const refAt = (i: number): number => table.ref[order[i]!]!;
  const seriesAt = (i: number): number => table.series[order[i]!]!;

  for (let seg = 0; seg < sizes.length; seg++) {
    const segEnd = (seg + 1) * TWO_32;
    const file = `chunks/${String(seg + 1).padStart(6, '0')}`;
    const skipRefs = (why: string): void => {
      for (; k < order.length && refAt(k) < segEnd; k++) {
        report.problem(`${file}: no chunk at offset ${refAt(k) % TWO_32} for series ${seriesAt(k)} (${why})`);
        facts.complete = false;
      }
    };
    if (sizes[seg]! < 0) continue; // reported by segmentSizes; the index check kept no refs into it
    let bytes: Uint8Array;
    try {
      bytes = await bucket.get(segmentName(id, seg));
      new ChunkSegment(bytes); // checks magic and version
    } catch (err) {
      if (!(err instanceof StorageError)) throw err;
      report.problem(`${file}: ${err.message}`);
      skipRefs('file unreadable');
      continue;
    }
    for (let off = HEADER; off < bytes.length; ) {
      const ref = seg * TWO_32 + off;
      const l = uvarintAt(bytes, off, Math.min(10, bytes.length - off));
      const end = l === undefined ? Infinity : off + l[1] + 1 + l[0] + 4;
      if (end > bytes.length) {
        report.problem(
          l === undefined
            ? `${file}: chunk at offset ${off}: length field cut or malformed (truncated file?)`
            : `${file}: chunk at offset ${off} needs ${end - off} bytes, the file ends after ${bytes.length - off} (truncated file?)`,
        );
        break;
      }
      // Index refs below this entry point into the middle of the one before it.
      for (; k < order.length && refAt(k) < ref; k++) {
        report.problem(`${file}: series ${seriesAt(k)} refers to offset ${refAt(k) % TWO_32}, which is not the start of a chunk`);
        facts.complete = false;
      }
      const first = k;
      while (k < order.length && refAt(k) === ref) k++;
      const refs = k - first;
      if (refs === 0) unreferenced++;
      const start = off + l![1];
      const who = refs > 0 ? ` (series ${seriesAt(first)})` : '';
      off = end;
      const stored = be32(bytes, end - 4);
      const actual = crc32c(bytes.subarray(start, end - 4)) >>> 0;
      if (stored !== actual) {
        report.problem(`${file}: chunk at offset ${ref % TWO_32}${who}: CRC32C 0x${actual.toString(16)} does not match stored 0x${stored.toString(16)}`);
        if (refs > 0) facts.complete = false;
        continue;
      }
      const enc = bytes[start]!;
      const data = bytes.subarray(start + 1, end - 4);
      let n: number;
      if (enc === SegmentEncoding.XOR) {
        try {
          n = decodeXOR(data, ts, vs, 0);
        } catch (err) {
          if (!(err instanceof StorageError)) throw err;
          report.problem(`${file}: chunk at offset ${ref % TWO_32}${who}: ${err.message}`);
          if (refs > 0) facts.complete = false;
          continue;
        }
        const bad = firstNotIncreasing(ts, n);
        if (bad >= 0) report.problem(`${file}: chunk at offset ${ref % TWO_32}${who}: timestamp ${ts[bad]} does not follow ${ts[bad - 1]}`);
      } else if (enc === SegmentEncoding.Histogram || enc === SegmentEncoding.FloatHistogram) {
        n = data.length >= 2 ? (data[0]! << 8) | data[1]! : 0;
      } else {
        report.problem(`${file}: chunk at offset ${ref % TWO_32}${who}: unknown encoding ${enc}`);
        if (refs > 0) facts.complete = false;
        continue;
      }
      for (let i = first; i < k; i++) {
        const j = order[i]!;
        facts.samples += n;
        if (enc === SegmentEncoding.XOR) facts.floatSamples += n;
        else facts.histogramSamples += n;
        if (enc !== SegmentEncoding.XOR) continue;
        const mint = n > 0 ? ts[0]! : NaN;
        const maxt = n > 0 ? ts[n - 1]! : NaN;
        if (mint !== table.mint[j] || maxt !== table.maxt[j]) {
          report.problem(
            `${file}: chunk at offset ${ref % TWO_32} (series ${table.series[j]}): the index says [${table.mint[j]}, ${table.maxt[j]}], its ${n} samples span [${mint}, ${maxt}]`,
          );
        }
      }
    }
    skipRefs('past the last whole chunk');
  }
  if (unreferenced > 0) report.note(`${unreferenced} chunk${unreferenced === 1 ? '' : 's'} in the segment files no series refers to`);
  return facts;
}

function firstNotIncreasing(ts: Float64Array, n: number): number {
  for (let i = 1; i < n; i++) if (ts[i]! <= ts[i - 1]!) return i;
  return -1;
}
