/**
 * `promfed tools store-memory --openmetrics=FILE [--label='name="value"' ...] --grpc-address=HOST:PORT`:
 * a StoreAPI server (thanos.Store + thanos.info.Info) over an OpenMetrics text file held in memory, with the
 * `--label` pairs as external labels. Used by tests, benchmarks and the demo (in-process via startStoreMemory).
 *
 * Info's ComponentType is "store": like a Thanos store gateway it serves a fixed, already-written data set
 * with a bounded time range (Info min/max = the file's first and last sample), not live data as "sidecar",
 * and it accepts no writes as "receive" would. It runs until SIGINT or SIGTERM, then stops the gRPC server
 * gracefully (running calls get up to 5 s) and exits 0.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { Labels } from '../model/index.js';
import { loadOpenMetrics, MemoryStorage } from '../storage/index.js';
import { memoryStoreApi, startGrpcServer } from '../storeapi/index.js';
import { collect, grpcFlags } from './flags.js';
import { UsageError } from './usage-error.js';

/** Thanos's default for --grpc-address. */
export const DEFAULT_GRPC_ADDRESS = '0.0.0.0:10901';
const STOP_GRACE_MS = 5_000;

export interface StoreMemoryOptions {
  /** The data: a ready MemoryStorage, or OpenMetrics text loaded into a new one (malformed text: BadDataError). */
  db?: MemoryStorage;
  text?: string;
  externalLabels?: Labels;
  /** host:port; port 0 picks a free one. Default 0.0.0.0:10901. */
  grpcAddress?: string;
  /** Info's ComponentType (default "store", see the file comment). */
  componentType?: string;
}

export interface RunningStoreMemory {
  /** host:port with the bound port. */
  readonly address: string;
  readonly db: MemoryStorage;
  readonly series: number;
  readonly samples: number;
  /** Stops taking calls; running ones get `graceMs` (default 5 s) before they are cancelled. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts an in-memory StoreAPI server; the demo and tests run replicas in-process with it. */
export async function startStoreMemory(opts: StoreMemoryOptions): Promise<RunningStoreMemory> {
  if ((opts.db === undefined) === (opts.text === undefined)) throw new TypeError('startStoreMemory: give exactly one of db or text');
  let db = opts.db;
  let series: number;
  let samples: number;
  if (db === undefined) {
    db = new MemoryStorage();
    ({ series, samples } = loadOpenMetrics(opts.text!, db));
  } else {
    series = db.seriesCount;
    samples = 0;
    for (const s of db.allSeries()) samples += s.timestamps.length;
  }
  const srv = await startGrpcServer(
    opts.grpcAddress ?? DEFAULT_GRPC_ADDRESS,
    memoryStoreApi(db, { componentType: opts.componentType ?? 'store', externalLabels: opts.externalLabels ?? Labels.EMPTY }),
  );
  return { address: srv.address, db, series, samples, stop: (graceMs = STOP_GRACE_MS) => srv.stop(graceMs) };
}

export function registerStoreMemory(tools: Command): void {
  const cmd = tools
    .command('store-memory')
    .description('serve an OpenMetrics text file from memory over the Thanos StoreAPI (gRPC)')
    .requiredOption('--openmetrics <file>', 'OpenMetrics text file (the format `promtool tsdb create-blocks-from openmetrics` reads)')
    .option('--label <name="value">', 'external label of this store (repeatable)', collect, []);
  grpcFlags(cmd, DEFAULT_GRPC_ADDRESS).action(async (opts: { openmetrics: string; label: string[]; grpcAddress: string }) => {
      await runStoreMemory(opts, (s) => process.stdout.write(s), (s) => process.stderr.write(s));
    });
}

async function runStoreMemory(
  opts: { openmetrics: string; label: string[]; grpcAddress: string },
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<void> {
  const externalLabels = parseLabelFlags(opts.label);
  // An empty host means every interface, as in Go; grpc-js wants it spelled out.
  const grpcAddress = opts.grpcAddress.startsWith(':') ? `0.0.0.0${opts.grpcAddress}` : opts.grpcAddress;
  let text: string;
  try {
    text = await readFile(opts.openmetrics, 'utf8');
  } catch (e) {
    throw new UsageError(`--openmetrics: cannot read ${opts.openmetrics}: ${(e as Error).message}`, { cause: e });
  }
  const db = new MemoryStorage();
  let loaded;
  try {
    loaded = loadOpenMetrics(text, db);
  } catch (e) {
    throw new UsageError(`--openmetrics: ${opts.openmetrics}: ${(e as Error).message}`, { cause: e });
  }

  // gRPC server
  const running = await startStoreMemory({ db, externalLabels, grpcAddress });
  out(
    `promfed store-memory: listening on ${running.address} (gRPC StoreAPI), ` +
      `${loaded.series} series, ${loaded.samples} samples from ${opts.openmetrics}, external labels ${externalLabels.toString()}\n`,
  );

  // Signals: run until asked to stop.
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const on = (s: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
  err(`promfed store-memory: ${signal}, stopping\n`);
  await running.stop();
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * `--label` values as Thanos parses them (`parseFlagLabels`): split at the first `=`, a valid label name,
 * the value unquoted with Go's strconv.Unquote ("…" with escapes, or `…` raw). Unlike Thanos we also refuse a
 * repeated name and an empty value: both would silently lose a label (Prometheus drops empty-valued labels).
 */
export function parseLabelFlags(flags: readonly string[]): Labels {
  const pairs = new Map<string, string>();
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq < 0) throw new UsageError(`--label ${JSON.stringify(flag)}: expected name="value"`);
    const name = flag.slice(0, eq);
    if (!LABEL_NAME.test(name)) throw new UsageError(`--label ${JSON.stringify(flag)}: invalid label name ${JSON.stringify(name)}`);
    let value: string;
    try {
      value = goUnquote(flag.slice(eq + 1));
    } catch (e) {
      throw new UsageError(`--label ${JSON.stringify(flag)}: unquote label value: ${(e as Error).message}`);
    }
    if (value === '') throw new UsageError(`--label ${JSON.stringify(flag)}: empty value`);
    if (pairs.has(name)) throw new UsageError(`--label ${JSON.stringify(flag)}: label ${name} given twice`);
    pairs.set(name, value);
  }
  return Labels.from(pairs);
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };

/**
 * Go's strconv.Unquote for "…" and `…` (single quotes hold one character in Go, never a label value).
 * \x and octal escapes are bytes, so bytes are collected and read as UTF-8 at the end.
 */
function goUnquote(s: string): string {
  if (s.length >= 2 && s[0] === '`' && s.endsWith('`')) {
    const body = s.slice(1, -1);
    if (body.includes('`')) throw new Error('invalid syntax');
    return body.replace(/\r/g, ''); // Go drops carriage returns from raw strings
  }
  if (s.length < 2 || s[0] !== '"' || !s.endsWith('"')) throw new Error('invalid syntax: the value must be quoted, as name="value"');
  const body = s.slice(1, -1);
  const bytes: number[] = [];
  const text = (t: string): void => {
    for (const b of Buffer.from(t, 'utf8')) bytes.push(b);
  };
  for (let i = 0; i < body.length; ) {
    const c = body[i];
    if (c === '"' || c === '\n') throw new Error('invalid syntax: unescaped ' + (c === '"' ? 'quote' : 'newline'));
    if (c !== '\\') {
      const cp = body.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      text(ch);
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) throw new Error('invalid syntax: trailing backslash');
    if (SIMPLE_ESCAPES[e] !== undefined) {
      text(SIMPLE_ESCAPES[e]);
      i += 2;
      continue;
    }
    const [digits, base] = e === 'x' ? [2, 16] : e === 'u' ? [4, 16] : e === 'U' ? [8, 16] : e >= '0' && e <= '7' ? [3, 8] : [0, 0];
    if (digits === 0) throw new Error(`invalid syntax: unknown escape \\${e}`);
    const start = base === 8 ? i + 1 : i + 2;
    const hex = body.slice(start, start + digits);
    if (hex.length !== digits || !(base === 8 ? /^[0-7]+$/ : /^[0-9a-fA-F]+$/).test(hex)) throw new Error(`invalid syntax: bad \\${e} escape`);
    const x = parseInt(hex, base);
    if (e === 'u' || e === 'U') {
      if (x > 0x10ffff || (x >= 0xd800 && x < 0xe000)) throw new Error('invalid syntax: bad code point');
      text(String.fromCodePoint(x));
    } else {
      if (x > 255) throw new Error('invalid syntax: octal escape above \\377');
      bytes.push(x);
    }
    i = start + digits;
  }
  return Buffer.from(bytes).toString('utf8');
}
