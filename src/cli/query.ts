/**
 * `promfed query`: the querier. Flags keep Thanos's names and defaults. This file only wires: discovery →
 * endpoint set → fan-out storage → engine → HTTP API, plus the querier's own gRPC StoreAPI.
 */
import { Command, InvalidArgumentError } from 'commander';
import { Registry, collectDefaultMetrics, Gauge, Histogram } from 'prom-client';
import { createApiServer, type StoreStatus } from '../api/index.js';
import { DnsProvider, dnsResolver, parseEndpointSpec, parseResolverAddress, type EndpointSpec as DnsSpec } from '../discovery/index.js';
import { Labels } from '../model/index.js';
import { createEngine } from '../promql/index.js';
import { EndpointSet, FanoutStorage, loadChunkHasher, querierStoreApi, type DedupAlgorithm, type FanoutConfig } from '../query/index.js';
import { exemplarsFanout } from '../query/exemplars/index.js';
import { metricMetadataFanout } from '../query/metadata/index.js';
import { rulesFanout } from '../query/rules/index.js';
import { startGrpcServer } from '../storeapi/index.js';
import { runActors, type Actor } from './actors.js';
import {
  collect,
  collectCommaSeparated,
  grpcFlags,
  httpFlags,
  logFlags,
  parseBoolFlag,
  parseDurationFlag,
  parsePositiveInt,
  splitHostPort,
  type LogLevel,
} from './flags.js';
import { parseLabelFlags } from './label-flags.js';
import { UsageError } from './usage-error.js';

export interface QueryConfig {
  httpAddress: string;
  grpcAddress: string;
  endpoints: string[];
  strictEndpoints: string[];
  replicaLabels: string[];
  dedupAlgorithm: DedupAlgorithm;
  partialResponse: boolean;
  queryTimeoutMs: number;
  maxConcurrent: number;
  maxSamples: number;
  lookbackDeltaMs: number;
  responseTimeoutMs: number;
  dnsIntervalMs: number;
  dnsResolverAddress?: string;
  unhealthyTimeoutMs: number;
  infoTimeoutMs: number;
  selectorLabels: Labels;
  cors: boolean;
  logLevel: LogLevel;
  /** Also logs to stdout when true (off in tests). */
  log: boolean;
  enableExperimentalFunctions: boolean;
}

export const QUERY_DEFAULTS: QueryConfig = {
  httpAddress: '0.0.0.0:10902',
  grpcAddress: '0.0.0.0:10901',
  endpoints: [],
  strictEndpoints: [],
  replicaLabels: [],
  dedupAlgorithm: 'penalty',
  partialResponse: true,
  queryTimeoutMs: 120_000,
  maxConcurrent: 20,
  maxSamples: 50_000_000,
  lookbackDeltaMs: 5 * 60_000,
  responseTimeoutMs: 0,
  dnsIntervalMs: 30_000,
  unhealthyTimeoutMs: 5 * 60_000,
  infoTimeoutMs: 5000,
  selectorLabels: Labels.EMPTY,
  cors: true,
  logLevel: 'info',
  log: true,
  enableExperimentalFunctions: false,
};

/** Update round period of the endpoint set: Thanos refreshes Info every `--endpoint.info-timeout` (5 s). */
const ENDPOINT_UPDATE_INTERVAL_MS = 5000;

export function registerQuery(program: Command): void {
  const cmd = program.command('query').description('query node: Prometheus HTTP API over a StoreAPI fan-out with replica dedup');
  httpFlags(cmd);
  grpcFlags(cmd);
  cmd
    .option('--endpoint <address>', 'StoreAPI endpoint: host:port, dns+host:port, dnssrv+_grpc._tcp.name, dnssrvnoa+… (repeatable)', collect, [])
    .option('--store <address>', 'alias of --endpoint (removed from Thanos in v0.38, kept for old manifests)', collect, [])
    .option('--endpoint-strict <address>', 'static endpoint that is always queried, even when unhealthy (repeatable)', collect, [])
    .option('--query.replica-label <name>', 'label naming HA replicas, dropped for deduplication (repeatable, comma-separated)', collectCommaSeparated, [])
    .option('--deduplication.func <func>', 'replica dedup algorithm: penalty or chain', parseDedupFunc, 'penalty')
    .option('--query.partial-response [bool]', 'answer with warnings when some stores fail', parseBoolFlag, true)
    .option('--no-query.partial-response', 'fail queries when any store fails')
    .option('--query.timeout <duration>', 'maximum time to process a query', parseDurationFlag, 120_000)
    .option('--query.max-concurrent <n>', 'maximum queries processed at once; the rest queue', parsePositiveInt, 20)
    .option('--query.max-samples <n>', 'maximum samples a query may hold in memory', parsePositiveInt, 50_000_000)
    .option('--query.lookback-delta <duration>', 'how far back an instant vector selector looks', parseDurationFlag, 5 * 60_000)
    .option('--store.response-timeout <duration>', 'cancel a store stream that sends nothing for this long (0: never)', parseDurationFlag, 0)
    .option('--store.sd-dns-interval <duration>', 'DNS re-resolution interval', parseDurationFlag, 30_000)
    .option('--store.sd-dns-resolver-address <host:port>', 'DNS server for discovery (default: the system resolver)')
    .option('--store.unhealthy-timeout <duration>', 'drop an endpoint unhealthy for this long', parseDurationFlag, 5 * 60_000)
    .option('--endpoint.info-timeout <duration>', 'deadline of each Info health check', parseDurationFlag, 5000)
    .option('--selector-label <name="value">', 'label every series of this querier has, for stacked queriers (repeatable)', collect, [])
    .option('--web.disable-cors', 'do not set CORS headers')
    // Accepted so Thanos manifests run unchanged (kube-thanos sets it): it only lets stores answer range queries
    // from downsampled blocks, and ours serve raw blocks only, so answers are the same without it.
    .option('--query.auto-downsampling', 'accepted for Thanos compatibility; no effect (raw data is always read)')
    .option('--enable-feature <feature>', 'enable a feature: promql-experimental-functions (repeatable)', collect, []);
  logFlags(cmd);
  cmd.action(async (opts: Record<string, unknown>) => {
    const config = queryConfigFromFlags(opts);
    const q = await startQuery(config);
    await q.wait;
  });
}

function parseDedupFunc(v: string): DedupAlgorithm {
  if (v !== 'penalty' && v !== 'chain') throw new InvalidArgumentError(`must be penalty or chain, got ${JSON.stringify(v)}`);
  return v;
}

export function queryConfigFromFlags(o: Record<string, unknown>): QueryConfig {
  const endpoints = [...(o.endpoint as string[]), ...(o.store as string[])];
  const strict = o.endpointStrict as string[];
  for (const e of [...endpoints, ...strict]) {
    try {
      parseEndpointSpec(e);
    } catch (err) {
      throw new UsageError(`--endpoint: ${(err as Error).message}`);
    }
  }
  for (const e of strict) {
    if (parseEndpointSpec(e).qtype !== 'static') throw new UsageError(`--endpoint-strict takes static host:port addresses only, got ${JSON.stringify(e)}`);
  }
  const resolver = o['store.sdDnsResolverAddress'] as string | undefined;
  if (resolver !== undefined) {
    try {
      parseResolverAddress(resolver);
    } catch (err) {
      throw new UsageError(`--store.sd-dns-resolver-address: ${(err as Error).message}`);
    }
  }
  const features = o.enableFeature as string[];
  for (const f of features) if (f !== 'promql-experimental-functions') throw new UsageError(`--enable-feature: unknown feature ${JSON.stringify(f)}`);
  return {
    httpAddress: o.httpAddress as string,
    grpcAddress: o.grpcAddress as string,
    endpoints,
    strictEndpoints: strict,
    replicaLabels: o['query.replicaLabel'] as string[],
    dedupAlgorithm: o['deduplication.func'] as DedupAlgorithm,
    partialResponse: o['query.partialResponse'] as boolean,
    queryTimeoutMs: o['query.timeout'] as number,
    maxConcurrent: o['query.maxConcurrent'] as number,
    maxSamples: o['query.maxSamples'] as number,
    lookbackDeltaMs: o['query.lookbackDelta'] as number,
    responseTimeoutMs: o['store.responseTimeout'] as number,
    dnsIntervalMs: o['store.sdDnsInterval'] as number,
    dnsResolverAddress: resolver,
    unhealthyTimeoutMs: o['store.unhealthyTimeout'] as number,
    infoTimeoutMs: o['endpoint.infoTimeout'] as number,
    selectorLabels: parseLabelFlags(o.selectorLabel as string[], '--selector-label'),
    cors: !o['web.disableCors'],
    logLevel: o['log.level'] as LogLevel,
    log: true,
    enableExperimentalFunctions: features.includes('promql-experimental-functions'),
  };
}

export interface RunningQuery {
  /** Bound addresses (the real ports when 0 was asked for). */
  httpAddress: string;
  grpcAddress: string;
  endpoints: EndpointSet;
  /** Resolves when the querier has stopped (rejects with the error that stopped it). */
  wait: Promise<void>;
  stop(): Promise<void>;
}

export async function startQuery(config: QueryConfig): Promise<RunningQuery> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'promfed_' });
  const abort = new AbortController();

  // Discovery: static addresses pass through; DNS specs are resolved now and then every interval.
  const specs: DnsSpec[] = config.endpoints.map(parseEndpointSpec);
  const dns = new DnsProvider({ resolver: dnsResolver({ server: config.dnsResolverAddress }) });
  await dns.resolve(specs);

  // Endpoint set: Info health checks every 5 s.
  const endpoints = new EndpointSet({
    specs: () => [
      ...dns.addresses().map((address) => ({ address, strict: false })),
      ...config.strictEndpoints.map((address) => ({ address, strict: true })),
    ],
    infoTimeoutMs: config.infoTimeoutMs,
    unhealthyTimeoutMs: config.unhealthyTimeoutMs,
  });
  const healthy = new Gauge({
    name: 'promfed_query_endpoints',
    help: 'Endpoints known to the querier, by health.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const all = endpoints.all();
      const up = all.filter((e) => e.queryable).length;
      this.set({ state: 'healthy' }, up);
      this.set({ state: 'unhealthy' }, all.length - up);
    },
  });
  void healthy;
  const fanoutSize = new Histogram({
    name: 'promfed_query_fanout_stores',
    help: 'Stores each select fanned out to.',
    buckets: [0, 1, 2, 4, 8, 16, 32, 64, 128],
    registers: [registry],
  });

  const fanout: FanoutConfig = {
    endpoints: () => endpoints.queryable(),
    hasher: await loadChunkHasher(),
    dedupAlgorithm: config.dedupAlgorithm,
    responseTimeoutMs: config.responseTimeoutMs,
    maxSamples: config.maxSamples,
    selectorLabels: config.selectorLabels,
    onFanout: (n) => fanoutSize.observe(n),
  };
  const engine = createEngine({
    lookbackDeltaMs: config.lookbackDeltaMs,
    maxSamples: config.maxSamples,
    timeoutMs: config.queryTimeoutMs,
    enableExperimentalFunctions: config.enableExperimentalFunctions,
  });

  const metricMetadata = metricMetadataFanout(() => endpoints.queryable());
  const exemplars = exemplarsFanout(() => endpoints.queryable());

  // HTTP API
  const app = await createApiServer({
    engine,
    storage: (opts) => new FanoutStorage(fanout, opts),
    defaults: {
      replicaLabels: config.replicaLabels,
      partialResponse: config.partialResponse,
      queryTimeoutMs: config.queryTimeoutMs,
      maxConcurrent: config.maxConcurrent,
    },
    cors: config.cors,
    ready: () => endpoints.ready,
    stores: () => endpoints.all().map(storeStatus),
    rules: rulesFanout(() => endpoints.queryable()),
    metricMetadata,
    exemplars,
    registry,
    component: 'query',
    logger: config.log ? { level: config.logLevel } : false,
  });
  const http = splitHostPort(config.httpAddress);
  await app.listen({ host: http.host, port: http.port });
  const httpPort = (app.server.address() as { port: number }).port;

  // gRPC StoreAPI (so queriers stack)
  const grpc = await startGrpcServer(config.grpcAddress, querierStoreApi(fanout, { rules: true, metricMetadata, exemplars }));

  const actors: Actor[] = [
    // DNS refresh
    { name: 'dns refresh', run: () => dns.run(specs, config.dnsIntervalMs, abort.signal), stop: () => abort.abort() },
    // Endpoint health
    { name: 'endpoint updates', run: () => endpoints.run(ENDPOINT_UPDATE_INTERVAL_MS, abort.signal), stop: () => abort.abort() },
    // HTTP server
    { name: 'http', run: () => new Promise<void>((resolve) => app.server.once('close', () => resolve())), stop: () => app.close() },
    // gRPC server
    { name: 'grpc', run: () => new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true })), stop: () => grpc.stop(1000) },
  ];
  const wait = runActors(actors, { signals: ['SIGINT', 'SIGTERM'] }).finally(() => endpoints.close());
  if (config.log) app.log.info({ http: `${http.host}:${httpPort}`, grpc: grpc.address, endpoints: config.endpoints }, 'promfed query started');
  return {
    httpAddress: `${http.host === '0.0.0.0' ? '127.0.0.1' : http.host}:${httpPort}`,
    grpcAddress: grpc.address,
    endpoints,
    wait,
    async stop() {
      abort.abort();
      await app.close();
      await wait.catch(() => undefined);
    },
  };
}

function storeStatus(e: import('../query/index.js').Endpoint): StoreStatus {
  const m = e.metadata;
  const ms = (v: number): number => (v === Infinity ? 9223372036854775807 : v === -Infinity ? -9223372036854775808 : v);
  return {
    name: e.address,
    componentType: m.componentType,
    lastCheck: e.lastCheck === undefined ? undefined : new Date(e.lastCheck).toISOString(),
    lastError: e.lastError,
    labelSets: m.labelSets.map((l) => l.toObject()),
    minTime: ms(m.minTime),
    maxTime: ms(m.maxTime),
  };
}
