/**
 * A real Prometheus (the Debian binary) for end-to-end tests: started in a temp dir on a free loopback
 * port with the given config, optionally over TSDB blocks made by promtool, ready when /-/ready answers,
 * stopped by PID (SIGTERM, then SIGKILL after a grace period). Every instance still running when the test
 * process exits is killed, so a failing test never leaves a Prometheus behind.
 *
 * Flags as peers.md §1 recommends for imported data: retention 100y (time retention counts from the newest
 * block, and 2024 data would otherwise be deleted once newer data exists) and min = max block duration 2h
 * (Prometheus would otherwise compact the imported blocks a minute after start).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PrometheusOptions {
  /** Path of the prometheus binary (from needBinary). */
  binary: string;
  /** prometheus.yml; a function gets the port it will listen on (for self-scrape configs). */
  config: string | ((port: number) => string);
  /** Directories of TSDB blocks (e.g. promtool output) copied into the data dir before start. */
  blocks?: string[];
  /** Reuse a data dir (restart after stop); default: a new one under a new temp dir. */
  dataDir?: string;
  /** Reuse a port (restart after stop). */
  port?: number;
  extraArgs?: string[];
  readyTimeoutMs?: number;
  /**
   * Serve HTTPS with basic auth (`--web.config.file`): the web config YAML, the CA that signed its certificate
   * and the Authorization header to send; the URL is then https.
   */
  web?: { config: string; ca: Buffer; authorization: string };
}

export interface RunningPrometheus {
  url: string;
  port: number;
  dir: string;
  dataDir: string;
  pid: number;
  /** stdout+stderr so far (for failure messages). */
  log(): string;
  /** SIGTERM, SIGKILL after 5 s; resolves when the process has exited. Idempotent. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) if (c.pid !== undefined && c.exitCode === null) process.kill(c.pid, 'SIGKILL');
});

/** A port that was free a moment ago (Prometheus cannot be told to pick one and report it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPrometheus(opts: PrometheusOptions): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'promfed-prom-'));
  const dataDir = opts.dataDir ?? join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  for (const src of opts.blocks ?? []) {
    for (const b of readdirSync(src)) cpSync(join(src, b), join(dataDir, b), { recursive: true });
  }
  let lastErr: unknown;
  // A port found free can be taken before Prometheus binds it; retry with another.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = opts.port ?? (await freePort());
    const configPath = join(dir, 'prometheus.yml');
    writeFileSync(configPath, typeof opts.config === 'function' ? opts.config(port) : opts.config);
    const args = [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=100y',
      '--storage.tsdb.min-block-duration=2h',
      '--storage.tsdb.max-block-duration=2h',
      ...(opts.web ? [`--web.config.file=${join(dir, 'web.yml')}`] : []),
      ...(opts.extraArgs ?? []),
    ];
    if (opts.web) writeFileSync(join(dir, 'web.yml'), opts.web.config);
    const child = spawn(opts.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
          process.kill(child.pid, 'SIGTERM');
          const timer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
        }
        live.delete(child);
      })();
      return stopping;
    };
    const url = `${opts.web ? 'https' : 'http'}://127.0.0.1:${port}`;
    try {
      await waitReady(url, child, opts.readyTimeoutMs ?? 30_000, opts.web);
      return { url, port, dir, dataDir, pid: child.pid!, log: () => output, stop };
    } catch (err) {
      await stop();
      lastErr = new Error(`${(err as Error).message}\n--- prometheus output ---\n${output.slice(-3000)}`);
      if (opts.port !== undefined || !/address already in use/.test(output)) break;
    }
  }
  throw lastErr;
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number, web?: PrometheusOptions['web']): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`prometheus exited (${child.exitCode ?? child.signalCode}) before ready`);
    try {
      const res = await get(`${url}/-/ready`, web);
      // Prometheus says so in its own words: another server that took the port first (freePort races) may
      // answer /-/ready 200 too (ours answer "OK") while our Prometheus is failing to bind.
      if (res.status === 200 && res.body.includes('Prometheus')) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`prometheus at ${url} not ready within ${timeoutMs} ms`);
}

/** A GET with a 1 s deadline; over https with the given CA and Authorization header. */
function get(url: string, web?: PrometheusOptions['web']): Promise<{ status: number; body: string }> {
  if (!web) return fetch(url, { signal: AbortSignal.timeout(1000) }).then(async (r) => ({ status: r.status, body: await r.text() }));
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca: web.ca, headers: { authorization: web.authorization }, timeout: 1000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** `promtool tsdb create-blocks-from openmetrics` of `text` into a new temp dir of blocks; returns it. */
export async function createBlocks(promtool: string, text: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'promfed-blocks-'));
  const om = join(dir, 'data.om');
  writeFileSync(om, text);
  await run(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', om, dir], { maxBuffer: 16 * 1024 * 1024 });
  rmSync(om);
  return dir;
}

/** Removes a temp dir made by startPrometheus or createBlocks. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
