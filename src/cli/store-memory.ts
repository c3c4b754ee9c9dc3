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
import { parseLabelFlags } from './label-flags.js';
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
