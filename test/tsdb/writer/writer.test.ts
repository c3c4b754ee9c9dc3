// writeBlock's contract apart from the real tools: input validation (BadDataError, nothing left on disk),
// meta.json contents and the thanos section, chunk cutting and segment files, staleness-marker bits,
// symbol order for text above U+FFFF.
import t, { type Test } from 'tap';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadDataError, Labels, STALE_NAN } from '../../../src/model/index.js';
import { ChunkSegment, decodeXORAlloc } from '../../../src/chunkenc/index.js';
import { parseMeta } from '../../../src/tsdb/meta.js';
import { writeBlock, type BlockSeries } from '../../../src/tsdb/writer/index.js';
import { buildSymbols } from '../../../src/tsdb/writer/symbols.js';
import { bitsOf } from '../../chunkenc/fixtures/prng.js';
import { GO_NAN } from './fixtures.js';

const ID = '01M7ZKMCPS732Q32YPM8EESEHW';

function tmp(t: Test): string {
  const d = mkdtempSync(join(tmpdir(), 'promfed-writer-unit-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function s(labels: Record<string, string>, ts: number[], vs: ArrayLike<number>): BlockSeries {
  const values = new Float64Array(vs.length);
  for (let i = 0; i < vs.length; i++) values[i] = vs[i]!;
  return { labels: Labels.from(labels), timestamps: Float64Array.from(ts), values };
}

/** The promtool example: three series, four samples (see sections.test.ts for its bytes). */
const EXAMPLE = (): BlockSeries[] => [
  s({ __name__: 'b' }, [1704067230000], [5]),
  s({ __name__: 'a', x: '2', y: 'é' }, [1704067200000], [3]),
  s({ __name__: 'a', x: '1' }, [1704067200000, 1704067215000], [1, 2]),
];

t.test('bad input is a BadDataError and leaves nothing behind', async (t) => {
  const dir = tmp(t);
  const ok = s({ __name__: 'a' }, [1, 2], [1, 2]);
  const cases: [string, BlockSeries[], object?][] = [
    ['lengths differ', [{ labels: Labels.from({ a: '1' }), timestamps: Float64Array.of(1, 2), values: Float64Array.of(1) }]],
    ['timestamps not increasing', [s({ a: '1' }, [2, 1], [1, 1])]],
    ['duplicate timestamp', [s({ a: '1' }, [1, 1], [1, 1])]],
    ['fractional timestamp', [s({ a: '1' }, [1.5], [1])]],
    ['NaN timestamp', [s({ a: '1' }, [NaN], [1])]],
    ['timestamp past ±2^52', [s({ a: '1' }, [2 ** 53], [1])]],
    ['same labels twice', [ok, s({ __name__: 'a' }, [5], [1])]],
    ['no labels', [{ labels: Labels.EMPTY, timestamps: Float64Array.of(1), values: Float64Array.of(1) }]],
    ['lone surrogate', [s({ a: 'x\uD800' }, [1], [1])]],
    ['bad ULID', [ok], { ulid: 'not-a-ulid' }],
    ['0 samples per chunk', [ok], { maxSamplesPerChunk: 0 }],
    ['minTime after the first sample', [ok], { minTime: 2 }],
    ['maxTime not after the last sample', [ok], { maxTime: 2 }],
    ['no samples and no range', [s({ a: '1' }, [], [])]],
    ['head chunk range 0', [ok], { headChunkRange: 0 }],
  ];
  for (const [name, input, opts] of cases) {
    t.throws(() => writeBlock(dir, input, opts), BadDataError, name);
  }
  t.same(readdirSync(dir), [], 'no block and no temporary directory');
  t.throws(() => writeBlock(dir, [ok], { segmentSize: 4 }), RangeError, 'segment smaller than its header');
  t.same(readdirSync(dir), [], 'cleaned up after a failure inside the write');
  writeBlock(dir, [ok], { ulid: ID });
  t.throws(() => writeBlock(dir, [ok], { ulid: ID }), { name: 'BadDataError', message: /already exists/ }, 'existing block');
});

t.test('meta.json: stats, time range, compaction; empty series dropped', async (t) => {
  const dir = tmp(t);
  const meta = writeBlock(dir, [...EXAMPLE(), s({ __name__: 'empty' }, [], [])], { ulid: ID });
  t.same(meta, {
    ulid: ID,
    minTime: 1704067200000,
    maxTime: 1704067230001,
    stats: { numSamples: 4, numSeries: 3, numChunks: 3 },
    compaction: { level: 1, sources: [ID] },
    version: 1,
  });
  t.same(parseMeta(readFileSync(join(dir, ID, 'meta.json'))), meta, 'file says the same');
  t.same(readdirSync(join(dir, ID)).sort(), ['chunks', 'index', 'meta.json', 'tombstones']);

  const aligned = writeBlock(dir, EXAMPLE(), { minTime: 1704067200000, maxTime: 1704067200000 + 7_200_000 });
  t.equal(aligned.maxTime - aligned.minTime, 7_200_000, 'explicit 2 h range');
  const parent = { ulid: '01M7ZKXSJY5W3XE3NBXX04ZN0Q', minTime: 1704067200000, maxTime: 1704067230001 };
  const compacted = writeBlock(dir, EXAMPLE(), { compaction: { level: 2, sources: [ID, parent.ulid], parents: [parent] } });
  t.same(compacted.compaction, { level: 2, sources: [ID, parent.ulid], parents: [parent] }, 'compaction as asked');
  t.same(parseMeta(readFileSync(join(dir, compacted.ulid, 'meta.json'))).compaction, compacted.compaction);
  const empty = writeBlock(dir, [], { minTime: 0, maxTime: 1000 });
  t.same(empty.stats, { numSamples: 0, numSeries: 0, numChunks: 0 }, 'an empty block when asked for one');
});

t.test('the thanos section: labels, source, resolution, files and index stats', async (t) => {
  const dir = tmp(t);
  const meta = writeBlock(dir, EXAMPLE(), { ulid: ID, thanos: { labels: Labels.from({ replica: 'r0', cluster: 'c1' }), source: 'sidecar' } });
  const th = meta.thanos!;
  t.same(th.labels, { cluster: 'c1', replica: 'r0' });
  t.same(th.downsample, { resolution: 0 });
  t.equal(th.source, 'sidecar');
  const size = (f: string) => statSync(join(dir, ID, f)).size;
  t.same(th.files, [
    { rel_path: 'chunks/000001', size_bytes: size('chunks/000001') },
    { rel_path: 'index', size_bytes: size('index') },
    { rel_path: 'meta.json' },
  ]);
  // From promtool's bytes of this data: series entries of 1+15+4, 1+16+4 and 1+12+4 bytes; chunks at
  // offsets 8, 35, 58 in an 81-byte file, so entries of 27, 23 and 23 bytes.
  t.same(th.index_stats, { series_max_size: 21, chunk_max_size: 27 });
  t.same(parseMeta(readFileSync(join(dir, ID, 'meta.json'))), meta);
  const ds = writeBlock(dir, EXAMPLE(), { thanos: { labels: {}, resolution: 300_000 } });
  t.equal(ds.thanos?.downsample.resolution, 300_000);
  t.equal(ds.thanos?.source, 'test', 'default source');
});

t.test('chunks: at most 120 samples by default, staleness marker and NaN bits kept', async (t) => {
  const dir = tmp(t);
  const n = 1000;
  const ts = Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 15_000);
  const vs = new Float64Array(n);
  for (let i = 0; i < n; i++) vs[i] = i;
  vs[10] = STALE_NAN;
  vs[11] = GO_NAN;
  vs[12] = NaN;
  const meta = writeBlock(dir, [s({ __name__: 'x' }, ts, vs)], { ulid: ID });
  t.equal(meta.stats.numChunks, 9, 'ceil(1000 / 120)');
  const seg = new ChunkSegment(readFileSync(join(dir, ID, 'chunks', '000001')));
  const decoded = [...seg.chunks()].map((c) => decodeXORAlloc(c.data));
  t.same(decoded.map((d) => d.timestamps.length), [120, 120, 120, 120, 120, 120, 120, 120, 40]);
  const all = new Float64Array(n);
  let o = 0;
  for (const d of decoded) {
    all.set(d.values, o);
    o += d.values.length;
  }
  t.same(bitsOf(all), bitsOf(vs), 'every value bit for bit, three different NaNs included');
  const small = writeBlock(dir, [s({ __name__: 'x' }, ts, vs)], { maxSamplesPerChunk: 50 });
  t.equal(small.stats.numChunks, 20);
});

t.test('segment files are cut before they pass segmentSize', async (t) => {
  const dir = tmp(t);
  const series: BlockSeries[] = [];
  for (let k = 0; k < 20; k++) {
    const ts = Array.from({ length: 300 }, (_, i) => 1_700_000_000_000 + i * 15_000 + ((i * 7919 * (k + 1)) % 997));
    series.push(s({ __name__: 'm', k: String(k) }, ts, ts.map((_, i) => Math.sin(i + k) * 1000)));
  }
  const meta = writeBlock(dir, series, { ulid: ID, segmentSize: 2000 });
  const files = readdirSync(join(dir, ID, 'chunks')).sort();
  t.ok(files.length > 10, `${files.length} segment files`);
  t.same(files, files.map((_, i) => String(i + 1).padStart(6, '0')), '000001, 000002, … with no gaps');
  let chunks = 0;
  for (const f of files) {
    const bytes = readFileSync(join(dir, ID, 'chunks', f));
    const n = [...new ChunkSegment(bytes).chunks()].length;
    t.ok(bytes.length <= 2000 || n === 1, `${f}: ${bytes.length} bytes`);
    chunks += n;
  }
  t.equal(chunks, meta.stats.numChunks, 'every chunk in some segment');
});

t.test('symbols sort by UTF-8 bytes, not UTF-16 code units', async (t) => {
  // U+FFFD is ef bf bd in UTF-8, U+1F600 is f0 9f 98 80: U+FFFD first. In UTF-16 the emoji's surrogate
  // d83d sorts before fffd, so a plain JS sort gets it backwards.
  const syms = buildSymbols([Labels.from({ '\u{1F600}': 'v', '\uFFFD': 'w', a: '\u{1F600}' })]);
  t.same(syms.strings, ['', 'a', 'v', 'w', '\uFFFD', '\u{1F600}']);
  const refs = Array.from(syms.pairs);
  t.same(refs, [1, 5, 4, 3, 5, 2], 'labels within the series re-sorted by name bytes: a, U+FFFD, U+1F600');
});
