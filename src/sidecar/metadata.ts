/**
 * What the sidecar must know about its Prometheus before it may serve: the external labels (from
 * /api/v1/status/config, YAML inside JSON: `global.external_labels`) and the lowest timestamp in its TSDB
 * (`prometheus_tsdb_lowest_timestamp_seconds` in /metrics). Both are re-read every interval (Thanos: 30 s),
 * which doubles as a heartbeat.
 *
 * Readiness, as Thanos's sidecar: not ready until Prometheus has answered once with a non-empty set of
 * external labels. A Prometheus without external labels is refused (its series could not be told apart
 * from another replica's or shard's), with an error that says how to fix it. Once ready, a failed refresh
 * keeps the last known values (Prometheus restarting must not take the sidecar out of a querier's set)
 * and only marks `up` false; an answer with the labels removed makes it not ready again.
 */
import { parse as parseYaml } from 'yaml';
import { Labels, sleep, StorageError } from '../model/index.js';
import type { PrometheusHttp } from './prometheus-http.js';

/** Thanos's --prometheus.get_config_interval. */
export const DEFAULT_REFRESH_INTERVAL_MS = 30_000;
/** Before the first success, retry sooner than the refresh interval so a sidecar started with its Prometheus is ready soon. */
const STARTUP_RETRY_MS = 2_000;

/** MaxInt64 ms, the lowest-timestamp gauge's value when the TSDB holds no block and no head sample. */
const NO_DATA_MS = 9.2e18;

export interface MetadataOptions {
  /** The --min-time flag, evaluated at each use (it may be relative to now). */
  minTime?: () => number;
  refreshIntervalMs?: number;
  /** Called on each refresh outcome (logging, metrics). */
  onRefresh?: (err: Error | undefined) => void;
}

export class PrometheusMetadata {
  #labels: Labels | undefined;
  #lowestMs = -Infinity;
  #ready = false;
  #up = false;
  #lastError: Error | undefined;
  private readonly minTimeFlag: () => number;
  readonly refreshIntervalMs: number;

  constructor(
    private readonly prom: PrometheusHttp,
    private readonly opts: MetadataOptions = {},
  ) {
    this.minTimeFlag = opts.minTime ?? (() => -Infinity);
    this.refreshIntervalMs = opts.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS;
  }

  get ready(): boolean {
    return this.#ready;
  }

  /** Whether the last refresh reached Prometheus. */
  get up(): boolean {
    return this.#up;
  }

  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /** The external labels; throws "Not ready: …" (the error Info must return) until the sidecar is ready. */
  externalLabels(): Labels {
    if (!this.#ready || this.#labels === undefined) {
      const why = this.#lastError?.message ?? `Prometheus at ${this.prom.base.href} has not answered yet`;
      throw new StorageError(`Not ready: ${why}`);
    }
    return this.#labels;
  }

  /** The oldest timestamp the sidecar can serve: max(--min-time, Prometheus's lowest), ms (−Infinity = unbounded). */
  minTime(): number {
    return Math.max(this.minTimeFlag(), this.#lowestMs);
  }

  /** Reads both values once; rejects (and records the error) when Prometheus cannot be read. */
  async refresh(signal?: AbortSignal): Promise<void> {
    try {
      const [labels, lowest] = await Promise.all([this.fetchExternalLabels(signal), this.fetchLowestTimestamp(signal)]);
      this.#up = true;
      this.#lowestMs = lowest;
      if (labels.isEmpty()) {
        this.#ready = false;
        this.#labels = undefined;
        throw new StorageError(
          `no external labels configured on Prometheus at ${this.prom.base.href}: the sidecar needs labels that uniquely identify ` +
            'this Prometheus (set global.external_labels, e.g. {cluster: eu1, replica: r0}, in its configuration)',
        );
      }
      this.#labels = labels;
      this.#ready = true;
      this.#lastError = undefined;
      this.opts.onRefresh?.(undefined);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      if (!(e instanceof StorageError && e.message.startsWith('no external labels'))) this.#up = false;
      this.#lastError = e;
      this.opts.onRefresh?.(e);
      throw e;
    }
  }

  /** Refreshes until `signal` fires: soon and often until the first success, then every interval. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.refresh(signal).catch(() => undefined);
      const wait = this.#ready ? this.refreshIntervalMs : Math.min(STARTUP_RETRY_MS, this.refreshIntervalMs);
      await sleep(wait, signal);
    }
  }

  private async fetchExternalLabels(signal?: AbortSignal): Promise<Labels> {
    const data = await this.prom.getJson<{ yaml?: unknown }>('api/v1/status/config', undefined, signal);
    return externalLabelsFromConfig(data.yaml);
  }

  private async fetchLowestTimestamp(signal?: AbortSignal): Promise<number> {
    return lowestTimestampFromMetrics(await this.prom.getText('metrics', signal));
  }
}

/** `global.external_labels` of a Prometheus configuration in YAML. */
export function externalLabelsFromConfig(yaml: unknown): Labels {
  if (typeof yaml !== 'string') throw new StorageError('/api/v1/status/config: data.yaml is not a string');
  let doc: unknown;
  try {
    doc = parseYaml(yaml);
  } catch (err) {
    throw new StorageError(`/api/v1/status/config: configuration is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  const ext = (doc as { global?: { external_labels?: unknown } } | null)?.global?.external_labels;
  if (ext === undefined || ext === null) return Labels.EMPTY;
  if (typeof ext !== 'object' || Array.isArray(ext)) throw new StorageError('/api/v1/status/config: global.external_labels is not a map');
  const pairs: [string, string][] = [];
  for (const [k, v] of Object.entries(ext as Record<string, unknown>)) pairs.push([k, String(v)]);
  return Labels.from(pairs);
}

/**
 * `prometheus_tsdb_lowest_timestamp_seconds` from the text exposition, in ms. The gauge reads MaxInt64/1000
 * while the TSDB is empty; then any time may arrive next (the head takes scrapes of "now" and backfills),
 * so the answer is −Infinity (no lower bound), as Thanos maps it to MinInt64.
 */
export function lowestTimestampFromMetrics(text: string): number {
  const m = /^prometheus_tsdb_lowest_timestamp_seconds(?:\{[^}]*\})?\s+(\S+)/m.exec(text);
  if (m === null) throw new StorageError('/metrics has no prometheus_tsdb_lowest_timestamp_seconds (is this a Prometheus server?)');
  const sec = Number(m[1]);
  if (!Number.isFinite(sec)) throw new StorageError(`/metrics: prometheus_tsdb_lowest_timestamp_seconds is ${JSON.stringify(m[1])}`);
  const ms = Math.round(sec * 1000);
  return ms >= NO_DATA_MS ? -Infinity : ms;
}
