// Real-tool check: promtool turns OpenMetrics text into blocks; our writer, given the same samples of each
// block's 2 h window, the block's ULID and promtool's chunk cuts (its head with a 4 h chunk range), must
// produce the very same bytes for index, chunks/000001, tombstones and meta.json. Any difference in symbol
// order, padding, postings layout, label indices, offset tables, TOC or CRC coverage shows up here.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needBinary } from '../../helpers/peers.js';
import { Labels } from '../../../src/model/index.js';
import { parseMeta } from '../../../src/tsdb/meta.js';
import { writeBlock, type BlockSeries } from '../../../src/tsdb/writer/index.js';
import { generateFixture, toOpenMetrics } from '../../chunkenc/fixtures/openmetrics.js';

const BLOCK = 7_200_000;

function firstIndexAtOrAfter(ts: readonly number[], x: number): number {
  let i = 0;
  while (i < ts.length && ts[i]! < x) i++;
  return i;
}

t.test('our block is byte-identical to promtool create-blocks-from for the same samples', async (t) => {
  const promtool = needBinary(t, 'promtool');
  if (!promtool) return;
  const dir = mkdtempSync(join(tmpdir(), 'promfed-writer-ident-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  // Extra series beyond the chunkenc fixture: UTF-8 values, a label only some series have, one sample.
  const series = generateFixture(11);
  const extra = (labels: Record<string, string>, ts: number[], vs: number[]) =>
    series.push({ family: labels.__name__!, type: 'gauge', labels: Labels.from(labels), ts, vs: Float64Array.from(vs) });
  extra({ __name__: 'demo_utf8', city: 'Zürich', note: 'naïve ☃' }, [1_704_067_230_000, 1_704_067_245_000], [1, 2]);
  extra({ __name__: 'demo_utf8', city: 'São Paulo' }, [1_704_067_230_000], [3]);
  extra({ __name__: 'demo_single', host: 'h-1.example' }, [1_704_080_000_000], [42]);
  const omPath = join(dir, 'in.om');
  writeFileSync(omPath, toOpenMetrics(series));
  const theirs = join(dir, 'promtool');
  execFileSync(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', omPath, theirs], { stdio: 'pipe' });
  const ids = readdirSync(theirs).filter((d) => existsSync(join(theirs, d, 'meta.json')));
  t.equal(ids.length, 3, 'three 2 h blocks');

  const ours = join(dir, 'ours');
  for (const id of ids) {
    const meta = parseMeta(readFileSync(join(theirs, id, 'meta.json')));
    const winStart = Math.floor(meta.minTime / BLOCK) * BLOCK;
    const input: BlockSeries[] = [];
    for (const s of series) {
      const from = firstIndexAtOrAfter(s.ts, winStart);
      const to = firstIndexAtOrAfter(s.ts, winStart + BLOCK);
      if (from === to) continue;
      input.push({ labels: s.labels, timestamps: Float64Array.from(s.ts.slice(from, to)), values: s.vs.slice(from, to) });
    }
    const written = writeBlock(ours, input, { ulid: id, headChunkRange: 2 * BLOCK });
    t.same(written, meta, `${id}: returned meta equals promtool's`);
    for (const f of ['index', 'chunks/000001', 'tombstones', 'meta.json']) {
      const a = readFileSync(join(theirs, id, f));
      const b = readFileSync(join(ours, id, f));
      t.ok(a.equals(b), `${id} ${f}: ${b.length} bytes, promtool ${a.length}, identical`);
    }
    t.notOk(existsSync(join(ours, id, 'chunks', '000002')), 'one segment file');
  }
  t.same(readdirSync(ours).sort(), [...ids].sort(), 'no temporary directory left behind');
});
