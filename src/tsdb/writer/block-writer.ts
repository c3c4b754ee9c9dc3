/**
 * writeBlock: in-memory series → a Prometheus TSDB block directory `<dir>/<ULID>/` holding `chunks/000001…`,
 * `index` (v2), `meta.json` and an empty `tombstones`, as `promtool tsdb create-blocks-from` leaves it.
 * Formats: docs/format/index.md, docs/format/chunks.md, docs/format/meta.md.
 *
 * The block is built in `<dir>/<ULID>.tmp-for-creation` and renamed into place when complete (as
 * Prometheus does), so a reader scanning `dir` never sees half a block. Series are written in label order,
 * each one's chunks then its index entry, straight to disk; what stays in memory is per series (symbol
 * refs, an ID) and per distinct label pair (postings), never per sample beyond the caller's own arrays.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ulid as newULID } from 'ulid';
import { encodeXOR, headChunkStarts, SAMPLES_PER_CHUNK } from '../../chunkenc/index.js';
import { BadDataError, Labels } from '../../model/index.js';
import { META_FILENAME, isULID, serializeMeta, type BlockCompaction, type BlockMeta, type ThanosMeta } from '../meta.js';
import { ChunkWriter, type SegmentFile } from './chunk-writer.js';
import { IndexWriter } from './index-writer.js';
import type { ChunkMetas } from './index-sections.js';
import { buildPostings } from './postings.js';
import { buildSymbols, comparePairs, type SymbolSet } from './symbols.js';

export interface BlockSeries {
  labels: Labels;
  /** Strictly increasing integer ms. */
  timestamps: Float64Array;
  /** Same length as timestamps; NaN payloads (the staleness marker) are written bit for bit. */
  values: Float64Array;
}

export interface WriteBlockOptions {
  /** Block ID; a fresh ULID (wall-clock time, as Prometheus and Thanos use) by default. */
  ulid?: string;
  /** Adds meta.json's thanos section (external labels, source, resolution), as a sidecar upload has. */
  thanos?: { labels: Record<string, string> | Labels; source?: string; resolution?: number };
  /** Block time range [minTime, maxTime); by default first sample to last sample + 1 ms, as Prometheus. */
  minTime?: number;
  maxTime?: number;
  /** Most samples per chunk when cutting by count (default 120, Prometheus's target). */
  maxSamplesPerChunk?: number;
  /**
   * Cut chunks as Prometheus's head does with this chunk range (ms) instead of by count:
   * `promtool tsdb create-blocks-from` uses 2 × its block duration (4 h for 2 h blocks).
   */
  headChunkRange?: number;
  /** Chunk segment file size limit (default 512 MiB); smaller only to test segment cutting. */
  segmentSize?: number;
  /** Compaction level, sources and parents, to imitate a compacted block; level 1, sources [ulid] by default. */
  compaction?: Partial<Pick<BlockCompaction, 'level' | 'sources' | 'parents'>>;
}

const TOMBSTONES_EMPTY = new Uint8Array([0x01, 0x30, 0xba, 0x30, 0x01, 0, 0, 0, 0]); // magic, v1, CRC32C of nothing
/** Timestamps stay where the zig-zag varint of the chunk mint is exact (about ±142,000 years). */
const MAX_ABS_TS = 2 ** 52;

/** Writes the block and returns its meta. Invalid input throws BadDataError before anything is written. */
export function writeBlock(dir: string, series: readonly BlockSeries[], opts: WriteBlockOptions = {}): BlockMeta {
  const kept = validateSeries(series);
  const syms = buildSymbols(kept.map((s) => s.labels));
  const order = sortedOrder(syms.pairs, syms.pairStart, kept);
  const id = opts.ulid ?? newULID();
  if (!isULID(id)) throw new BadDataError(`write block: ${JSON.stringify(id)} is not a ULID`);
  const cut = chunkCutter(opts);
  const { minTime, maxTime } = timeRange(kept, opts);

  mkdirSync(dir, { recursive: true });
  if (existsSync(join(dir, id))) throw new BadDataError(`write block: ${join(dir, id)} already exists`);
  // A leftover from a writer that crashed: incomplete by definition, as Prometheus treats it.
  const tmp = join(dir, `${id}.tmp-for-creation`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    const files = writeFiles(tmp, kept, syms, order, cut, opts.segmentSize);
    const meta: BlockMeta = {
      ulid: id,
      minTime,
      maxTime,
      stats: { numSamples: files.numSamples, numSeries: order.length, numChunks: files.numChunks },
      compaction: { level: opts.compaction?.level ?? 1, sources: opts.compaction?.sources ?? [id] },
      version: 1,
    };
    if (opts.compaction?.parents) meta.compaction.parents = opts.compaction.parents;
    if (opts.thanos) meta.thanos = thanosSection(opts.thanos, files);
    writeSynced(join(tmp, META_FILENAME), new TextEncoder().encode(serializeMeta(meta)));
    syncPath(tmp);
    renameSync(tmp, join(dir, id));
    syncPath(dir);
    return meta;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

interface WrittenFiles {
  numSamples: number;
  numChunks: number;
  segments: SegmentFile[];
  indexSize: number;
  maxSeriesSize: number;
  maxChunkSize: number;
}

/** Chunk i of a series spans samples [starts[i], starts[i + 1]); the last one ends at the series end. */
type ChunkCutter = (ts: Float64Array) => ArrayLike<number>;

/** Chunks, index and tombstones: series in label order, each one's chunks first, then its index entry. */
function writeFiles(tmp: string, kept: BlockSeries[], syms: SymbolSet, order: Uint32Array, cut: ChunkCutter, segmentSize?: number): WrittenFiles {
  let chunks: ChunkWriter | undefined;
  let index: IndexWriter | undefined;
  try {
    chunks = new ChunkWriter(tmp, segmentSize);
    index = new IndexWriter(join(tmp, 'index'), syms.bytes);
    const metas: ChunkMetas = { count: 0, mint: new Float64Array(64), maxt: new Float64Array(64), ref: new Float64Array(64) };
    const seriesId = new Uint32Array(order.length);
    let numSamples = 0;
    let numChunks = 0;
    for (let i = 0; i < order.length; i++) {
      const s = order[i]!;
      const { timestamps: ts, values: vs } = kept[s]!;
      const starts = cut(ts);
      const n = starts.length;
      ensureCapacity(metas, n);
      metas.count = n;
      for (let c = 0; c < n; c++) {
        const from = starts[c]!;
        const to = c + 1 < n ? starts[c + 1]! : ts.length;
        metas.mint[c] = ts[from]!;
        metas.maxt[c] = ts[to - 1]!;
        metas.ref[c] = chunks.write(encodeXOR(ts, vs, from, to));
      }
      seriesId[i] = index.addSeries(syms.pairs, syms.pairStart[s]!, syms.pairStart[s + 1]!, metas);
      numSamples += ts.length;
      numChunks += n;
    }
    const indexSize = index.finish(buildPostings(syms.strings.length, syms.pairs, syms.pairStart, order, seriesId));
    const segments = chunks.close();
    writeSynced(join(tmp, 'tombstones'), TOMBSTONES_EMPTY);
    if (segments.length > 0) syncPath(join(tmp, 'chunks'));
    return { numSamples, numChunks, segments, indexSize, maxSeriesSize: index.maxSeriesSize, maxChunkSize: chunks.maxEntrySize };
  } catch (err) {
    chunks?.abort();
    index?.abort();
    throw err;
  }
}

function chunkCutter(opts: WriteBlockOptions): ChunkCutter {
  if (opts.headChunkRange !== undefined) {
    const chunkRange = opts.headChunkRange;
    if (!(Number.isSafeInteger(chunkRange) && chunkRange > 0)) throw new BadDataError(`write block: headChunkRange ${chunkRange} is not a positive integer`);
    return (ts) => headChunkStarts(ts, 0, ts.length, { chunkRange });
  }
  const max = opts.maxSamplesPerChunk ?? SAMPLES_PER_CHUNK;
  if (!(Number.isInteger(max) && max >= 1 && max <= 0xffff)) throw new BadDataError(`write block: maxSamplesPerChunk ${max} not in 1..65535`);
  let starts = new Uint32Array(0);
  return (ts) => {
    const n = Math.ceil(ts.length / max);
    if (starts.length < n) starts = new Uint32Array(n * 2); // reused across series
    for (let c = 0; c < n; c++) starts[c] = c * max;
    return starts.subarray(0, n);
  };
}

function thanosSection(t: NonNullable<WriteBlockOptions['thanos']>, files: WrittenFiles): ThanosMeta {
  return {
    version: 1,
    labels: t.labels instanceof Labels ? t.labels.toObject() : { ...t.labels },
    downsample: { resolution: t.resolution ?? 0 },
    source: t.source ?? 'test',
    files: [
      ...files.segments.map((f) => ({ rel_path: f.relPath, size_bytes: f.size })),
      { rel_path: 'index', size_bytes: files.indexSize },
      { rel_path: META_FILENAME }, // no size: being written (Thanos lists it the same way)
    ],
    index_stats: { series_max_size: files.maxSeriesSize, chunk_max_size: files.maxChunkSize },
  };
}

/** Drops series without samples (Prometheus writes none); checks lengths and timestamp order. */
function validateSeries(series: readonly BlockSeries[]): BlockSeries[] {
  const kept: BlockSeries[] = [];
  for (const s of series) {
    const { timestamps: ts, values: vs } = s;
    if (ts.length !== vs.length) {
      throw new BadDataError(`write block: series ${s.labels.toString()} has ${ts.length} timestamps and ${vs.length} values`);
    }
    if (ts.length === 0) continue;
    let prev = -Infinity;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      if (!(t > prev) || !Number.isInteger(t) || Math.abs(t) > MAX_ABS_TS) {
        throw new BadDataError(
          `write block: series ${s.labels.toString()} sample ${i}: timestamp ${t} is not an integer ms after ${prev} within ±2^52`,
        );
      }
      prev = t;
    }
    kept.push(s);
  }
  return kept;
}

/** Series indices in label-set order; two series with the same labels are an error. */
function sortedOrder(pairs: Uint32Array, start: Uint32Array, series: readonly BlockSeries[]): Uint32Array {
  const order = new Uint32Array(series.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => comparePairs(pairs, start[a]!, start[a + 1]!, start[b]!, start[b + 1]!));
  for (let i = 1; i < order.length; i++) {
    const a = order[i - 1]!;
    const b = order[i]!;
    if (comparePairs(pairs, start[a]!, start[a + 1]!, start[b]!, start[b + 1]!) === 0) {
      throw new BadDataError(`write block: two series with the same labels ${series[b]!.labels.toString()}`);
    }
  }
  return order;
}

function timeRange(series: readonly BlockSeries[], opts: WriteBlockOptions): { minTime: number; maxTime: number } {
  let first = Infinity;
  let last = -Infinity;
  for (const s of series) {
    first = Math.min(first, s.timestamps[0]!);
    last = Math.max(last, s.timestamps[s.timestamps.length - 1]!);
  }
  const minTime = opts.minTime ?? first;
  const maxTime = opts.maxTime ?? last + 1;
  if (!Number.isSafeInteger(minTime) || !Number.isSafeInteger(maxTime)) {
    throw new BadDataError('write block: no samples; pass minTime and maxTime to write an empty block');
  }
  if (minTime > first || maxTime <= last || maxTime < minTime) {
    throw new BadDataError(`write block: range [${minTime}, ${maxTime}) does not hold the samples [${first}, ${last}]`);
  }
  return { minTime, maxTime };
}

function ensureCapacity(m: ChunkMetas, n: number): void {
  if (n <= m.mint.length) return;
  const size = Math.max(n, m.mint.length * 2);
  m.mint = new Float64Array(size);
  m.maxt = new Float64Array(size);
  m.ref = new Float64Array(size);
}

function writeSynced(path: string, bytes: Uint8Array): void {
  writeFileSync(path, bytes, { flag: 'wx' });
  syncPath(path);
}

/** fsync; on a directory it makes the creations and renames inside it durable. */
function syncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
