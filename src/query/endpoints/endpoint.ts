/**
 * One StoreAPI endpoint the querier knows: its clients (one shared connection) and what its last Info said.
 */
import { Labels } from '../../model/index.js';
import {
  ExemplarsClient,
  InfoClient,
  int64ToMillis,
  labelsFromProto,
  MetadataClient,
  RulesClient,
  StoreClient,
  type InfoResponse,
} from '../../storeapi/index.js';

/** What an endpoint told us in its last successful Info call (thanos.md §1.10). */
export interface EndpointMetadata {
  componentType: string;
  /** External label sets; empty sets dropped. */
  labelSets: Labels[];
  /** Data time range, ms; ±Infinity when unbounded or unknown. */
  minTime: number;
  maxTime: number;
  hasStoreApi: boolean;
  hasRulesApi: boolean;
  hasMetricMetadataApi: boolean;
  hasExemplarsApi: boolean;
  supportsWithoutReplicaLabels: boolean;
}

/** Before the first Info: no labels, the whole time range (Thanos uses [MinInt64, MaxInt64]). */
export const UNKNOWN_METADATA: EndpointMetadata = {
  componentType: '',
  labelSets: [],
  minTime: -Infinity,
  maxTime: Infinity,
  hasStoreApi: false,
  hasRulesApi: false,
  hasMetricMetadataApi: false,
  hasExemplarsApi: false,
  supportsWithoutReplicaLabels: false,
};

export class Endpoint {
  readonly address: string;
  readonly strict: boolean;
  readonly store: StoreClient;
  readonly info: InfoClient;
  readonly rules: RulesClient;
  readonly metricMetadata: MetadataClient;
  readonly exemplars: ExemplarsClient;
  metadata: EndpointMetadata = UNKNOWN_METADATA;
  /** ms of the last Info attempt, and of the last success. */
  lastCheck: number | undefined;
  lastSuccess: number | undefined;
  lastError: string | null = null;

  constructor(address: string, strict: boolean, opts: { metadata?: Record<string, string> } = {}) {
    this.address = address;
    this.strict = strict;
    this.info = new InfoClient(address, { metadata: opts.metadata });
    this.store = new StoreClient(address, { channel: this.info.channel, metadata: opts.metadata });
    this.rules = new RulesClient(address, { channel: this.info.channel, metadata: opts.metadata });
    this.metricMetadata = new MetadataClient(address, { channel: this.info.channel, metadata: opts.metadata });
    this.exemplars = new ExemplarsClient(address, { channel: this.info.channel, metadata: opts.metadata });
  }

  /** Queried only while its last check succeeded, unless strict (Thanos: `isQueryable`). */
  get queryable(): boolean {
    return this.strict || (this.lastSuccess !== undefined && this.lastError === null);
  }

  /** Calls Info with a deadline and records the outcome; never throws. */
  async refresh(now: number, timeoutMs: number): Promise<void> {
    this.lastCheck = now;
    try {
      const res = await this.info.info({ timeoutMs });
      this.metadata = metadataFromInfo(res);
      this.lastSuccess = now;
      this.lastError = null;
    } catch (err) {
      // The previous metadata stays, as in Thanos: pruning keeps working with the last known label sets.
      this.lastError = err instanceof Error ? err.message : String(err);
    }
  }

  close(): void {
    this.info.close();
  }
}

export function metadataFromInfo(res: InfoResponse): EndpointMetadata {
  const store = res.store ?? undefined;
  const bound = (v: string | number | undefined, fallback: number): number => {
    if (v === undefined) return fallback;
    const ms = int64ToMillis(v);
    return ms >= 2 ** 63 ? Infinity : ms <= -(2 ** 63) ? -Infinity : ms;
  };
  return {
    componentType: res.ComponentType,
    labelSets: res.label_sets.map((s) => labelsFromProto(s.labels)).filter((l) => !l.isEmpty()),
    minTime: store ? bound(store.min_time, -Infinity) : -Infinity,
    maxTime: store ? bound(store.max_time, Infinity) : Infinity,
    hasStoreApi: store !== undefined && store !== null,
    hasRulesApi: res.rules !== undefined && res.rules !== null,
    hasMetricMetadataApi: res.metric_metadata !== undefined && res.metric_metadata !== null,
    hasExemplarsApi: res.exemplars !== undefined && res.exemplars !== null,
    supportsWithoutReplicaLabels: store?.supports_without_replica_labels ?? false,
  };
}
