/**
 * Prometheus's block-duration flags, as the shipper needs them. Shipping is only safe when Prometheus never
 * compacts: with `--storage.tsdb.min-block-duration` ≠ `max-block-duration`, Prometheus merges 2 h blocks into
 * larger ones (level > 1, not shipped by default) and deletes the originals, so a 2 h block whose upload failed
 * can vanish into a compacted block and never reach the bucket.
 *
 * Thanos's sidecar refuses to start in that case (unless --shipper.ignore-unequal-block-size); we warn and
 * ship anyway, as issue 6 asks: the StoreAPI half of the sidecar is still useful, and the warning says what to fix.
 */
import { parsePromDuration } from '../../promql/index.js';

export const MIN_BLOCK_DURATION_FLAG = 'storage.tsdb.min-block-duration';
export const MAX_BLOCK_DURATION_FLAG = 'storage.tsdb.max-block-duration';
/** The block length Thanos recommends (and Prometheus's default min-block-duration). */
export const RECOMMENDED_BLOCK_DURATION_MS = 2 * 3_600_000;

export interface BlockDurations {
  minMs: number;
  maxMs: number;
}

/** The part of PrometheusHttp this needs (a seam for tests). */
export interface PrometheusJsonApi {
  getJson<T>(path: string, params: URLSearchParams | undefined, signal?: AbortSignal): Promise<T>;
}

/**
 * Warnings for these durations, empty when shipping is safe and as recommended. The wording follows Thanos's
 * `validatePrometheus` so operators find the same advice.
 */
export function checkBlockDurations(d: BlockDurations): string[] {
  const out: string[] = [];
  if (d.minMs !== d.maxMs) {
    out.push(
      `Prometheus has --${MIN_BLOCK_DURATION_FLAG}=${formatMs(d.minMs)} and --${MAX_BLOCK_DURATION_FLAG}=${formatMs(d.maxMs)}: ` +
        'compaction must be disabled for shipping (set both to 2h), or a block that fails to upload may be compacted away and never reach the bucket',
    );
  }
  if (d.minMs !== RECOMMENDED_BLOCK_DURATION_MS) {
    out.push(`Prometheus's block duration (--${MIN_BLOCK_DURATION_FLAG}) is ${formatMs(d.minMs)}: only 2h is recommended`);
  }
  return out;
}

/**
 * Reads both durations from `GET /api/v1/status/flags` (flag name → value string, e.g. "2h" or "1d12h";
 * "0s" when max-block-duration was left to Prometheus's computed default, which then differs from min, as it
 * should: that Prometheus compacts). Throws an Error naming the flag when one is missing or unparsable.
 */
export async function fetchBlockDurations(prometheus: PrometheusJsonApi, signal?: AbortSignal): Promise<BlockDurations> {
  const flags = await prometheus.getJson<Record<string, unknown>>('api/v1/status/flags', undefined, signal);
  return parseBlockDurationFlags(flags);
}

export function parseBlockDurationFlags(flags: Record<string, unknown>): BlockDurations {
  return { minMs: durationFlag(flags, MIN_BLOCK_DURATION_FLAG), maxMs: durationFlag(flags, MAX_BLOCK_DURATION_FLAG) };
}

function durationFlag(flags: Record<string, unknown>, name: string): number {
  const v = flags?.[name];
  if (typeof v !== 'string') throw new Error(`Prometheus flags: ${name} is ${v === undefined ? 'missing' : JSON.stringify(v)}, want a duration`);
  const ms = parsePromDuration(v);
  if (ms === undefined) throw new Error(`Prometheus flags: ${name}=${JSON.stringify(v)} is not a duration`);
  return ms;
}

/** ms → Prometheus duration text (`2h`, `1d12h`, `0s`), for messages that quote the flags as set. */
export function formatMs(ms: number): string {
  if (ms === 0) return '0s';
  const units: [string, number][] = [['y', 31_536_000_000], ['w', 604_800_000], ['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];
  let rest = ms;
  let out = '';
  for (const [u, n] of units) {
    if (rest >= n) {
      out += `${Math.floor(rest / n)}${u}`;
      rest %= n;
    }
  }
  return out;
}
