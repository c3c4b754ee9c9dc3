// SeriesColumns decodes series entries in bulk; parseSeriesEntry (the one-entry parser the index tests check
// against promtool blocks) is the oracle. Entries come from a block written by our writer, with series of
// 1, 3 and 5 chunks so the time filter keeps some chunks of a series and not others.
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Labels } from '../../src/model/index.js';
import { FilesystemBucket } from '../../src/objstore/index.js';
import { BlockIndexReader, buildIndexHeader, CorruptBlockError, IndexHeader, parseSeriesEntry, SeriesColumns, writeBlock, type SeriesEntry } from '../../src/tsdb/index.js';

const T0 = 1_700_000_000_000;

t.test('columns equal parseSeriesEntry, with chunks outside [mint, maxt] dropped', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'promfed-cols-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const series = [1, 3, 5, 2].map((chunks, i) => {
    const n = chunks * 120;
    return {
      labels: Labels.from({ __name__: 'm', i: String(i), ...(i === 2 ? { z: 'x' } : {}) }),
      timestamps: Float64Array.from({ length: n }, (_, k) => T0 + k * 15_000),
      values: Float64Array.from({ length: n }, (_, k) => k),
    };
  });
  const meta = writeBlock(join(dir, 'bucket'), series);
  const bucket = new FilesystemBucket(join(dir, 'bucket'));
  await buildIndexHeader(bucket, `${meta.ulid}/index`, join(dir, 'ih'));
  const header = await IndexHeader.open(join(dir, 'ih'));
  t.teardown(() => header.close());
  const { size } = await bucket.attributes(`${meta.ulid}/index`);
  const index = new BlockIndexReader(bucket, meta.ulid, header, size);
  const [ids] = await index.postings([(await header.postingsRanges('', ['']))[0]!]);
  const entries = await index.seriesEntries(ids!);
  const parsed = entries.map((e) => parseSeriesEntry(e, 0, 'oracle') as SeriesEntry);
  t.same(parsed.map((p) => p.chunkMint.length), [1, 3, 5, 2], 'chunks per series as written');

  // Each chunk spans 120 × 15 s = 30 min; [T0 + 40 min, T0 + 70 min] overlaps chunks 1 and 2 (0-based).
  const windows: [number, number][] = [
    [-Infinity, Infinity],
    [T0 + 40 * 60_000, T0 + 70 * 60_000],
    [T0 + 10 * 3600_000, Infinity],
  ];
  for (const [mint, maxt] of windows) {
    const cols = new SeriesColumns(1, 2, 1); // tiny: every array has to grow
    const kept: number[] = [];
    for (const e of entries) kept.push(cols.append(e, 0, mint, maxt, 'cols'));
    t.equal(cols.rows, entries.length);
    parsed.forEach((p, r) => {
      const refs = [...cols.labelRefs.subarray(cols.labelStart[r], cols.labelStart[r + 1])];
      t.same(refs, [...p.labelRefs], `series ${r}: label refs`);
      const want: number[][] = [];
      for (let k = 0; k < p.chunkMint.length; k++) {
        if (p.chunkMaxt[k]! >= mint && p.chunkMint[k]! <= maxt) want.push([p.chunkMint[k]!, p.chunkMaxt[k]!, p.chunkRef[k]!]);
      }
      const got: number[][] = [];
      for (let k = cols.chunkStart[r]!; k < cols.chunkStart[r + 1]!; k++) got.push([cols.chunkMint[k]!, cols.chunkMaxt[k]!, cols.chunkRef[k]!]);
      t.same(got, want, `series ${r} in [${mint}, ${maxt}]: chunks`);
      t.equal(kept[r], want.length);
    });
  }
  // The middle window by hand: series 0 (one chunk, 0–29:45) has none; series 2 keeps chunks 1 and 2.
  const cols = new SeriesColumns();
  t.equal(cols.append(entries[0]!, 0, T0 + 40 * 60_000, T0 + 70 * 60_000, 'cols'), 0);
  cols.dropLast();
  t.equal(cols.rows, 0);
  t.equal(cols.append(entries[2]!, 0, T0 + 40 * 60_000, T0 + 70 * 60_000, 'cols'), 2);
  t.same([cols.chunkMint[0], cols.chunkMint[1]], [T0 + 1800_000, T0 + 3600_000]);

  // Corruption: a flipped byte fails the CRC; without the CRC check, a cut entry still fails cleanly.
  const bad = Uint8Array.from(entries[1]!);
  bad[3]! ^= 0x40;
  t.throws(() => new SeriesColumns().append(bad, 0, -Infinity, Infinity, 'series 1'), CorruptBlockError);
  t.throws(() => new SeriesColumns().append(bad, 0, -Infinity, Infinity, 'series 1'), /series 1: CRC32C/);
  const cut = entries[1]!.subarray(0, entries[1]!.length - 6);
  t.throws(() => new SeriesColumns().append(cut, 0, -Infinity, Infinity, 'series 1', false), CorruptBlockError);
});
