import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const bad: [string, string[], RegExp][] = [
  ['malformed duration', ['--query.timeout=soon'], /--query\.timeout.*not a valid duration/],
  ['dns+ without port', ['--endpoint=dns+store.local'], /missing port/],
  ['unknown dedup func', ['--deduplication.func=median'], /must be penalty or chain/],
  ['bad selector label', ['--selector-label=cluster'], /expected name="value"/],
  ['strict endpoint must be static', ['--endpoint-strict=dnssrv+_grpc._tcp.x'], /static host:port/],
  ['bad listen address', ['--http-address=localhost'], /not a host:port address/],
  ['unknown feature', ['--enable-feature=time-travel'], /unknown feature/],
  ['max-concurrent not a number', ['--query.max-concurrent=many'], /not a positive integer/],
];

for (const [name, args, re] of bad) {
  t.test(`query: ${name} is exit code 2 with a clear message`, async (t) => {
    const r = await runCli(['query', ...args]);
    t.equal(r.code, 2);
    t.match(r.stderr, re);
  });
}

t.test('query starts, becomes ready, and exits 0 on SIGTERM', async (t) => {
  const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import=tsx', main, 'query', '--http-address=127.0.0.1:0', '--grpc-address=127.0.0.1:0', '--query.replica-label=replica,rule_replica'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const started = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"http":"([^"]+)"/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
  });
  const http = await started;
  // Ready after the first endpoint update (no endpoints: an empty round still counts).
  let ready = 0;
  for (let i = 0; i < 50 && ready !== 200; i++) {
    ready = (await fetch(`http://${http}/-/ready`)).status;
    if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(ready, 200);
  t.equal((await fetch(`http://${http}/-/healthy`)).status, 200);
  const code = await new Promise<number | null>((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', resolve);
    child.kill('SIGTERM');
  });
  t.equal(code, 0);
});
