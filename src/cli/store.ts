/**
 * `promfed store`: the store gateway — TSDB blocks in object storage served over the StoreAPI. Flags keep
 * Thanos's names and defaults (except --sync-block-duration: 3m here, 15m in Thanos, so new blocks show up
 * sooner). This file only wires: objstore config → bucket → bucket store (sync loop) → gRPC StoreAPI, plus
 * probes and metrics on HTTP.
 */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Bucket } from '../objstore/index.js';
import {
  createBucketStore,
  createStoreHttp,
  MAX_TIME_DEFAULT,
  MIN_TIME_DEFAULT,
  parseBase2Bytes,
  parseRelabelConfig,
  parseTimeOrDuration,
  type BucketStore,
  type RelabelRule,
  type TimeSpec,
} from '../store/index.js';
import { startGrpcServer } from '../storeapi/index.js';
import { runActors, type Actor } from './actors.js';
import { bucketFromObjstoreFlags, grpcFlags, httpFlags, logFlags, objstoreFlags, parseDurationFlag, parsePositiveInt, splitHostPort, type LogLevel } from './flags.js';
import { UsageError } from './usage-error.js';

export interface StoreConfig {
  dataDir: string;
  bucket: Bucket;
  grpcAddress: string;
  httpAddress: string;
  indexCacheBytes: number;
  chunkPoolBytes: number;
  syncIntervalMs: number;
  minTime: TimeSpec;
  maxTime: TimeSpec;
  relabel: RelabelRule[];
  seriesMaxConcurrency: number;
  /** --ignore-deletion-marks-delay: a block marked for deletion is served this much longer (ms; default 0 here). */
  deletionMarkDelayMs?: number;
  logLevel: LogLevel;
  /** Also logs to stdout when true (off in tests). */
  log: boolean;
}

export function registerStore(program: Command): void {
  const cmd = program.command('store').description('store gateway: Prometheus TSDB blocks from object storage over StoreAPI');
  httpFlags(cmd);
  grpcFlags(cmd);
  cmd.option('--data-dir <dir>', 'local directory for index-headers (rebuilt from the bucket when missing)', './data');
  objstoreFlags(cmd);
  cmd
    .option('--index-cache-size <size>', 'memory for cached postings and series (e.g. 250MB, 2GB; units are powers of 1024)', parseSizeFlag, parseSizeFlag('250MB'))
    .option('--chunk-pool-size <size>', 'bound on chunk bytes in flight across requests', parseSizeFlag, parseSizeFlag('2GB'))
    .option('--sync-block-duration <duration>', 'how often to sync blocks with the bucket', parseDurationFlag, 3 * 60_000)
    .addOption(new Option('--min-time <time>', 'serve only blocks after this: RFC 3339 or relative duration (e.g. -2w)').argParser(parseTimeFlag).default(MIN_TIME_DEFAULT, '0000-01-01T00:00:00Z'))
    .addOption(new Option('--max-time <time>', 'serve only blocks before this: RFC 3339 or relative duration (e.g. -2h)').argParser(parseTimeFlag).default(MAX_TIME_DEFAULT, '9999-12-31T23:59:59Z'))
    .option('--selector.relabel-config-file <file>', 'relabel rules (keep, drop, hashmod) over external labels and __block_id choosing the blocks to serve')
    .option('--selector.relabel-config <yaml>', 'the same rules inline')
    .option('--store.grpc.series-max-concurrency <n>', 'Series calls served at once; the rest wait', parsePositiveInt, 20)
    .option(
      '--ignore-deletion-marks-delay <duration>',
      'keep serving a block this long after it is marked for deletion, so queriers are not cut off mid-query as the compactor replaces it',
      parseDurationFlag,
      24 * 3_600_000,
    );
  logFlags(cmd);
  cmd.action(async (opts: Record<string, unknown>) => {
    const config = await storeConfigFromFlags(opts);
    const s = await startStore(config);
    await s.wait;
  });
}

function parseSizeFlag(v: string): number {
  const n = parseBase2Bytes(v.trim());
  if (n === undefined) throw new InvalidArgumentError(`not a size: ${JSON.stringify(v)} (use e.g. 250MB, 2GB, 512MiB)`);
  return n;
}

function parseTimeFlag(v: string): TimeSpec {
  const t = parseTimeOrDuration(v.trim());
  if (t === undefined) throw new InvalidArgumentError(`not an RFC 3339 time or a duration: ${JSON.stringify(v)} (e.g. 2024-01-01T00:00:00Z or -2w)`);
  return t;
}

async function inlineOrFile(inline: unknown, file: unknown, flag: string): Promise<string | undefined> {
  if (inline !== undefined && file !== undefined) throw new UsageError(`give only one of --${flag} and --${flag}-file`);
  if (inline !== undefined) return String(inline);
  if (file === undefined) return undefined;
  try {
    return await readFile(String(file), 'utf8');
  } catch (err) {
    throw new UsageError(`--${flag}-file: cannot read ${String(file)}: ${(err as Error).message}`, { cause: err });
  }
}

export async function storeConfigFromFlags(o: Record<string, unknown>): Promise<StoreConfig> {
  const bucket = await bucketFromObjstoreFlags(o);
  const relabelText = await inlineOrFile(o['selector.relabelConfig'], o['selector.relabelConfigFile'], 'selector.relabel-config');
  let relabel: RelabelRule[] = [];
  if (relabelText !== undefined) {
    try {
      relabel = parseRelabelConfig(relabelText);
    } catch (err) {
      throw new UsageError(`--selector.relabel-config: ${(err as Error).message}`, { cause: err });
    }
  }
  return {
    dataDir: o.dataDir as string,
    bucket,
    grpcAddress: o.grpcAddress as string,
    httpAddress: o.httpAddress as string,
    indexCacheBytes: o.indexCacheSize as number,
    chunkPoolBytes: o.chunkPoolSize as number,
    syncIntervalMs: o.syncBlockDuration as number,
    minTime: o.minTime as TimeSpec,
    maxTime: o.maxTime as TimeSpec,
    relabel,
    seriesMaxConcurrency: o['store.grpc.seriesMaxConcurrency'] as number,
    deletionMarkDelayMs: o.ignoreDeletionMarksDelay as number,
    logLevel: o['log.level'] as LogLevel,
    log: true,
  };
}

export interface RunningStore {
  httpAddress: string;
  grpcAddress: string;
  store: BucketStore;
  /** Resolves when the store has stopped (rejects with the error that stopped it). */
  wait: Promise<void>;
  stop(): Promise<void>;
}

export async function startStore(config: StoreConfig): Promise<RunningStore> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'promfed_' });
  const abort = new AbortController();
  let store!: BucketStore;
  const app = createStoreHttp({ ready: () => store.blocks.ready, registry, logger: config.log ? { level: config.logLevel } : false });
  store = await createBucketStore({
    bucket: config.bucket,
    dataDir: config.dataDir,
    indexCacheBytes: config.indexCacheBytes,
    chunkPoolBytes: config.chunkPoolBytes,
    seriesMaxConcurrency: config.seriesMaxConcurrency,
    minTime: config.minTime,
    maxTime: config.maxTime,
    relabel: config.relabel,
    deletionMarkDelayMs: config.deletionMarkDelayMs,
    registry,
    log: app.log,
  });

  // HTTP server (probes, metrics)
  const http = splitHostPort(config.httpAddress);
  await app.listen({ host: http.host, port: http.port });
  const httpPort = (app.server.address() as { port: number }).port;

  // gRPC StoreAPI (Info says "Not ready" until the first sync)
  const grpc = await startGrpcServer(config.grpcAddress, store.services);

  const actors: Actor[] = [
    // Block sync: once now, then every --sync-block-duration
    {
      name: 'block sync',
      run: async () => {
        try {
          await store.sync(abort.signal);
          app.log.info({ blocks: store.blocks.blocks().length }, 'initial block sync done');
        } catch (err) {
          app.log.error({ err: String((err as Error).message), cause: String(((err as Error).cause as Error)?.message ?? '') }, 'initial block sync failed; retrying');
        }
        await store.runSyncLoop(config.syncIntervalMs, abort.signal);
      },
      stop: () => abort.abort(),
    },
    // HTTP server
    { name: 'http', run: () => new Promise<void>((resolve) => app.server.once('close', () => resolve())), stop: () => app.close() },
    // gRPC server
    { name: 'grpc', run: () => new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true })), stop: () => grpc.stop(1000) },
  ];
  const wait = runActors(actors, { signals: ['SIGINT', 'SIGTERM'] }).finally(async () => {
    await store.close();
    await config.bucket.close();
  });
  if (config.log) app.log.info({ http: `${http.host}:${httpPort}`, grpc: grpc.address, bucket: config.bucket.name }, 'promfed store started');
  return {
    httpAddress: `${http.host === '0.0.0.0' ? '127.0.0.1' : http.host}:${httpPort}`,
    grpcAddress: grpc.address,
    store,
    wait,
    async stop() {
      abort.abort();
      await app.close();
      await wait.catch(() => undefined);
    },
  };
}
