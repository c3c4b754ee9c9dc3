/**
 * `verify` for one block: meta.json, then the index (verify-index.ts), then the chunk segment files
 * (verify-chunks.ts), then meta.json's stats against what the files hold. Each part reports into the block's
 * BlockReport and the next part runs on whatever could be read, so one bad byte does not hide another.
 * Problems are about the block; a failure to reach the bucket (network, permissions) is thrown instead.
 */
import { StorageError } from '../model/index.js';
import type { Bucket } from '../objstore/index.js';
import { readBlockMeta, readDeletionMark, type BlockMeta } from '../tsdb/index.js';
import { rfc3339 } from './format.js';
import { BlockReport } from './report.js';
import { segmentSizes, verifySegments, type ChunkFacts } from './verify-chunks.js';
import { verifyIndex } from './verify-index.js';

export interface VerifyOptions {
  /** Where a block's index-header is built while it is checked (removed after each block). */
  scratchDir: string;
}

export async function verifyBlock(bucket: Bucket, id: string, opts: VerifyOptions): Promise<BlockReport> {
  const report = new BlockReport(id);
  let meta: BlockMeta | undefined;
  try {
    meta = await readBlockMeta(bucket, id);
    if (meta === undefined) report.problem('no meta.json (a partial upload, or not a block)');
  } catch (err) {
    if (!(err instanceof StorageError)) throw err;
    report.problem(err.message);
  }
  try {
    const mark = await readDeletionMark(bucket, id);
    if (mark) report.note(`marked for deletion at ${rfc3339(mark.deletionTime * 1000)}`);
  } catch (err) {
    if (!(err instanceof StorageError)) throw err;
    report.problem(err.message);
  }

  const sizes = await segmentSizes(bucket, id, report);
  const index = await verifyIndex(bucket, id, meta, sizes, opts.scratchDir, report);
  if (index === undefined) return report;
  report.numSeries = index.numSeries;
  report.numChunks = index.numChunks;
  const chunks = await verifySegments(bucket, id, sizes, index.table, report);
  report.numSamples = chunks.samples;
  if (meta !== undefined) checkStats(meta, index.complete, index.numSeries, index.numChunks, chunks, report);
  return report;
}

/** meta.json's stats against the files, for the counts the checks could establish exactly. */
function checkStats(meta: BlockMeta, indexComplete: boolean, series: number, chunkCount: number, chunks: ChunkFacts, report: BlockReport): void {
  const s = meta.stats;
  const differs = (field: string, said: number, found: number, where: string): void => {
    if (said !== found) report.problem(`meta.json stats.${field} is ${said}, but ${where} ${found}`);
  };
  if (indexComplete) {
    differs('numSeries', s.numSeries, series, 'the index holds');
    differs('numChunks', s.numChunks, chunkCount, 'the index refers to');
  }
  if (indexComplete && chunks.complete) {
    differs('numSamples', s.numSamples, chunks.samples, 'the chunks hold');
    // Prometheus before 2.48 (Debian's 2.42) does not write the split counts: check them only when present.
    if (s.numFloatSamples !== undefined) differs('numFloatSamples', s.numFloatSamples, chunks.floatSamples, 'the float chunks hold');
    if (s.numHistogramSamples !== undefined) differs('numHistogramSamples', s.numHistogramSamples, chunks.histogramSamples, 'the histogram chunks hold');
  }
}
