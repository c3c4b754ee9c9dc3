// Real-tool check: promtool reads the blocks we write. `tsdb analyze` reports the series, label names and
// label pairs we put in (it walks the all-postings list and every series entry), `--extended` decodes every
// chunk, `tsdb list` shows our stats, and `tsdb dump` prints exactly our samples: same label sets in
// Prometheus's label order, same timestamps, same values bit for bit where text can say it (NaN payloads
// it cannot; the Prometheus test checks the staleness marker by its effect).
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needBinary } from '../../helpers/peers.js';
import { writeBlock, type BlockSeries } from '../../../src/tsdb/writer/index.js';
import { compareUtf8 } from '../../../src/tsdb/writer/symbols.js';
import { BLOCK, T0, generateSeries, labelsText, parseGoFloat, sameFloat } from './fixtures.js';

function run(bin: string, args: string[]): string {
  return execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 });
}

/** `promtool tsdb dump` needs a wal dir and writes chunks_head, so it runs on a copy. */
function dump(promtool: string, dataDir: string, scratch: string): string[] {
  const copy = join(scratch, `dump-${Math.random().toString(36).slice(2)}`);
  cpSync(dataDir, copy, { recursive: true });
  mkdirSync(join(copy, 'wal'));
  const out = run(promtool, ['tsdb', 'dump', copy]);
  rmSync(copy, { recursive: true, force: true });
  return out.split('\n').filter((l) => l !== '');
}

/** Checks dump lines against the series: every sample once, nothing else, series in UTF-8 label order. */
function checkDump(t: Test, lines: string[], series: BlockSeries[]): void {
  const got = new Map<string, string>();
  const order: string[] = [];
  for (const line of lines) {
    const m = /^(\{.*\}) (\S+) (-?\d+)$/s.exec(line);
    if (!m) {
      t.fail(`unparseable dump line ${JSON.stringify(line)}`);
      continue;
    }
    if (order[order.length - 1] !== m[1]) order.push(m[1]!);
    got.set(`${m[1]} ${m[3]}`, m[2]!);
  }
  t.equal(lines.length, got.size, 'no sample printed twice');
  let want = 0;
  let bad = 0;
  for (const s of series) {
    const lt = labelsText(s.labels);
    for (let i = 0; i < s.timestamps.length; i++) {
      want++;
      const v = got.get(`${lt} ${s.timestamps[i]}`);
      if (v === undefined || !sameFloat(parseGoFloat(v), s.values[i]!)) {
        if (bad++ < 5) t.fail(`${lt} @${s.timestamps[i]}: dump says ${v}, wrote ${s.values[i]}`);
      }
    }
  }
  t.equal(bad, 0, 'every sample printed with the value we wrote');
  t.equal(got.size, want, `exactly the ${want} samples we wrote`);
  const expectedOrder = [...new Map(series.map((s) => [s.labels.key(), s.labels])).values()]
    .sort((a, b) => compareLabelsUtf8(a, b))
    .map((l) => labelsText(l));
  t.same(order, expectedOrder, 'series come out in Go (UTF-8 byte) label order');
}

function compareLabelsUtf8(a: BlockSeries['labels'], b: BlockSeries['labels']): number {
  const fa = a.flat();
  const fb = b.flat();
  for (let i = 0; i < Math.min(fa.length, fb.length); i++) {
    const d = compareUtf8(fa[i]!, fb[i]!);
    if (d !== 0) return d;
  }
  return fa.length - fb.length;
}

t.test('promtool analyze, list and dump read our blocks exactly', async (t) => {
  const promtool = needBinary(t, 'promtool');
  if (!promtool) return;
  const scratch = mkdtempSync(join(tmpdir(), 'promfed-writer-read-'));
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
  const data = join(scratch, 'data');

  const first = generateSeries(3, T0, T0 + BLOCK);
  const second = generateSeries(3, T0 + BLOCK, T0 + 2 * BLOCK);
  const m1 = writeBlock(data, first);
  const m2 = writeBlock(data, second, { thanos: { labels: { cluster: 'c1' }, source: 'sidecar' } });

  for (const [meta, input] of [[m1, first], [m2, second]] as const) {
    const out = run(promtool, ['tsdb', 'analyze', data, meta.ulid]);
    const labelPairs = new Set<string>();
    const names = new Set<string>();
    let entries = 0;
    for (const s of input) {
      s.labels.forEach((n, v) => {
        names.add(n);
        labelPairs.add(`${n}\u0000${v}`);
        entries++;
      });
    }
    t.match(out, `Block ID: ${meta.ulid}\n`, 'analyze opens the block');
    t.match(out, `\nSeries: ${input.length}\n`, `${meta.ulid}: series`);
    t.match(out, `\nLabel names: ${names.size}\n`, 'label names (from the postings offset table)');
    t.match(out, `\nPostings (unique label pairs): ${labelPairs.size}\n`, 'label pairs (walking all-postings and every series)');
    t.match(out, `\nPostings entries (total label pairs): ${entries}\n`, 'total label pairs');
    t.match(out, /Highest cardinality labels:\n300 pod\n/, 'label values of pod');
    t.match(out, /Highest cardinality metric names:\n300 kube_pod_info\n/, 'postings of __name__ values');
    const extended = run(promtool, ['tsdb', 'analyze', '--extended', data, meta.ulid]);
    t.match(extended, /Compaction analysis:\nFullness: /, '--extended decodes every chunk without error');
  }

  const list = run(promtool, ['tsdb', 'list', data]);
  for (const [meta, input] of [[m1, first], [m2, second]] as const) {
    const samples = input.reduce((n, s) => n + s.timestamps.length, 0);
    const chunks = input.reduce((n, s) => n + Math.ceil(s.timestamps.length / 120), 0);
    t.equal(meta.stats.numSamples, samples, 'numSamples');
    t.equal(meta.stats.numChunks, chunks, 'at most 120 samples per chunk');
    const row = list.split('\n').find((l) => l.startsWith(meta.ulid));
    t.match(row, new RegExp(`^${meta.ulid}\\s+${meta.minTime}\\s+${meta.maxTime}\\s+\\S+\\s+${samples}\\s+${chunks}\\s+${input.length}\\s`), 'tsdb list row');
  }

  checkDump(t, dump(promtool, data, scratch), [...first, ...second]);
});

t.test('a block split over many segment files dumps exactly', async (t) => {
  const promtool = needBinary(t, 'promtool');
  if (!promtool) return;
  const scratch = mkdtempSync(join(tmpdir(), 'promfed-writer-seg-'));
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
  const data = join(scratch, 'data');
  const series = generateSeries(5, T0, T0 + BLOCK);
  const meta = writeBlock(data, series, { segmentSize: 4096, maxSamplesPerChunk: 50 });
  t.ok(existsSync(join(data, meta.ulid, 'chunks', '000010')), 'at least ten segment files');
  const out = run(promtool, ['tsdb', 'analyze', '--extended', data, meta.ulid]);
  t.match(out, `\nSeries: ${series.length}\n`, 'analyze --extended reads every segment');
  checkDump(t, dump(promtool, data, scratch), series);
});
