/**
 * `promfed sidecar`: the StoreAPI over a running Prometheus. Flags keep Thanos's names and defaults. This
 * file only wires: Prometheus HTTP client → metadata heartbeat → StoreAPI (gRPC) + probes/metrics (HTTP),
 * and the shipper (blocks → object storage) when an objstore config is given.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { readFile } from 'node:fs/promises';
import { PrometheusHttp, PrometheusMetadata, createSidecarHttp, parsePrometheusClientConfig, sidecarMetrics, sidecarStoreApi, type PrometheusClientConfig } from '../sidecar/index.js';
import { startGrpcServer } from '../storeapi/index.js';
import { startShipper } from '../sidecar/shipper/index.js';
import { Reloader, sighupProcess } from '../sidecar/reloader/index.js';
import { runActors, type Actor } from './actors.js';
import { bucketFromObjstoreConfig, collect, grpcFlags, httpFlags, logFlags, parseDurationFlag, splitHostPort, type LogLevel } from './flags.js';
import { UsageError } from './usage-error.js';

export interface SidecarConfig {
  prometheusUrl: string;
  tsdbPath: string;
  /** Objstore configuration (YAML) given inline or as a file; shipping is on when either is set. */
  objstoreConfig?: string;
  objstoreConfigFile?: string;
  uploadCompacted: boolean;
  /** --min-time evaluated at each use (relative values move with the clock). */
  minTime: () => number;
  grpcAddress: string;
  httpAddress: string;
  /** How often external labels and the lowest timestamp are re-read (--prometheus.get_config_interval). */
  refreshIntervalMs: number;
  /** Deadline for each metadata request to Prometheus (--prometheus.get_config_timeout). */
  prometheusTimeoutMs: number;
  /** --prometheus.ready_timeout: the sidecar exits (error) if Prometheus has not answered by then, as Thanos's does. */
  readyTimeoutMs: number;
  /** --prometheus.http-client YAML, or the file holding it (credentials and TLS towards Prometheus). */
  prometheusHttpClient?: string;
  prometheusHttpClientFile?: string;
  /** --reloader.*: Prometheus's config file and rule directories watched, and how Prometheus is told to reload. */
  reloader: ReloaderConfig;
  logLevel: LogLevel;
  /** Also logs to stdout when true (off in tests). */
  log: boolean;
}

export interface ReloaderConfig {
  configFile?: string;
  configEnvsubstFile?: string;
  ruleDirs: string[];
  watchIntervalMs: number;
  retryIntervalMs: number;
  method: 'http' | 'signal';
  processName: string;
}

export const SIDECAR_DEFAULTS: SidecarConfig = {
  prometheusUrl: 'http://localhost:9090',
  tsdbPath: './data',
  uploadCompacted: false,
  minTime: () => -Infinity,
  grpcAddress: '0.0.0.0:10901',
  httpAddress: '0.0.0.0:10902',
  refreshIntervalMs: 30_000,
  prometheusTimeoutMs: 30_000,
  readyTimeoutMs: 10 * 60_000,
  reloader: { ruleDirs: [], watchIntervalMs: 3 * 60_000, retryIntervalMs: 5_000, method: 'http', processName: 'prometheus' },
  logLevel: 'info',
  log: true,
};

/** Thanos's --min-time default: the start of year 0, i.e. no bound in practice. */
const DEFAULT_MIN_TIME = '0000-01-01T00:00:00Z';

export function registerSidecar(program: Command): void {
  const cmd = program.command('sidecar').description('sidecar: StoreAPI over a running Prometheus (remote read), block shipping to object storage');
  httpFlags(cmd);
  grpcFlags(cmd);
  cmd
    .option('--prometheus.url <url>', 'URL of the Prometheus server to serve', parsePrometheusUrl, 'http://localhost:9090')
    .option('--prometheus.get_config_interval <duration>', 'how often to re-read external labels and the lowest timestamp', parseDurationFlag, 30_000)
    .option('--prometheus.get_config_timeout <duration>', 'deadline of each of those reads', parseDurationFlag, 30_000)
    .option('--prometheus.ready_timeout <duration>', 'exit with an error if Prometheus has not answered within this time of start-up', parseDurationFlag, 10 * 60_000)
    .option('--prometheus.http-client <yaml>', 'credentials and TLS towards Prometheus: basic_auth, bearer_token[_file], tls_config (Thanos\'s format)')
    .option('--prometheus.http-client-file <file>', 'the same, from a file')
    .option('--tsdb.path <dir>', 'data directory of the Prometheus TSDB (blocks to ship)', './data')
    .option('--objstore.config-file <file>', 'object store configuration (YAML); shipping is off without it')
    .option('--objstore.config <yaml>', 'object store configuration as YAML (alternative to --objstore.config-file)')
    .option('--shipper.upload-compacted', 'also upload compacted blocks (level > 1), for migrating existing data')
    .option('--reloader.config-file <file>', 'Prometheus config file to watch; Prometheus reloads when it changes')
    .option('--reloader.config-envsubst-file <file>', 'where the config file goes with $(ENV_VAR) references substituted (the file Prometheus reads)')
    .option('--reloader.rule-dir <dir>', 'rule directory to watch; Prometheus reloads when a file in it changes (repeatable)', collect, [])
    .option('--reloader.watch-interval <duration>', 'how often the config file and rule directories are re-read without a file event', parseDurationFlag, 3 * 60_000)
    .option('--reloader.retry-interval <duration>', 'wait before asking again for a reload Prometheus did not take', parseDurationFlag, 5_000)
    .addOption(new Option('--reloader.method <method>', 'how Prometheus is told to reload: POST /-/reload, or SIGHUP').choices(['http', 'signal']).default('http'))
    .option('--reloader.process-name <name>', 'executable name of the process to SIGHUP with --reloader.method=signal', 'prometheus')
    .addOption(
      new Option('--min-time <time>', 'serve only data newer than this: RFC 3339 time or a duration relative to now (e.g. -2h)')
        .argParser(parseMinTime)
        .default(parseMinTime(DEFAULT_MIN_TIME), DEFAULT_MIN_TIME),
    );
  logFlags(cmd);
  cmd.action(async (opts: Record<string, unknown>) => {
    const s = await startSidecar(sidecarConfigFromFlags(opts));
    await s.wait;
  });
}

export function sidecarConfigFromFlags(o: Record<string, unknown>): SidecarConfig {
  return {
    prometheusUrl: o['prometheus.url'] as string,
    tsdbPath: o['tsdb.path'] as string,
    objstoreConfig: o['objstore.config'] as string | undefined,
    objstoreConfigFile: o['objstore.configFile'] as string | undefined,
    uploadCompacted: o['shipper.uploadCompacted'] === true,
    minTime: o.minTime as () => number,
    grpcAddress: o.grpcAddress as string,
    httpAddress: o.httpAddress as string,
    refreshIntervalMs: o['prometheus.get_config_interval'] as number,
    prometheusTimeoutMs: o['prometheus.get_config_timeout'] as number,
    readyTimeoutMs: o['prometheus.ready_timeout'] as number,
    prometheusHttpClient: o['prometheus.httpClient'] as string | undefined,
    prometheusHttpClientFile: o['prometheus.httpClientFile'] as string | undefined,
    reloader: {
      configFile: o['reloader.configFile'] as string | undefined,
      configEnvsubstFile: o['reloader.configEnvsubstFile'] as string | undefined,
      ruleDirs: o['reloader.ruleDir'] as string[],
      watchIntervalMs: o['reloader.watchInterval'] as number,
      retryIntervalMs: o['reloader.retryInterval'] as number,
      method: o['reloader.method'] as 'http' | 'signal',
      processName: o['reloader.processName'] as string,
    },
    logLevel: o['log.level'] as LogLevel,
    log: true,
  };
}

/** --prometheus.http-client[-file], read and checked before anything listens: a bad one is a usage error (exit 2). */
async function prometheusClientConfig(config: SidecarConfig): Promise<PrometheusClientConfig> {
  const { prometheusHttpClient: inline, prometheusHttpClientFile: path } = config;
  if (inline !== undefined && path !== undefined) throw new UsageError('give only one of --prometheus.http-client and --prometheus.http-client-file');
  let text = inline;
  if (path !== undefined) {
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new UsageError(`--prometheus.http-client-file: cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
  if (text === undefined) return {};
  try {
    return await parsePrometheusClientConfig(text);
  } catch (err) {
    throw new UsageError(`--prometheus.http-client${path !== undefined ? '-file' : ''}: ${(err as Error).message}`, { cause: err });
  }
}

function parsePrometheusUrl(v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InvalidArgumentError(`not a URL: ${JSON.stringify(v)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InvalidArgumentError(`must be an http or https URL, got ${JSON.stringify(v)}`);
  return v;
}

/** Thanos TimeOrDurationValue: an RFC 3339 time, or a (possibly negative) duration added to now at each use. */
export function parseMinTime(v: string): () => number {
  const s = v.trim();
  if (/^\d{4}-\d\d-\d\dT/.test(s)) {
    const ms = Date.parse(s);
    if (Number.isNaN(ms)) throw new InvalidArgumentError(`not an RFC 3339 time: ${JSON.stringify(v)}`);
    return () => ms;
  }
  const negative = s.startsWith('-');
  let d: number;
  try {
    d = parseDurationFlag(negative ? s.slice(1) : s);
  } catch {
    throw new InvalidArgumentError(`not an RFC 3339 time or a duration: ${JSON.stringify(v)} (e.g. 2024-01-01T00:00:00Z or -2h)`);
  }
  const offset = negative ? -d : d;
  return () => Date.now() + offset;
}

export interface RunningSidecar {
  /** Bound addresses (the real ports when 0 was asked for). */
  httpAddress: string;
  grpcAddress: string;
  metadata: PrometheusMetadata;
  /** Resolves when the sidecar has stopped (rejects with the error that stopped it). */
  wait: Promise<void>;
  stop(): Promise<void>;
}

export async function startSidecar(config: SidecarConfig): Promise<RunningSidecar> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'promfed_' });
  const abort = new AbortController();
  const metrics = sidecarMetrics(registry);

  // Object storage first: a bad config is a usage error (exit 2) before anything listens.
  const shipping = config.objstoreConfig !== undefined || config.objstoreConfigFile !== undefined;
  const bucket = shipping ? await bucketFromObjstoreConfig({ config: config.objstoreConfig, configFile: config.objstoreConfigFile }) : undefined;

  const prometheus = new PrometheusHttp(config.prometheusUrl, { timeoutMs: config.prometheusTimeoutMs, client: await prometheusClientConfig(config) });
  const app = createSidecarHttp({ ready: () => metadata.ready, registry, logger: config.log ? { level: config.logLevel } : false });
  let lastLogged: string | undefined;
  const metadata = new PrometheusMetadata(prometheus, {
    minTime: config.minTime,
    refreshIntervalMs: config.refreshIntervalMs,
    onRefresh: (err) => {
      metrics.onRefresh(err, metadata.up);
      // Log changes only: a Prometheus that is down for an hour is one line, not 120.
      const msg = err?.message;
      if (msg === lastLogged) return;
      lastLogged = msg;
      if (err) app.log.warn({ err: msg }, 'cannot read Prometheus metadata; sidecar not ready until it can');
      else app.log.info({ externalLabels: metadata.externalLabels().toObject() }, 'Prometheus answered');
    },
  });

  // HTTP server (probes, metrics)
  const http = splitHostPort(config.httpAddress);
  await app.listen({ host: http.host, port: http.port });
  const httpPort = (app.server.address() as { port: number }).port;

  // gRPC StoreAPI
  const grpc = await startGrpcServer(config.grpcAddress, await sidecarStoreApi({ prometheus, metadata }));

  const actors: Actor[] = [
    // Prometheus heartbeat: external labels, lowest timestamp, readiness
    { name: 'prometheus heartbeat', run: () => metadata.run(abort.signal), stop: () => abort.abort() },
    // Give up if Prometheus never answers (a restart may help; a sidecar that is never ready helps nobody).
    {
      name: 'prometheus ready timeout',
      run: () =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            if (metadata.ready) return;
            const why = metadata.lastError?.message ?? 'no answer';
            reject(new Error(`Prometheus at ${config.prometheusUrl} not ready within ${config.readyTimeoutMs} ms (--prometheus.ready_timeout): ${why}`));
          }, config.readyTimeoutMs);
          abort.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        }),
      stop: () => abort.abort(),
    },
    // HTTP server
    { name: 'http', run: () => new Promise<void>((resolve) => app.server.once('close', () => resolve())), stop: () => app.close() },
    // gRPC server
    { name: 'grpc', run: () => new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true })), stop: () => grpc.stop(1000) },
  ];
  // Reloader: Prometheus reloads when its config file or rule files change.
  const rl = config.reloader;
  if (rl.configFile !== undefined || rl.ruleDirs.length > 0) {
    const reloader = new Reloader({
      configFile: rl.configFile,
      configOutputFile: rl.configEnvsubstFile,
      ruleDirs: rl.ruleDirs,
      watchIntervalMs: rl.watchIntervalMs,
      retryIntervalMs: rl.retryIntervalMs,
      reload: rl.method === 'signal' ? async () => void (await sighupProcess(rl.processName)) : (signal) => prometheus.reload(signal),
      registry,
      log: app.log,
    });
    actors.push({ name: 'reloader', run: () => reloader.run(abort.signal), stop: () => abort.abort() });
  }
  // Shipper: new blocks from --tsdb.path to the bucket every 30 s, meta.json last.
  if (bucket !== undefined) {
    const b = bucket;
    const shipper = startShipper({
      tsdbPath: config.tsdbPath,
      bucket: b,
      uploadCompacted: config.uploadCompacted,
      externalLabels: () => metadata.externalLabels(), // throws until Prometheus answered; the shipper retries
      prometheus,
      registry,
      log: app.log,
    });
    actors.push({
      name: 'shipper',
      run: async () => {
        await shipper.run();
        await b.close();
      },
      stop: () => shipper.stop(),
    });
  }
  const wait = runActors(actors, { signals: ['SIGINT', 'SIGTERM'] }).finally(() => prometheus.close());
  if (config.log) app.log.info({ http: `${http.host}:${httpPort}`, grpc: grpc.address, prometheus: config.prometheusUrl }, 'promfed sidecar started');
  return {
    httpAddress: `${http.host === '0.0.0.0' ? '127.0.0.1' : http.host}:${httpPort}`,
    grpcAddress: grpc.address,
    metadata,
    wait,
    async stop() {
      abort.abort();
      await app.close();
      await wait.catch(() => undefined);
    },
  };
}
