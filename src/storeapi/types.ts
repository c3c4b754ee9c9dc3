/**
 * TypeScript shapes of the StoreAPI messages as they cross our gRPC boundary (protos/, LOADER_OPTIONS in
 * loader-options.ts): snake_case names, int64 as exact decimal strings, enums as numbers, absent sub-messages as
 * null (decoded) or omitted (sent). Decoded messages always have every scalar and repeated field; when
 * sending, anything left out is encoded as its default, i.e. not at all.
 *
 * Series frames are the exception, for speed (series-decoder.ts): decoded from gRPC, a chunk's min/max time
 * are numbers and its hash a bigint; decoded by decodeMessage they are decimal strings. Read them through
 * int64ToMillis (times) whatever they are. Senders may give any of the forms.
 *
 * Frame layouts, encoding numbers and the empty-message presence rule: docs/format/storeapi.md.
 */
import type { Int64 } from './int64.js';

/** Nullable on decode, optional on send. */
type Sub<T> = T | null | undefined;

export interface ProtoLabel {
  name: string;
  value: string;
}

export interface ProtoLabelSet {
  labels: ProtoLabel[];
}

/** thanos.LabelMatcher.Type; the numbers equal model MatchType. */
export enum ProtoMatchType {
  EQ = 0,
  NEQ = 1,
  RE = 2,
  NRE = 3,
}

export interface ProtoLabelMatcher {
  type: ProtoMatchType;
  name: string;
  value: string;
}

export enum PartialResponseStrategy {
  WARN = 0,
  ABORT = 1,
}

/** thanos.Chunk.Encoding: Prometheus chunkenc numbering minus one. */
export enum ThanosChunkEncoding {
  XOR = 0,
  HISTOGRAM = 1,
  FLOAT_HISTOGRAM = 2,
}

export interface ProtoChunk {
  type: ThanosChunkEncoding;
  data: Uint8Array;
  /** xxhash64 of data: a bigint (gRPC decode) or a decimal uint64 string; 0 = not computed. */
  hash: Int64 | bigint;
}

export interface ProtoAggrChunk {
  /** ms: a number (gRPC decode, exact up to 2^53, ±2^63 for the MaxInt64/MinInt64 sentinels) or a decimal string. */
  min_time: Int64 | number;
  max_time: Int64 | number;
  raw?: Sub<ProtoChunk>;
  count?: Sub<ProtoChunk>;
  sum?: Sub<ProtoChunk>;
  min?: Sub<ProtoChunk>;
  max?: Sub<ProtoChunk>;
  counter?: Sub<ProtoChunk>;
}

export interface ProtoSeries {
  labels: ProtoLabel[];
  chunks: ProtoAggrChunk[];
}

export interface ProtoAny {
  type_url: string;
  value: Uint8Array;
}

export enum Aggr {
  RAW = 0,
  COUNT = 1,
  SUM = 2,
  MIN = 3,
  MAX = 4,
  COUNTER = 5,
}

export interface QueryHints {
  step_millis: Int64;
  func?: Sub<{ name: string }>;
  grouping?: Sub<{ by: boolean; labels: string[] }>;
  range?: Sub<{ millis: Int64 }>;
  projection_labels: string[];
  projection_include: boolean;
  series_hash_label_name: string;
}

export interface ShardInfo {
  shard_index: Int64;
  total_shards: Int64;
  by: boolean;
  labels: string[];
}

export interface SeriesRequest {
  min_time: Int64;
  max_time: Int64;
  matchers: ProtoLabelMatcher[];
  max_resolution_window: Int64;
  aggregates: Aggr[];
  partial_response_disabled: boolean;
  partial_response_strategy: PartialResponseStrategy;
  skip_chunks: boolean;
  hints?: Sub<ProtoAny>;
  step: Int64;
  range: Int64;
  query_hints?: Sub<QueryHints>;
  shard_info?: Sub<ShardInfo>;
  without_replica_labels: string[];
  limit: Int64;
  response_batch_size: Int64;
}

/** One frame of the Series stream: exactly one of the four members is set (`result` names it on decode). */
export type SeriesResponse =
  | { result?: 'series'; series: ProtoSeries }
  | { result?: 'warning'; warning: string }
  | { result?: 'hints'; hints: ProtoAny }
  | { result?: 'batch'; batch: { series: ProtoSeries[] } };

export interface LabelNamesRequest {
  partial_response_disabled: boolean;
  partial_response_strategy: PartialResponseStrategy;
  start: Int64;
  end: Int64;
  hints?: Sub<ProtoAny>;
  matchers: ProtoLabelMatcher[];
  without_replica_labels: string[];
  limit: Int64;
}

export interface LabelNamesResponse {
  names: string[];
  warnings: string[];
  hints?: Sub<ProtoAny>;
}

export interface LabelValuesRequest {
  label: string;
  partial_response_disabled: boolean;
  partial_response_strategy: PartialResponseStrategy;
  start: Int64;
  end: Int64;
  hints?: Sub<ProtoAny>;
  matchers: ProtoLabelMatcher[];
  without_replica_labels: string[];
  limit: Int64;
}

export interface LabelValuesResponse {
  values: string[];
  warnings: string[];
  hints?: Sub<ProtoAny>;
}

export interface TSDBInfo {
  labels?: Sub<ProtoLabelSet>;
  min_time: Int64;
  max_time: Int64;
}

export interface StoreInfo {
  min_time: Int64;
  max_time: Int64;
  supports_sharding: boolean;
  supports_without_replica_labels: boolean;
  tsdb_infos: TSDBInfo[];
  supports_projections: boolean;
}

/**
 * thanos.info.InfoResponse. A non-null sub-message, even `{}`, means the component serves that API;
 * null/undefined means it does not.
 */
export interface InfoResponse {
  label_sets: ProtoLabelSet[];
  ComponentType: string;
  store?: Sub<Partial<StoreInfo>>;
  rules?: Sub<Record<string, never>>;
  metric_metadata?: Sub<Record<string, never>>;
  targets?: Sub<Record<string, never>>;
  exemplars?: Sub<{ min_time?: Int64; max_time?: Int64 }>;
  query?: Sub<Record<string, never>>;
  status?: Sub<Record<string, never>>;
}

export enum RulesRequestType {
  ALL = 0,
  ALERT = 1,
  RECORD = 2,
}

export interface RulesRequest {
  type: RulesRequestType;
  partial_response_strategy: PartialResponseStrategy;
  matcher_string: string[];
  rule_name: string[];
  rule_group: string[];
  file: string[];
}

/**
 * One frame of the Rules stream. RuleGroup is left loosely typed here: the rules component that
 * serves it will own its shape (protos/rules/rulespb/rpc.proto has every field).
 */
export type RulesResponse = { result?: 'group'; group: Record<string, unknown> } | { result?: 'warning'; warning: string };

export interface MetricMetadataRequest {
  /** One metric's metadata, or every metric's when empty. */
  metric: string;
  /** Metrics to answer at most; negative: no limit, 0: none (as Prometheus's `limit`). */
  limit: number;
  partial_response_strategy: PartialResponseStrategy;
}

/** What a target says of a metric (Prometheus's metadata.Metadata). */
export interface ProtoMeta {
  type: string;
  help: string;
  unit: string;
}

/** One frame of the MetricMetadata stream: metric name → its metas, or a warning. */
export type MetricMetadataResponse =
  | { result?: 'metadata'; metadata: { metadata: Record<string, { metas: ProtoMeta[] }> } }
  | { result?: 'warning'; warning: string };

export interface ExemplarsRequest {
  query: string;
  /** ms: decimal int64 strings as decoded, or numbers. */
  start: Int64 | number;
  end: Int64 | number;
  partial_response_strategy: PartialResponseStrategy;
}

export interface ProtoExemplar {
  labels: { labels: ProtoLabel[] };
  value: number;
  /** ms: a decimal int64 string as decoded, or a number. */
  ts: Int64 | number;
}

/** The exemplars of one series. */
export interface ExemplarData {
  seriesLabels: { labels: ProtoLabel[] };
  exemplars: ProtoExemplar[];
}

export type ExemplarsResponse = { result?: 'data'; data: ExemplarData } | { result?: 'warning'; warning: string };
