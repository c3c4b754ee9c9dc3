// `promfed sidecar` as a user runs it: flag errors exit 2; with a Prometheus it serves, becomes ready,
// ships blocks when given an objstore config (a bad one is exit 2), and stops on SIGTERM.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMinTime } from '../../src/cli/sidecar.js';
import { InfoClient } from '../../src/storeapi/index.js';
import { runCli } from '../helpers/cli.js';
import { fakePrometheus } from './fake-prometheus.js';
import { waitFor } from './sidecar-fixture.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

t.test('bad flag values exit 2 with a message naming the flag', async (t) => {
  for (const [flag, msg] of [
    ['--prometheus.url=ftp://x', /must be an http or https URL/],
    ['--prometheus.url=not a url', /not a URL/],
    ['--min-time=yesterday', /not an RFC 3339 time or a duration/],
    ['--min-time=2024-13-45T00:00:00Z', /not an RFC 3339 time/],
    ['--grpc-address=nope', /not a host:port address/],
    ['--prometheus.get_config_interval=5 minutes', /not a valid duration/],
    ['--log.level=loud', /Allowed choices are debug, info, warn, error/],
  ] as const) {
    const r = await runCli(['sidecar', flag]);
    t.equal(r.code, 2, flag);
    t.match(r.stderr, msg, flag);
  }
});

t.test('--min-time: RFC 3339 is fixed, a duration moves with the clock', async (t) => {
  t.equal(parseMinTime('2024-01-01T00:00:00Z')(), 1704067200000);
  t.equal(parseMinTime('0000-01-01T00:00:00Z')(), -62167219200000, "Thanos's default, year 0");
  const before = Date.now();
  const v = parseMinTime('-2h')();
  t.ok(v >= before - 7_200_000 && v <= Date.now() - 7_200_000);
  t.ok(parseMinTime('30m')() > Date.now());
});

t.test('a bad objstore config is exit 2 before anything listens', async (t) => {
  const r = await runCli(['sidecar', '--objstore.config=type: FILESYSTEM', '--grpc-address=127.0.0.1:0', '--http-address=127.0.0.1:0']);
  t.equal(r.code, 2);
  t.match(r.stderr, /directory/);
  const unknown = await runCli(['sidecar', '--objstore.config=type: S4\nconfig: {}', '--grpc-address=127.0.0.1:0', '--http-address=127.0.0.1:0']);
  t.equal(unknown.code, 2);
});

t.test('runs: ready once Prometheus answers, shipping on with an objstore config, SIGTERM exits 0', async (t) => {
  const prom = await fakePrometheus();
  t.teardown(() => prom.close());
  const dir = mkdtempSync(join(tmpdir(), 'promfed-sidecar-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const objstore = `type: FILESYSTEM\nconfig:\n  directory: ${join(dir, 'bucket')}`;
  const child = spawn(
    process.execPath,
    ['--import=tsx', MAIN, 'sidecar', `--prometheus.url=${prom.url}`, `--tsdb.path=${join(dir, 'tsdb')}`, '--grpc-address=127.0.0.1:0', '--http-address=127.0.0.1:0', `--objstore.config=${objstore}`, '--log.level=info'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => /promfed sidecar started/.test(out), 20_000, 'start log line');
  const started = out.split('\n').map((l) => (l.startsWith('{') ? (JSON.parse(l) as Record<string, string>) : {})).find((l) => l.msg === 'promfed sidecar started')!;
  t.notMatch(out, /not implemented/);
  await waitFor(async () => (await fetch(`http://${started.http}/-/ready`)).status === 200, 10_000, 'ready');
  const info = new InfoClient(started.grpc);
  t.equal((await info.info()).ComponentType, 'sidecar');
  info.close();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  t.equal(await exited, 0);
});

t.test('--prometheus.ready_timeout: a Prometheus that never answers makes the sidecar exit with an error saying so', async (t) => {
  const started = Date.now();
  const r = await runCli(['sidecar', '--prometheus.url=http://127.0.0.1:1', '--prometheus.ready_timeout=1s', '--grpc-address=127.0.0.1:0', '--http-address=127.0.0.1:0'], {
    timeoutMs: 30_000,
  });
  t.equal(r.code, 1, 'exit 1, not a hang');
  t.match(r.stdout + r.stderr, /Prometheus at http:\/\/127\.0\.0\.1:1 not ready within 1000 ms \(--prometheus\.ready_timeout\): .*ECONNREFUSED/);
  t.ok(Date.now() - started < 20_000, 'soon after the timeout');
});
