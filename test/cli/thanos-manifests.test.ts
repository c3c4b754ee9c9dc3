// Swapping images in existing manifests: the arguments kube-thanos gives its querier and store gateway, and
// prometheus-operator its sidecar, start our components as they are (no unknown flag, exit 2), and do what
// Thanos does with them.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Labels } from '../../src/model/index.js';
import { InfoClient } from '../../src/storeapi/index.js';
import { writeBlock } from '../../src/tsdb/index.js';
import { runCli } from '../helpers/cli.js';
import { until } from '../helpers/wait.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** Starts `promfed <args>`; resolves with its logged addresses once it says it started. `stop()`: SIGTERM, the exit code. */
async function start(t: Test, args: string[]): Promise<{ http: string; grpc: string; output(): string; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import=tsx', MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const line = (): string | undefined => output.split('\n').find((l) => /promfed \w+ started/.test(l));
  await until(() => line() !== undefined || child.exitCode !== null, 60_000, 20);
  if (line() === undefined) throw new Error(`${args[0]} did not start (exit ${child.exitCode}):\n${output.slice(-2000)}`);
  const stop = (): Promise<number | null> => {
    child.kill('SIGTERM');
    return exited;
  };
  return { http: /"http":"([^"]+)"/.exec(line()!)![1], grpc: /"grpc":"([^"]+)"/.exec(line()!)![1], output: () => output, stop };
}

async function ready(http: string): Promise<boolean> {
  for (let i = 0; i < 300; i++) {
    if ((await fetch(`http://${http}/-/ready`).catch(() => undefined))?.status === 200) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

t.test('kube-thanos querier arguments, --query.auto-downsampling included', async (t) => {
  const q = await start(t, [
    'query',
    '--grpc-address=127.0.0.1:0',
    '--http-address=127.0.0.1:0',
    '--log.level=info',
    '--log.format=logfmt',
    '--query.replica-label=prometheus_replica',
    '--query.replica-label=rule_replica',
    '--query.timeout=5m',
    '--query.lookback-delta=15m',
    '--query.auto-downsampling',
    '--tracing.config=type: JAEGER\nconfig: {service_name: thanos-query}',
  ]);
  t.ok(await ready(q.http), 'ready');
  t.match(q.output(), /warning: tracing is not implemented; --tracing.config is accepted and ignored/, 'a tracing config is accepted, with a warning');
  t.equal(await q.stop(), 0, 'exit 0 on SIGTERM');
});

t.test('kube-thanos store arguments; --ignore-deletion-marks-delay (24h by default) keeps a just-marked block served', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'promfed-manifests-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const bucket = join(dir, 'bucket');
  const ts = Float64Array.from({ length: 120 }, (_, i) => 1_700_000_000_000 + i * 15_000);
  const meta = writeBlock(bucket, [{ labels: Labels.from({ __name__: 'up', job: 'api' }), timestamps: ts, values: new Float64Array(120).fill(1) }], {
    thanos: { labels: { cluster: 'marked' } },
  });
  // Marked for deletion a minute ago, as the compactor does once it has replaced the block.
  await writeFile(join(bucket, meta.ulid, 'deletion-mark.json'), JSON.stringify({ id: meta.ulid, version: 1, deletion_time: Math.floor(Date.now() / 1000) - 60 }));
  const objstore = `--objstore.config=type: FILESYSTEM\nconfig:\n  directory: ${bucket}\n`;
  const common = ['store', '--log.level=info', '--log.format=logfmt', '--grpc-address=127.0.0.1:0', '--http-address=127.0.0.1:0', objstore];
  const labelSets = async (grpc: string): Promise<string[]> => {
    const info = new InfoClient(grpc);
    try {
      return (await info.info()).label_sets.map((s) => s.labels.map((l) => `${l.name}=${l.value}`).join(','));
    } finally {
      info.close();
    }
  };
  const byDefault = await start(t, [...common, `--data-dir=${join(dir, 'a')}`]);
  t.ok(await ready(byDefault.http), 'ready');
  t.same(await labelSets(byDefault.grpc), ['cluster=marked'], 'default delay: the block marked a minute ago is still served');
  const explicit = await start(t, [...common, `--data-dir=${join(dir, 'b')}`, '--ignore-deletion-marks-delay=24h']);
  t.ok(await ready(explicit.http));
  t.same(await labelSets(explicit.grpc), ['cluster=marked'], 'the kube-thanos value, the same');
  const none = await start(t, [...common, `--data-dir=${join(dir, 'c')}`, '--ignore-deletion-marks-delay=30s']);
  t.ok(await ready(none.http));
  t.same(await labelSets(none.grpc), [], 'a delay shorter than the mark’s age: no longer served');
  for (const s of [byDefault, explicit, none]) t.equal(await s.stop(), 0, 'exit 0 on SIGTERM');
});

t.test('prometheus-operator sidecar arguments start the sidecar (not ready while Prometheus is away)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'promfed-manifests-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const sc = await start(t, [
    'sidecar',
    '--prometheus.url=http://127.0.0.1:1/',
    '--grpc-address=127.0.0.1:0',
    '--http-address=127.0.0.1:0',
    '--log.level=info',
    '--log.format=logfmt',
    `--tsdb.path=${dir}`,
    // What the operator adds when Prometheus serves TLS: JSON, which is YAML too.
    '--prometheus.http-client={"tls_config": {"insecure_skip_verify":true}}',
  ]);
  t.equal((await fetch(`http://${sc.http}/-/healthy`)).status, 200, 'healthy');
  t.equal((await fetch(`http://${sc.http}/-/ready`)).status, 503, 'not ready without Prometheus');
  t.equal(await sc.stop(), 0, 'exit 0 on SIGTERM');
});

t.test('hand-written Thanos sidecar arguments with --reloader.*: the substituted config is written, bad ones refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'promfed-manifests-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'rules'));
  await mkdir(join(dir, 'shared'));
  await writeFile(join(dir, 'prometheus.yml.tmpl'), 'global:\n  external_labels: {replica: $(PROMFED_MANIFEST_POD)}\n');
  process.env.PROMFED_MANIFEST_POD = 'prometheus-0'; // the child inherits it, as from the pod's env
  t.teardown(() => delete process.env.PROMFED_MANIFEST_POD);
  const reloaderArgs = [
    `--reloader.config-file=${join(dir, 'prometheus.yml.tmpl')}`,
    `--reloader.config-envsubst-file=${join(dir, 'shared', 'prometheus.yml')}`,
    `--reloader.rule-dir=${join(dir, 'rules')}`,
    '--reloader.watch-interval=3m',
    '--reloader.retry-interval=5s',
  ];
  const common = ['sidecar', '--prometheus.url=http://127.0.0.1:1/', '--grpc-address=127.0.0.1:0', '--http-address=127.0.0.1:0', `--tsdb.path=${dir}`];
  const sc = await start(t, [...common, ...reloaderArgs]);
  const out = join(dir, 'shared', 'prometheus.yml');
  await until(() => existsSync(out), 10_000, 50);
  t.equal(await readFile(out, 'utf8').catch(() => ''), 'global:\n  external_labels: {replica: prometheus-0}\n', 'written for Prometheus, substituted, while Prometheus is still away');
  t.equal(await sc.stop(), 0, 'exit 0 on SIGTERM');

  const bad = await runCli([...common, '--reloader.method=kill']);
  t.equal(bad.code, 2, 'an unknown --reloader.method is a usage error');
  t.match(bad.stderr, /http, signal/);
  const missing = await runCli([...common, `--reloader.rule-dir=${join(dir, 'no-such-dir')}`]);
  t.equal(missing.code, 1, 'a rule directory that cannot be watched stops the sidecar');
  t.match(missing.stdout + missing.stderr, /reloader: cannot watch .*no-such-dir/);
});
