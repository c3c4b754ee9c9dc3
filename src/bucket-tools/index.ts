/**
 * bucket-tools: what `promfed tools bucket ls|inspect|verify` do with a bucket of TSDB blocks (thanos.md §5.1,
 * §6) — list the blocks (meta.json, deletion marks), format them as Thanos's `tools bucket ls -o wide` and
 * `inspect` do, and verify a block end to end: meta.json, every index section and series entry (through
 * ranged reads), every chunk in every segment file (one whole file at a time), and the stats in meta.json.
 *
 * It only reads: no repair, rewrite, upload or deletion (Thanos's `verify --repair` and `rewrite` are not
 * here). Flags and output streams are src/cli/bucket.ts's job.
 *
 *   const { blocks } = await listBlocks(bucket);
 *   blocks.sort(byTime).forEach((b) => console.log(wideLine(b)));
 *   const report = await verifyBlock(bucket, blocks[0]!.id, { scratchDir: '/tmp/verify' });
 *   process.stdout.write(report.text());              // "<ULID> ok (…)" or "<ULID> FAILED: …"
 */
export { listBlocks, blockDirs, type BlockListing, type ListedBlock } from './blocks.js';
export { byTime, goDuration, inspectJson, inspectRow, INSPECT_COLUMNS, jsonLine, renderTable, rfc3339, wideLine } from './format.js';
export { verifyBlock, type VerifyOptions } from './verify.js';
export { BlockReport } from './report.js';
