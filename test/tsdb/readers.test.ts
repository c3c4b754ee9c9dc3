import t from 'tap';
import xxhash from 'xxhash-wasm';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeXORAlloc } from '../../src/chunkenc/index.js';
import { FilesystemBucket } from '../../src/objstore/index.js';
import {
  BlockChunkReader,
  BlockIndexReader,
  buildIndexHeader,
  CorruptBlockError,
  IndexHeader,
  parseSeriesEntry,
  partitionRanges,
  readBlockMeta,
} from '../../src/tsdb/index.js';
import { needBinary } from '../helpers/peers.js';
import { CountingBucket } from '../store/counting-bucket.js';
import { genSeries, promtoolBlocks, T0 } from '../store/promtool-blocks.js';

t.test('partitioner merges ranges closer than the gap (thanos.md §5.4)', async (t) => {
  // Hand-computed: [0,10) and [15,20) are 5 bytes apart (< 8); [40,50) is 20 past 20; [45,60) overlaps it.
  const parts = partitionRanges([0, 15, 40, 45], [10, 20, 50, 60], 8);
  t.same(parts, [
    { start: 0, end: 20, first: 0, last: 2 },
    { start: 40, end: 60, first: 2, last: 4 },
  ]);
  t.same(partitionRanges([], []), []);
});

t.test('readers over a promtool block return exactly the generated series', async (t) => {
  const promtool = needBinary(t, 'promtool');
  if (!promtool) return;
  const dir = await mkdtemp(join(tmpdir(), 'promfed-tsdb-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // 70 series so `instance` has more values than one sampling stride of 32.
  const gen = genSeries({ name: 'demo_gauge', job: 'api', n: 70, from: T0 + 15_000, to: T0 + 2 * 3600_000 - 15_000, stepS: 30 });
  const [id] = await promtoolBlocks(promtool, join(dir, 'bucket'), gen);
  const bucket = new FilesystemBucket(join(dir, 'bucket'));
  const meta = (await readBlockMeta(bucket, id!))!;
  t.equal(meta.stats.numSeries, 70);

  const counting = new CountingBucket(bucket);
  await buildIndexHeader(counting, `${id}/index`, join(dir, 'data', id!, 'index-header'));
  t.equal(counting.gets, 0, 'never the whole index');
  t.equal(counting.getRanges, 5, 'header, TOC, symbol table length, symbol table, postings offset table');

  const full = await IndexHeader.open(join(dir, 'data', id!, 'index-header'), 1);
  const sampled = await IndexHeader.open(join(dir, 'data', id!, 'index-header'));
  t.teardown(() => Promise.all([full.close(), sampled.close()]));
  t.same(sampled.labelNames(), ['__name__', 'instance', 'job']);
  const instances = gen.map((s) => s.labels.instance!).sort();
  t.same(await sampled.labelValues('instance'), instances);
  t.same(await sampled.labelValues('nope'), []);
  const asked = [...instances, 'i999', 'a', 'zzz'].sort();
  t.same(await sampled.postingsRanges('instance', asked), await full.postingsRanges('instance', asked), 'sampled lookups = full lookups');

  const { size } = await bucket.attributes(`${id}/index`);
  const refetches = { n: 0 };
  // A 20-byte estimate is shorter than every entry.
  const index = new BlockIndexReader(bucket, id!, sampled, size, { seriesSizeEstimate: 20, onSeriesRefetch: () => refetches.n++ });
  const ranges = await sampled.postingsRanges('instance', instances);
  const lists = await index.postings(ranges.map((r) => r!));
  const ids = lists.map((l) => {
    t.equal(l.length, 1);
    return l[0]!;
  });
  const [all] = await index.postings([(await sampled.postingsRanges('', ['']))[0]!]);
  t.same([...all!].sort((a, b) => a - b), [...ids].sort((a, b) => a - b), 'all-postings = union of instance postings');

  const sortedIds = [...ids].sort((a, b) => a - b);
  const entries = await index.seriesEntries(sortedIds);
  // The 70 ranges (each 20 bytes, entries 16-byte aligned and adjacent) merge into one GET ending 20 bytes
  // after the last entry's start: only that last entry is cut short and read again.
  t.equal(refetches.n, 1);
  const chunks = new BlockChunkReader(bucket, id!);
  for (let i = 0; i < sortedIds.length; i++) {
    const e = parseSeriesEntry(entries[i]!, 0, 'series');
    if (typeof e === 'number') throw new Error('short entry');
    const labels: Record<string, string> = {};
    for (let k = 0; k < e.labelRefs.length; k += 2) labels[sampled.symbol(e.labelRefs[k]!)] = sampled.symbol(e.labelRefs[k + 1]!);
    const want = gen.find((g) => g.labels.instance === labels.instance)!;
    t.same(labels, want.labels);
    const lease = { bytes: 0 };
    const got = await chunks.fetch(e.chunkRef, lease);
    const ts: number[] = [];
    const vs: number[] = [];
    got.forEach((c, k) => {
      t.equal(c.encoding, 1, 'XOR');
      const d = decodeXORAlloc(c.data);
      t.equal(d.timestamps[0], e.chunkMint[k]);
      t.equal(d.timestamps[d.timestamps.length - 1], e.chunkMaxt[k]);
      ts.push(...d.timestamps);
      vs.push(...d.values);
    });
    if (i === 0 || i === sortedIds.length - 1) {
      t.same(ts, want.ts, `timestamps of ${labels.instance}`);
      t.same(vs, want.vs, `values of ${labels.instance}`);
    } else if (ts.length !== want.ts.length || vs.some((v, k) => v !== want.vs[k])) t.fail(`samples of ${labels.instance}`);
  }

  // hashes: true gives each chunk's xxHash64, for chunks hashed with their part and for chunks read again
  // on their own (an estimate shorter than a chunk), and the same chunks as without hashing.
  const { h64Raw } = await xxhash();
  const allRefs = sortedIds.flatMap((id, i) => {
    const e = parseSeriesEntry(entries[i]!, 0, 'series');
    return typeof e === 'number' ? [] : [...e.chunkRef];
  });
  for (const chunkSizeEstimate of [undefined, 60]) {
    let refetched = 0;
    const hashing = new BlockChunkReader(bucket, id!, { hashes: true, chunkSizeEstimate, onRefetch: () => refetched++ });
    const lease = { bytes: 0 };
    hashing.estimate(allRefs);
    const got = await hashing.fetchColumns(allRefs, lease);
    const plain = await new BlockChunkReader(bucket, id!).fetchColumns(allRefs, { bytes: 0 });
    const data = (f: typeof got, i: number): Uint8Array => f.bufs[i]!.subarray(f.starts[i]!, f.ends[i]!);
    t.equal(got.hashes.length, allRefs.length);
    t.ok(allRefs.every((_, i) => Buffer.compare(data(got, i), data(plain, i)) === 0), 'same chunk bytes');
    t.ok(got.hashes.every((h, i) => BigInt.asUintN(64, h) === h64Raw(data(got, i))), `every hash is xxh64 of the chunk (estimate ${chunkSizeEstimate})`);
    if (chunkSizeEstimate !== undefined) t.ok(refetched > 0, `${refetched} chunks read again and hashed alone`);
  }
});

t.test('corruption is a CorruptBlockError naming the file, never a crash', async (t) => {
  const promtool = needBinary(t, 'promtool');
  if (!promtool) return;
  const dir = await mkdtemp(join(tmpdir(), 'promfed-tsdb-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const gen = genSeries({ name: 'g', job: 'j', n: 3, from: T0 + 15_000, to: T0 + 3600_000, stepS: 60 });
  const [id] = await promtoolBlocks(promtool, join(dir, 'bucket'), gen);
  const bucket = new FilesystemBucket(join(dir, 'bucket'));
  const indexPath = join(dir, 'bucket', id!, 'index');
  const orig = await readFile(indexPath);

  // A flipped byte inside the symbol table: its CRC no longer matches.
  const bad = Buffer.from(orig);
  bad[5 + 4 + 4 + 2] ^= 0xff;
  await writeFile(indexPath, bad);
  await t.rejects(buildIndexHeader(bucket, `${id}/index`, join(dir, 'h1')), CorruptBlockError);
  // The TOC: its own CRC.
  const badToc = Buffer.from(orig);
  badToc[badToc.length - 10] ^= 0x01;
  await writeFile(indexPath, badToc);
  await t.rejects(buildIndexHeader(bucket, `${id}/index`, join(dir, 'h2')), /TOC/);
  // Truncated to a few bytes.
  await writeFile(indexPath, orig.subarray(0, 30));
  await t.rejects(buildIndexHeader(bucket, `${id}/index`, join(dir, 'h3')), CorruptBlockError);
  await writeFile(indexPath, orig);

  // A chunk byte flipped: the chunk's CRC catches it.
  const segPath = join(dir, 'bucket', id!, 'chunks', '000001');
  const seg = Buffer.from(await readFile(segPath));
  seg[20] ^= 0xff;
  await writeFile(segPath, seg);
  const chunks = new BlockChunkReader(bucket, id!);
  await t.rejects(chunks.fetch([8], { bytes: 0 }), /CRC32C/);
  // A chunk ref past the end of the segment file.
  await t.rejects(chunks.fetch([seg.length + 100], { bytes: 0 }));

  // A garbage index-header is refused so the caller rebuilds it.
  await writeFile(join(dir, 'garbage'), Buffer.alloc(64, 7));
  await t.rejects(IndexHeader.open(join(dir, 'garbage')), CorruptBlockError);
});
