// `promfed store` as a user runs it: flag errors exit 2 with a clear message; a real run over a FILESYSTEM
// bucket becomes ready after its first sync, serves Info/Series over gRPC and metrics over HTTP, and exits
// 0 on SIGTERM.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Labels, Matcher, MatchType } from '../../src/model/index.js';
import { InfoClient, matchersToProto, StoreClient } from '../../src/storeapi/index.js';
import { writeBlock } from '../../src/tsdb/index.js';
import { runCli } from '../helpers/cli.js';
import { until } from '../helpers/wait.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const FS = (dir: string): string => `type: FILESYSTEM\nconfig:\n  directory: ${dir}\n`;

t.test('bad flags and configs: a message naming the problem, exit 2', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'promfed-store-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ok = `--objstore.config=${FS(dir)}`;
  const cases: [string[], RegExp][] = [
    [[], /no object storage configured/],
    [['--objstore.config=type: S4\nconfig: {}'], /unknown objstore type "S4"/],
    [['--objstore.config=type: FILESYSTEM\nconfig: {}'], /FILESYSTEM: missing config.directory/],
    [['--objstore.config=a: [b'], /invalid YAML/],
    [['--objstore.config-file=/nonexistent/x.yml'], /\/nonexistent\/x.yml/],
    [[ok, '--index-cache-size=12XB'], /not a size: "12XB"/],
    [[ok, '--chunk-pool-size=lots'], /not a size/],
    [[ok, '--min-time=yesterday'], /not an RFC 3339 time or a duration/],
    [[ok, '--sync-block-duration=soon'], /not a valid duration/],
    [[ok, '--store.grpc.series-max-concurrency=0'], /not a positive integer/],
    [[ok, '--selector.relabel-config=- action: replace\n  source_labels: [a]'], /action "replace" is not allowed/],
    [[ok, '--grpc-address=nonsense'], /not a host:port/],
  ];
  // Three at a time: each is a Node process loading the CLI, and a loaded machine times out a dozen at once.
  const results: Awaited<ReturnType<typeof runCli>>[] = [];
  for (let i = 0; i < cases.length; i += 3) {
    results.push(...(await Promise.all(cases.slice(i, i + 3).map(([args]) => runCli(['store', ...args], { timeoutMs: 60_000 })))));
  }
  cases.forEach(([args, msg], i) => {
    t.equal(results[i]!.code, 2, args.join(' '));
    t.match(results[i]!.stderr, msg, args.join(' '));
  });
});

t.test('a running store: ready after sync, Info and Series over gRPC, metrics, clean exit on SIGTERM', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'promfed-store-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const bucket = join(dir, 'bucket');
  const ts = Float64Array.from({ length: 240 }, (_, i) => 1_700_000_000_000 + i * 15_000);
  const meta = writeBlock(bucket, [{ labels: Labels.from({ __name__: 'up', job: 'api' }), timestamps: ts, values: new Float64Array(240).fill(1) }], {
    thanos: { labels: { cluster: 'c1' } },
  });
  await writeFile(join(dir, 'obj.yml'), FS(bucket));
  // Port 0 for both listeners, read back from the start-up log line: a port found free beforehand could be
  // taken by another test's server before the child binds it.
  const child = spawn(
    process.execPath,
    ['--import=tsx', MAIN, 'store', `--objstore.config-file=${join(dir, 'obj.yml')}`, `--data-dir=${join(dir, 'data')}`, '--grpc-address=127.0.0.1:0', '--http-address=127.0.0.1:0', '--log.level=info'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const startedLine = (): string | undefined => output.split('\n').find((l) => l.includes('promfed store started'));
  await until(() => startedLine() !== undefined || child.exitCode !== null, 30_000, 20);
  const httpAddress = /"http":"([^"]+)"/.exec(startedLine() ?? '')?.[1];
  const grpcAddress = /"grpc":"([^"]+)"/.exec(startedLine() ?? '')?.[1];
  t.ok(httpAddress && grpcAddress, `listening, addresses logged (${output.slice(-2000)})`);

  let ready = false;
  for (let i = 0; i < 200 && !ready; i++) {
    try {
      ready = (await fetch(`http://${httpAddress}/-/ready`)).status === 200;
    } catch {
      // not listening yet
    }
    if (!ready) await new Promise((r) => setTimeout(r, 100));
  }
  t.ok(ready, `ready (${output.slice(-2000)})`);
  t.equal(await (await fetch(`http://${httpAddress}/-/healthy`)).text(), 'OK');

  const info = new InfoClient(grpcAddress!);
  const store = new StoreClient(grpcAddress!);
  t.teardown(() => (info.close(), store.close()));
  const i = await info.info();
  t.equal(i.ComponentType, 'store');
  t.same(i.store?.min_time, String(meta.minTime));
  t.same(i.store?.max_time, String(meta.maxTime));
  let samplesSeries = 0;
  for await (const f of store.series({ min_time: '0', max_time: String(meta.maxTime), matchers: matchersToProto([new Matcher(MatchType.EQ, 'job', 'api')]) })) {
    if (f.result === 'series') {
      samplesSeries++;
      t.same(f.series.labels, [
        { name: '__name__', value: 'up' },
        { name: 'cluster', value: 'c1' },
        { name: 'job', value: 'api' },
      ]);
      t.equal(f.series.chunks.length, 2, '240 samples cut in two chunks of 120');
    }
  }
  t.equal(samplesSeries, 1);
  const metrics = await (await fetch(`http://${httpAddress}/metrics`)).text();
  t.match(metrics, /^promfed_store_blocks_loaded 1$/m);
  t.match(metrics, /^promfed_store_bucket_bytes_fetched_total\{kind="chunks"\} \d+$/m);

  child.kill('SIGTERM');
  const code = await exited;
  t.equal(code, 0, code === 0 ? 'exit 0 on SIGTERM' : `exit ${code}: ${output.slice(-2000)}`);
});
