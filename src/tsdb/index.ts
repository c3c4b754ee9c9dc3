/**
 * tsdb: Prometheus TSDB blocks as they sit in a bucket — meta.json, the index v2 (TOC, symbols, postings
 * offset table, postings lists, series entries), chunk segment files and deletion marks, all read through
 * ranged GETs on a Bucket with every CRC checked (a bad byte is a CorruptBlockError, never a crash); and the
 * local index-header that lets a store resolve postings without downloading the index.
 *
 * It does not evaluate matchers, merge blocks, cache or serve anything (store/ does); formats are documented
 * in docs/format/ (index-header.md for ours, index.md and chunks.md in Prometheus).
 *
 *   await buildIndexHeader(bucket, `${id}/index`, `${dataDir}/${id}/index-header`);
 *   const header = await IndexHeader.open(`${dataDir}/${id}/index-header`);
 *   const [range] = await header.postingsRanges('job', ['api']);
 *   const index = new BlockIndexReader(bucket, id, header, indexSize);
 *   const [ids] = await index.postings([range!]);
 *   const entries = await index.seriesEntries(ids!);          // parseSeriesEntry(entries[0]!, 0, what)
 *   const cols = new SeriesColumns();                          // or many entries into typed-array columns:
 *   for (const e of entries) cols.append(e, 0, mint, maxt, what);
 */
export { CorruptBlockError } from './errors.js';
export {
  parseMeta,
  serializeMeta,
  externalLabels,
  blockResolution,
  isULID,
  META_FILENAME,
  RESOLUTION_RAW,
  RESOLUTION_5M,
  RESOLUTION_1H,
  type BlockMeta,
  type BlockStats,
  type ThanosMeta,
} from './meta.js';
export { readBlockMeta } from './bucket-meta.js';
export { readDeletionMark, deletionMarkApplies, DELETION_MARK_FILE, type DeletionMark } from './markers.js';
export { parseSeriesEntry, SERIES_ALIGNMENT, type SeriesEntry } from './index-format.js';
export { SeriesColumns } from './series-columns.js';
export { buildIndexHeader, IndexHeader, POSTINGS_OFFSETS_SAMPLING, type PostingsRange } from './index-header.js';
export { BlockIndexReader, ESTIMATED_MAX_SERIES_SIZE, type BlockIndexOptions } from './block-index.js';
export { BlockChunkReader, segmentName, ESTIMATED_MAX_CHUNK_SIZE, type FetchedChunk, type FetchedChunks, type ChunkFetchOptions } from './chunk-reader.js';
export { partitionRanges, DEFAULT_MAX_GAP, type Part } from './partitioner.js';
export { writeBlock, type BlockSeries as WriterSeries, type WriteBlockOptions } from './writer/index.js';
