// `promfed tools store-memory` as a real process: OpenMetrics file in, StoreAPI over gRPC out, SIGTERM → exit 0.
import t from 'tap';
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeXORAlloc } from '../../src/chunkenc/index.js';
import { Labels } from '../../src/model/index.js';
import { InfoClient, MAX_INT64, StoreClient, labelsFromProto, type ProtoSeries, type SeriesRequest } from '../../src/storeapi/index.js';
import { parseLabelFlags } from '../../src/cli/label-flags.js';
import { startStoreMemory } from '../../src/cli/store-memory.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { runCli } from '../helpers/cli.js';
import { needBinary } from '../helpers/peers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'promfed-store-memory-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

// The fixture, with values known by construction:
//   demo_requests_total{code="200"}: 300 samples, t = T0 + 15 s·i, value 3·i      (3 chunks: 120, 120, 60)
//   demo_requests_total{code="500"}: 10 samples,  t = T0 + 60 s·i, value i        (starts at T0 too)
//   demo_temperature{room="a\"b"}:   10 samples,  t = T0 + 30 s·i, value 20 + i/4 (a quote escaped in a label value)
const T0 = 1_704_067_215; // 2024-01-01T00:00:15Z, seconds
const expected = new Map<string, { ts: number[]; vs: number[] }>();
const lines = ['# HELP demo_requests Requests handled.', '# TYPE demo_requests counter'];
function series(key: string, omLabels: string, n: number, stepS: number, value: (i: number) => number): void {
  const ts: number[] = [];
  const vs: number[] = [];
  for (let i = 0; i < n; i++) {
    ts.push((T0 + i * stepS) * 1000);
    vs.push(value(i));
    lines.push(`${omLabels} ${value(i)} ${T0 + i * stepS}`);
  }
  expected.set(key, { ts, vs });
}
series('demo_requests_total{code="200"}', 'demo_requests_total{code="200"}', 300, 15, (i) => 3 * i);
series('demo_requests_total{code="500"}', 'demo_requests_total{code="500"}', 10, 60, (i) => i);
lines.push('# TYPE demo_temperature gauge');
series('demo_temperature{room="a\\"b"}', 'demo_temperature{room="a\\"b"}', 10, 30, (i) => 20 + i / 4);
lines.push('# EOF');
const FILE = join(dir, 'fixture.om');
writeFileSync(FILE, lines.join('\n') + '\n');
const LAST_MS = (T0 + 299 * 15) * 1000;

interface Served {
  child: ChildProcessWithoutNullStreams;
  line: string;
  address: string;
  stdout: () => string;
  exited: Promise<number | null>;
}

/** Spawns the CLI and resolves once it printed its listening line. */
function serve(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, ['--import=tsx', MAIN, 'tools', 'store-memory', ...args]);
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void exited.then(() => clearTimeout(killer));
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /^promfed store-memory: listening on (\S+) .*\n/m.exec(stdout);
      if (m) resolve({ child, line: m[0].trim(), address: m[1], stdout: () => stdout, exited });
    });
    void exited.then((code) => reject(new Error(`store-memory exited (${code}) before listening: ${stderr}`)));
  });
}

t.test('a real store-memory process serves the file with its --label external labels, and stops on SIGTERM', async (t) => {
  const s = await serve([`--openmetrics=${FILE}`, '--label=cluster="eu"', '--label=replica="r\\u00e91"', '--grpc-address=127.0.0.1:0']);
  t.teardown(() => s.child.kill('SIGKILL'));
  t.match(s.line, /listening on 127\.0\.0\.1:\d+ .*3 series, 320 samples/, 'address and counts (300 + 10 + 10 samples)');
  t.match(s.line, /external labels \{cluster="eu", replica="ré1"\}/);

  const store = new StoreClient(s.address, { timeoutMs: 10_000 });
  const info = new InfoClient(s.address, { channel: store.channel });
  t.teardown(() => store.close());

  await t.test('Info: component "store", one label set = the --label pairs, time range = the file', async (t) => {
    const res = await info.info();
    t.equal(res.ComponentType, 'store');
    t.same(
      res.label_sets.map((l) => labelsFromProto(l.labels).toObject()),
      [{ cluster: 'eu', replica: 'ré1' }],
    );
    t.equal(res.store?.min_time, String(T0 * 1000));
    t.equal(res.store?.max_time, String(LAST_MS));
  });

  const collect = async (req: Partial<SeriesRequest>): Promise<ProtoSeries[]> => {
    const out: ProtoSeries[] = [];
    for await (const f of store.series({ min_time: '0', max_time: MAX_INT64, response_batch_size: '64', ...req })) {
      if (f.result === 'series') out.push(f.series);
      else if (f.result === 'batch') out.push(...f.batch.series);
    }
    return out;
  };

  await t.test('Series: every sample of the file, labels extended by the external labels', async (t) => {
    const got = await collect({ matchers: [{ type: 2, name: '__name__', value: 'demo_.*' }] });
    t.same(
      got.map((s) => labelsFromProto(s.labels).toString()),
      [
        'demo_requests_total{cluster="eu", code="200", replica="ré1"}',
        'demo_requests_total{cluster="eu", code="500", replica="ré1"}',
        'demo_temperature{cluster="eu", replica="ré1", room="a\\"b"}',
      ],
    );
    for (const s of got) {
      const key = labelsFromProto(s.labels).drop(['cluster', 'replica']).toString();
      const want = expected.get(key);
      if (!want) {
        t.fail(`unexpected series ${key}`);
        continue;
      }
      const ts: number[] = [];
      const vs: number[] = [];
      for (const c of s.chunks) {
        const d = decodeXORAlloc(c.raw!.data);
        ts.push(...d.timestamps);
        vs.push(...d.values);
      }
      t.same(ts, want.ts, `${key} timestamps`);
      t.same(vs, want.vs, `${key} values`);
    }
    t.equal(got[0].chunks.length, 3, '300 samples → chunks of at most 120');
  });

  await t.test('Series: a matcher on an external label is decided by the external value', async (t) => {
    t.equal((await collect({ matchers: [{ type: 0, name: 'replica', value: 'r1' }] })).length, 0);
    t.equal((await collect({ matchers: [{ type: 0, name: 'replica', value: 'ré1' }] })).length, 3);
  });

  store.close();
  s.child.kill('SIGTERM');
  t.equal(await s.exited, 0, 'SIGTERM → exit code 0');
  t.equal(s.stdout().trim().split('\n').length, 1, 'exactly one line on stdout');
});

t.test('promtool reads the same fixture to the same samples (the file is in the format promtool imports)', async (t) => {
  const promtool = needBinary(t, 'promtool');
  if (!promtool) return;
  const blocks = join(dir, 'blocks');
  execFileSync(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', FILE, blocks], { stdio: 'pipe' });
  mkdirSync(join(blocks, 'wal'), { recursive: true }); // `tsdb dump` insists on a wal dir (peers.md §1)
  t.ok(readdirSync(blocks).length > 1, 'promtool wrote blocks');
  const dump = execFileSync(promtool, ['tsdb', 'dump', blocks], { encoding: 'utf8', maxBuffer: 64 << 20 });
  // `{labels} value ts_ms` per sample, grouped per series.
  const fromPromtool = new Map<string, { ts: number[]; vs: number[] }>();
  for (const line of dump.split('\n')) {
    const m = /^(\{.*\}) (\S+) (\d+)$/.exec(line);
    if (!m) continue;
    const e = fromPromtool.get(m[1]) ?? { ts: [], vs: [] };
    e.ts.push(Number(m[3]));
    e.vs.push(Number(m[2]));
    fromPromtool.set(m[1], e);
  }
  const running = await startStoreMemory({ text: lines.join('\n') + '\n', grpcAddress: '127.0.0.1:0' });
  t.teardown(() => running.stop(100));
  t.equal(running.series, fromPromtool.size);
  for (const s of running.db.allSeries()) {
    const key = `{${s.labels.toString().replace(/^([^{]*)\{/, '__name__="$1", ')}`;
    const p = fromPromtool.get(key);
    t.ok(p, `promtool has ${key}`);
    if (p) {
      t.same([...s.timestamps], p.ts, `${key} timestamps`);
      t.same([...s.values], p.vs, `${key} values`);
    }
  }
});

t.test('startStoreMemory: in-process, from a MemoryStorage, counts what it serves', async (t) => {
  const r = await startStoreMemory({ text: 'up{job="x"} 1 10\nup{job="x"} 0 25\n# EOF\n', externalLabels: Labels.from({ replica: 'A' }), grpcAddress: '127.0.0.1:0' });
  t.teardown(() => r.stop(100));
  t.equal(r.series, 1);
  t.equal(r.samples, 2);
  const again = await startStoreMemory({ db: r.db, grpcAddress: '127.0.0.1:0' });
  t.teardown(() => again.stop(100));
  t.equal(again.samples, 2, 'counted from the storage');
  t.not(again.address, r.address);
  const info = new InfoClient(r.address);
  t.teardown(() => info.close());
  const res = await info.info();
  t.same(res.label_sets.map((l) => labelsFromProto(l.labels).toObject()), [{ replica: 'A' }]);
  t.equal(res.store?.min_time, '10000');
  t.equal(res.store?.max_time, '25000');
});

t.test('--label parsing follows Go strconv.Unquote (as Thanos parseFlagLabels)', async (t) => {
  const cases: [string, string][] = [
    ['a="b"', 'b'],
    ['a="x=y"', 'x=y'],
    ['a="q\\"q"', 'q"q'],
    ['a="back\\\\slash"', 'back\\slash'],
    ['a="tab\\there"', 'tab\there'],
    ['a="\\x41\\101"', 'AA'],
    ['a="\\u00e9"', 'é'],
    ['a="\\U0001F600"', '\u{1F600}'],
    ['a="\\xc3\\xa9"', 'é'], // two bytes that are UTF-8 for é
    ['a=`raw\\n`', 'raw\\n'],
    ['_x9="é"', 'é'],
  ];
  for (const [flag, value] of cases) {
    const name = flag.slice(0, flag.indexOf('='));
    t.equal(parseLabelFlags([flag]).get(name), value, flag);
  }
  t.same(parseLabelFlags(['z="1"', 'a="2"']).toObject(), { a: '2', z: '1' });
  const bad: [string[], RegExp][] = [
    [['a=b'], /must be quoted/],
    [['a'], /expected name="value"/],
    [['1a="b"'], /invalid label name/],
    [['a-b="c"'], /invalid label name/],
    [['a="b'], /must be quoted/],
    [['a="b"c"'], /unescaped quote/],
    [['a="b\\q"'], /unknown escape/],
    [['a="\\x4"'], /bad \\x escape/],
    [['a="\\400"'], /octal escape above/],
    [["a='b'"], /must be quoted/],
    [['a=""'], /empty value/],
    [['a="1"', 'a="2"'], /given twice/],
  ];
  for (const [flags, msg] of bad) {
    t.throws(() => parseLabelFlags(flags), { message: msg }, flags.join(' '));
    t.throws(() => parseLabelFlags(flags), UsageError, flags.join(' '));
  }
});

t.test('usage errors: clear message and exit code 2', async (t) => {
  const cases: [string[], RegExp][] = [
    [[`--openmetrics=${FILE}`, '--label=cluster=eu'], /--label "cluster=eu": .*quoted/],
    [[`--openmetrics=${FILE}`, '--label=9x="a"'], /invalid label name/],
    [[`--openmetrics=${join(dir, 'missing.om')}`], /--openmetrics: cannot read .*missing\.om.*ENOENT/],
    [[`--openmetrics=${dir}`], /--openmetrics: cannot read/],
    [[`--openmetrics=${FILE}`, '--grpc-address=localhost'], /--grpc-address.*not a host:port address: "localhost"/],
    [[`--openmetrics=${FILE}`, '--grpc-address=127.0.0.1:99999'], /not a host:port address/],
    [[], /required option '--openmetrics/],
  ];
  for (const [args, msg] of cases) {
    const r = await runCli(['tools', 'store-memory', ...args]);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, msg, args.join(' '));
  }
  const badFile = join(dir, 'bad.om');
  writeFileSync(badFile, 'up 1 10\nup{job="x" 2 20\n# EOF\n');
  const r = await runCli(['tools', 'store-memory', `--openmetrics=${badFile}`]);
  t.equal(r.code, 2, 'malformed file');
  t.match(r.stderr, /bad\.om: openmetrics line 2:/);
});

t.test(
  'regression: a label value "0" survives the wire (node_cpu_seconds_total{cpu="0"} in the demo)',
  async (t) => {
    const r = await startStoreMemory({ text: 'x{cpu="0"} 1 10\nx{cpu="1"} 1 10\n# EOF\n', grpcAddress: '127.0.0.1:0' });
    t.teardown(() => r.stop(100));
    const store = new StoreClient(r.address);
    t.teardown(() => store.close());
    const got: string[] = [];
    for await (const f of store.series({ min_time: '0', max_time: MAX_INT64, matchers: [{ type: 0, name: '__name__', value: 'x' }] })) {
      if (f.result === 'series') got.push(labelsFromProto(f.series.labels).toString());
    }
    t.same(got, ['x{cpu="0"}', 'x{cpu="1"}']);
  },
);
