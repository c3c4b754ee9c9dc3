/**
 * tsdb/writer: writes Prometheus TSDB blocks from in-memory series — `chunks/000001…` (XOR chunks),
 * `index` (v2), `meta.json` (optionally with Thanos's section) and `tombstones` — that promtool, Prometheus
 * and Thanos read as their own. For the same series and chunk cuts the index and chunk files are byte-identical
 * to what `promtool tsdb create-blocks-from` writes (a test checks it).
 * Formats: docs/format/index.md, docs/format/chunks.md, docs/format/xor.md, docs/format/meta.md.
 *
 * It does not read blocks (the readers in tsdb/ do), compact, downsample, upload, or write histogram chunks
 * or tombstones with content. It is synchronous: meant for tests, benchmarks and the demo's start-up.
 *
 *   const meta = writeBlock('/data', [
 *     { labels: Labels.from({ __name__: 'up', job: 'api' }), timestamps: Float64Array.of(0, 15000), values: Float64Array.of(1, 1) },
 *   ], { thanos: { labels: { cluster: 'c1' }, source: 'sidecar' } });
 *   // → /data/<meta.ulid>/{chunks/000001,index,meta.json,tombstones}
 */
export { writeBlock, type BlockSeries, type WriteBlockOptions } from './block-writer.js';
