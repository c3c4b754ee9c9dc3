// Real-tool check: promtool writes a block from our OpenMetrics text; we walk chunks/000001 without the
// index, decode every chunk, and demand exactly the samples we wrote (bit-exact values, Go's NaN) and the
// same bytes when we re-encode them.
//
// Without the index we know a chunk's series from the writer's order: a block's chunks are written series by
// series in label order, each series's chunks in time order. So the decoded chunks, concatenated, must equal
// the block window's samples of every series in label order, and every series boundary must fall on a chunk
// boundary. The chunk boundaries themselves must be where Prometheus's head cuts (headChunkStarts).
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needBinary } from '../helpers/peers.js';
import { Labels } from '../../src/model/index.js';
import { ChunkSegment, SegmentEncoding } from '../../src/chunkenc/index.js';
import { decodeXORAlloc, encodeXOR, xorNumSamples } from '../../src/chunkenc/index.js';
import { headChunkStarts } from '../../src/chunkenc/index.js';
import { generateFixture, toOpenMetrics, type FixtureSeries } from './fixtures/openmetrics.js';

const BLOCK = 7_200_000;

interface Meta {
  minTime: number;
  maxTime: number;
  stats: { numSamples: number; numSeries: number; numChunks: number };
}

/** First index i in ts with ts[i] >= x. */
function lowerBound(ts: number[], x: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

t.test('promtool blocks decode to exactly the written samples and re-encode to the same bytes', async (t) => {
  const promtool = needBinary(t, 'promtool');
  if (!promtool) return;
  const dir = mkdtempSync(join(tmpdir(), 'promfed-chunkenc-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  const series = generateFixture(7).sort((a, b) => Labels.compare(a.labels, b.labels));
  const omPath = join(dir, 'fixture.om');
  writeFileSync(omPath, toOpenMetrics(series));
  const out = join(dir, 'blocks');
  execFileSync(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', omPath, out], { stdio: 'pipe' });

  const blocks = readdirSync(out)
    .filter((d) => existsSync(join(out, d, 'meta.json')))
    .map((d) => ({ dir: join(out, d), meta: JSON.parse(readFileSync(join(out, d, 'meta.json'), 'utf8')) as Meta }))
    .sort((a, b) => a.meta.minTime - b.meta.minTime);
  t.equal(blocks.length, 3, '6 h of data ending before a 2 h boundary makes three blocks');

  let totalWritten = 0;
  for (const s of series) totalWritten += s.ts.length;
  let totalRead = 0;
  let chunksChecked = 0;
  const sizes = new Map<number, number>();

  for (const block of blocks) {
    const winStart = Math.floor(block.meta.minTime / BLOCK) * BLOCK;
    const winEnd = winStart + BLOCK;
    // Expected: each series's samples inside this block's window, in label order, with the head's cuts.
    const expected: { s: FixtureSeries; from: number; to: number; starts: number[] }[] = [];
    for (const s of series) {
      const from = lowerBound(s.ts, winStart);
      const to = lowerBound(s.ts, winEnd);
      // promtool's backfill opens its block writer with twice the block duration (so samples may span the
      // whole block), and the writer's head uses that as its chunk range: 4 h windows, not 2 h.
      if (from < to) expected.push({ s, from, to, starts: headChunkStarts(s.ts, from, to, { chunkRange: 2 * BLOCK }) });
    }
    const segment = new ChunkSegment(readFileSync(join(block.dir, 'chunks', '000001')));
    const chunks = [...segment.chunks()];
    t.equal(chunks.length, block.meta.stats.numChunks, `block ${winStart}: chunk count matches meta.json`);
    t.equal(existsSync(join(block.dir, 'chunks', '000002')), false, 'one segment file');

    let e = 0; // index into expected
    let k = 0; // index into expected[e].starts
    let blockSamples = 0;
    for (const c of chunks) {
      t.equal(c.encoding, SegmentEncoding.XOR);
      const cur = expected[e];
      if (!cur) {
        t.fail(`block ${winStart}: more chunks than expected`);
        return;
      }
      const from = cur.starts[k]!;
      const to = k + 1 < cur.starts.length ? cur.starts[k + 1]! : cur.to;
      const n = xorNumSamples(c.data);
      sizes.set(n, (sizes.get(n) ?? 0) + 1);
      if (n !== to - from) {
        t.fail(`${cur.s.labels.toString()} block ${winStart} chunk ${k}: ${n} samples, the head would cut ${to - from}`);
        return;
      }
      const got = decodeXORAlloc(c.data);
      const gotBits = new Uint32Array(got.values.buffer);
      const wantBits = new Uint32Array(cur.s.vs.buffer);
      for (let i = 0; i < n; i++) {
        const j = from + i;
        if (got.timestamps[i] !== cur.s.ts[j] || gotBits[2 * i] !== wantBits[2 * j] || gotBits[2 * i + 1] !== wantBits[2 * j + 1]) {
          t.fail(`${cur.s.labels.toString()} sample ${j}: got ${got.timestamps[i]} ${got.values[i]}, wrote ${cur.s.ts[j]} ${cur.s.vs[j]}`);
          return;
        }
      }
      const again = encodeXOR(got.timestamps, got.values);
      if (Buffer.compare(Buffer.from(again), Buffer.from(c.data)) !== 0) {
        t.fail(`${cur.s.labels.toString()} chunk at ${c.offset}: re-encoding differs from promtool's bytes`);
        return;
      }
      chunksChecked++;
      blockSamples += n;
      if (++k === cur.starts.length) {
        e++;
        k = 0;
      }
    }
    t.equal(e, expected.length, `block ${winStart}: every series's chunks were found`);
    t.equal(blockSamples, block.meta.stats.numSamples, `block ${winStart}: sample count matches meta.json`);
    totalRead += blockSamples;
  }
  t.equal(totalRead, totalWritten, 'every written sample was read back');
  t.ok(chunksChecked >= 80, `${chunksChecked} chunks decoded, compared and re-encoded`);
  t.comment(`chunk sizes (samples → chunks): ${[...sizes].sort((a, b) => a[0] - b[0]).map(([n, c]) => `${n}→${c}`).join(' ')}`);
});
