/**
 * What the HTTP API needs from the rest of the querier. Everything is an interface so the API can serve any
 * data source: the StoreAPI fan-out in production, a MemoryStorage in tests.
 */
import type { Registry } from 'prom-client';
import type { Labels, Matcher } from '../model/index.js';
import type { Engine } from '../promql/types.js';
import type { LabelQuerier, Queryable } from '../storage/index.js';

/** The Thanos request parameters that shape where data comes from and how replicas merge. */
export interface RequestStorageOptions {
  /** `dedup` (default true): merge HA replicas; effective only with replica labels. */
  deduplicate: boolean;
  /** `replicaLabels[]`, else `--query.replica-label`. */
  replicaLabels: string[];
  /** `partial_response` (default `--query.partial-response`): a failed store is a warning, not an error. */
  partialResponse: boolean;
  /** `storeMatch[]`: only endpoints whose `__address__` satisfies one of these matcher sets. Empty: all. */
  storeMatchers: Matcher[][];
}

export interface RequestStorage extends Queryable, LabelQuerier {}

/** One endpoint for /api/v1/stores (Thanos shape). */
export interface StoreStatus {
  name: string;
  componentType: string;
  /** RFC 3339, or undefined when never checked. */
  lastCheck?: string;
  lastError: string | null;
  labelSets: Record<string, string>[];
  minTime: number;
  maxTime: number;
}

export interface RulesQuery {
  type: 'alert' | 'record' | undefined;
  partialResponse: boolean;
  replicaLabels: string[];
  ruleNames: string[];
  ruleGroups: string[];
  files: string[];
  matchers: Matcher[][];
}

export interface RulesResult {
  /** Rule groups in Prometheus JSON shape. */
  groups: unknown[];
  warnings: string[];
}

export interface MetricMetadataQuery {
  /** One metric's metadata, or all when empty. */
  metric: string;
  /** Metrics at most (negative: no limit; 0: none), as Prometheus's `limit`. */
  limit: number;
  /** Metas per metric at most when > 0 (Prometheus's `limit_per_metric`). */
  limitPerMetric: number;
  partialResponse: boolean;
}

export interface MetricMetadataResult {
  /** Metric name → what targets say of it, in Prometheus's JSON shape. */
  metadata: Record<string, { type: string; help: string; unit: string }[]>;
  warnings: string[];
}

export interface ExemplarsQuery {
  /** PromQL; its selectors pick the series. */
  query: string;
  /** ms */
  start: number;
  end: number;
  partialResponse: boolean;
  replicaLabels: string[];
}

export interface SeriesExemplars {
  seriesLabels: Labels;
  exemplars: { labels: Labels; value: number; /** ms */ ts: number }[];
}

export interface ExemplarsResult {
  data: SeriesExemplars[];
  warnings: string[];
}

export interface ApiDefaults {
  replicaLabels: string[];
  partialResponse: boolean;
  /** `--query.timeout`, ms. */
  queryTimeoutMs: number;
  /** `--query.max-concurrent`. */
  maxConcurrent: number;
}

export interface ApiDeps {
  engine: Engine;
  storage(opts: RequestStorageOptions): RequestStorage;
  defaults: ApiDefaults;
  /** Sets CORS headers on every response unless false (`--web.disable-cors`). */
  cors: boolean;
  /** /-/ready answers 200 only when this is true (the querier: after the first endpoint update). */
  ready(): boolean;
  stores?(): StoreStatus[];
  rules?(query: RulesQuery, signal: AbortSignal): Promise<RulesResult>;
  metricMetadata?(query: MetricMetadataQuery, signal: AbortSignal): Promise<MetricMetadataResult>;
  exemplars?(query: ExemplarsQuery, signal: AbortSignal): Promise<ExemplarsResult>;
  /** prom-client registry served on /metrics; API metrics are registered in it. */
  registry: Registry;
  /** Component name for logs and buildinfo. */
  component: string;
  /** Fastify logger option: false, true, or pino options. */
  logger?: boolean | Record<string, unknown>;
}
