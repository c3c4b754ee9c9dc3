/**
 * A throwaway Debian Prometheus 2.42 serving given OpenMetrics data: promtool turns the text into blocks,
 * Prometheus serves them on 127.0.0.1 (free port) with the flags of reference/peers.md §1. Stopped by PID.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export class PrometheusInstance {
  private constructor(
    readonly url: string,
    private readonly proc: ChildProcess,
    private readonly dir: string,
  ) {}

  static async start(openMetrics: string, bins: { prometheus: string; promtool: string }): Promise<PrometheusInstance> {
    const dir = await mkdtemp(join(tmpdir(), 'promfed-oracle-'));
    const data = join(dir, 'data');
    await mkdir(data);
    await writeFile(join(dir, 'data.om'), openMetrics);
    await writeFile(join(dir, 'p.yml'), 'global: {}\n');
    if (openMetrics.trim() !== '# EOF') {
      await run(bins.promtool, ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'data.om'), data], { timeout: 60_000 });
    }
    const port = await freePort();
    const proc = spawn(
      bins.prometheus,
      [
        `--config.file=${join(dir, 'p.yml')}`,
        `--storage.tsdb.path=${data}`,
        '--storage.tsdb.retention.time=100y',
        '--storage.tsdb.min-block-duration=2h',
        '--storage.tsdb.max-block-duration=2h',
        '--enable-feature=promql-negative-offset',
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    proc.stderr?.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
    const inst = new PrometheusInstance(`http://127.0.0.1:${port}`, proc, dir);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) break;
      try {
        const r = await fetch(`${inst.url}/-/ready`);
        if (r.ok) return inst;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await inst.stop();
    throw new Error(`prometheus did not become ready:\n${log}`);
  }

  /** POSTs a form to the query API; returns the parsed JSON envelope (errors too). */
  async api(path: string, params: Record<string, string>): Promise<PromResponse> {
    const r = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
    return (await r.json()) as PromResponse;
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.pid !== undefined) {
      const exited = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

export interface PromResponse {
  status: 'success' | 'error';
  error?: string;
  errorType?: string;
  warnings?: string[];
  data?: { resultType: string; result: unknown };
}
