/**
 * A real DNS server for discovery tests: Debian dnsmasq in the foreground on 127.0.0.1 and a free port,
 * serving SRV/A records from flags (peers.md §2 has the command line and its caveats).
 *
 *   const dns = await startDnsmasq(t, { srv: [{ name: '_grpc._tcp.s.cluster.local', target: 'a.cluster.local', port: 10901 }],
 *                                        hosts: [{ name: 'a.cluster.local', ips: ['127.0.0.1'] }] });
 *   if (!dns) return;                          // skipped: no dnsmasq
 *   dnsResolver({ server: dns.server })        // '127.0.0.1:PORT'
 *   await dns.writeHostsFile('extra', [['127.0.0.3', 'c.cluster.local']]);  // A records, picked up live
 *   await dns.restart({ srv: [...] });          // SRV records only change by restarting (same port)
 *   dns.pause(); dns.resume();                  // a hung server: queries time out instead of being refused
 *
 * Names under the zone (default `cluster.local`, `--local`) without records answer NXDOMAIN; names outside it
 * answer REFUSED (no upstream). The process is killed by its PID in the test's teardown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { promises as dnsPromises } from 'node:dns';
import { mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { needBinary } from './peers.js';

export interface DnsRecords {
  /** `--srv-host=name,target,port` */
  srv?: { name: string; target: string; port: number }[];
  /** `--host-record=name,ip[,ip]`: A/AAAA records for exactly this name. */
  hosts?: { name: string; ips: string[] }[];
  /** `--address=/domain/ip`: also answers every subdomain. */
  addresses?: { domain: string; ip: string }[];
}

/** A tap Test. (Its `skip` overloads do not fit peers.ts's `SkippableTest` type, though the call works.) */
interface Teardownable {
  teardown(fn: () => unknown): void;
}

/** Starts dnsmasq for this test (stopped at teardown), or returns undefined after skipping when it is missing. */
export async function startDnsmasq(t: Teardownable, records: DnsRecords, zone = 'cluster.local'): Promise<Dnsmasq | undefined> {
  const binary = needBinary(t as unknown as Parameters<typeof needBinary>[0], 'dnsmasq');
  if (!binary) return undefined;
  const hostsdir = await mkdtemp(join(tmpdir(), 'promfed-dnsmasq-'));
  const dns = new Dnsmasq(binary, zone, hostsdir);
  t.teardown(async () => {
    await dns.stop();
    await rm(hostsdir, { recursive: true, force: true });
  });
  await dns.start(records);
  return dns;
}

const READY_NAME = 'dnsmasq-ready';

export class Dnsmasq {
  port = 0;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stderr = '';

  constructor(
    private readonly binary: string,
    readonly zone: string,
    readonly hostsdir: string,
  ) {}

  /** `127.0.0.1:PORT`, for `dnsResolver({ server })`. */
  get server(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** dnsmasq's own log (queries included), for failure messages. */
  log(): string {
    return this.stderr;
  }

  /** Starts on a fresh free port, retrying when another process takes the port first. */
  async start(records: DnsRecords): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const err = await this.spawnOn(await freeUdpPort(), records);
      if (!err) return;
      if (attempt >= 9) throw err;
    }
  }

  /** Stops and starts again on the same port (the resolver under test keeps pointing at it) with new records. */
  async restart(records: DnsRecords): Promise<void> {
    await this.stop();
    for (let attempt = 0; ; attempt++) {
      const err = await this.spawnOn(this.port, records);
      if (!err) return;
      if (attempt >= 20) throw err;
      await sleep(50);
    }
  }

  /** SIGSTOP: the socket stays bound but nothing answers, so clients time out (a hung DNS server). */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** SIGTERM by PID, SIGKILL if it lingers; resolves once the process has exited. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGCONT'); // a paused process would hold SIGTERM until resumed
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(killer);
  }

  /** Writes a hosts file (`ip name` lines) into the watched directory atomically; dnsmasq reloads it by inotify. */
  async writeHostsFile(file: string, entries: [ip: string, name: string][]): Promise<void> {
    const tmp = join(tmpdir(), `promfed-hosts-${process.pid}-${Math.random().toString(36).slice(2)}`);
    await writeFile(tmp, entries.map(([ip, name]) => `${ip} ${name}\n`).join(''));
    await rename(tmp, join(this.hostsdir, file));
  }

  async removeHostsFile(file: string): Promise<void> {
    await unlink(join(this.hostsdir, file));
  }

  /** Undefined once dnsmasq answers on `port`; the error when it exits first (e.g. port taken). */
  private async spawnOn(port: number, records: DnsRecords): Promise<Error | undefined> {
    const args = [
      '-k', '--pid-file=', '--user=root', '--conf-file=/dev/null', `--port=${port}`,
      '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts',
      '--log-queries', '--log-facility=-', `--local=/${this.zone}/`, `--hostsdir=${this.hostsdir}`,
      // Answers from flags carry TTL 0 by default; keep it so nothing between us and dnsmasq caches.
      `--host-record=${READY_NAME}.${this.zone},127.0.0.254`,
      ...(records.srv ?? []).map((r) => `--srv-host=${r.name},${r.target},${r.port}`),
      ...(records.hosts ?? []).map((h) => `--host-record=${h.name},${h.ips.join(',')}`),
      ...(records.addresses ?? []).map((a) => `--address=/${a.domain}/${a.ip}`),
    ];
    const child = spawn(this.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let exited = false;
    this.exited = new Promise((resolve) => child.once('exit', () => ((exited = true), resolve())));
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.once('error', (e) => (this.stderr += `spawn error: ${e.message}\n`));

    const probe = new dnsPromises.Resolver({ timeout: 200, tries: 1 });
    probe.setServers([`127.0.0.1:${port}`]);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (exited) return new Error(`dnsmasq exited on port ${port}:\n${this.stderr.slice(-500)}`);
      try {
        await probe.resolve4(`${READY_NAME}.${this.zone}`);
        this.child = child;
        this.port = port;
        return undefined;
      } catch {
        await sleep(20);
      }
    }
    child.kill('SIGKILL');
    await this.exited;
    return new Error(`dnsmasq did not answer on port ${port} within 10 s:\n${this.stderr.slice(-500)}`);
  }
}

/** A UDP port nobody holds right now: bind port 0, read it, close. (TCP may still be taken; start retries.) */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    sock.once('error', reject);
    sock.bind(0, '127.0.0.1', () => {
      const { port } = sock.address();
      sock.close(() => resolve(port));
    });
  });
}
