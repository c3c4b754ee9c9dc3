// `promfed demo` (what `npm start` runs) as a user meets it: started as a process, its printed "Try it" commands
// run as printed, through a real shell and curl.
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { needBinary } from '../helpers/peers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const curl = needBinary(t, 'curl');

if (curl) {
  t.test('every command the demo prints runs and answers success', async (t) => {
    const child = spawn(process.execPath, ['--import=tsx', MAIN, 'demo', '--http-address=127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    t.teardown(() => {
      child.kill('SIGTERM');
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!out.includes('Ctrl-C stops it.')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`demo did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const commands = out.split('\n').filter((l) => l.trimStart().startsWith('curl ')).map((l) => l.replace(/\s+#.*$/, '').trim());
    t.ok(commands.length >= 3, `${commands.length} commands printed`);
    for (const cmd of commands) {
      const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) =>
        execFile('bash', ['-c', cmd], { timeout: 30_000 }, (err, stdout) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout })),
      );
      t.equal(code, 0, `exit 0: ${cmd}`);
      t.match(JSON.parse(stdout || '{}'), { status: 'success' }, `success: ${cmd}`);
      if (cmd.includes('sum by (job)')) {
        const jobs = (JSON.parse(stdout).data.result as { metric: { job: string } }[]).map((r) => r.metric.job).sort();
        t.ok(jobs.length > 1 && new Set(jobs).size === jobs.length, `one rate per job: ${jobs.join(', ')}`);
      }
    }
  });
}
