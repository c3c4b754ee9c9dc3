/**
 * Prometheus's HTTP metadata API as the sidecar needs it: /api/v1/series (for `skip_chunks`),
 * /api/v1/labels and /api/v1/label/<name>/values, each with `match[]`, `start`, `end`. Matchers become one
 * PromQL selector (`{a="b",c=~"d"}`); times go as seconds with millisecond decimals, and an unbounded end
 * (MinInt64/MaxInt64 from a StoreAPI request) is left out so Prometheus uses its own bounds.
 */
import { Labels, MatchType, type Matcher } from '../model/index.js';
import type { PrometheusHttp } from './prometheus-http.js';

/** Beyond ±9e18 ms a time is one of the int64 sentinels, not a time Prometheus can parse as seconds. */
const UNBOUNDED_MS = 9e18;

export class PrometheusLabelsApi {
  constructor(private readonly prom: PrometheusHttp) {}

  /** The label sets (without external labels: Prometheus's HTTP API does not add them) of matching series. */
  async series(matchers: readonly Matcher[], mint: number, maxt: number, signal?: AbortSignal): Promise<Labels[]> {
    const data = await this.prom.getJson<Record<string, string>[]>('api/v1/series', params(matchers, mint, maxt), signal);
    return data.map((o) => Labels.from(o));
  }

  async labelNames(matchers: readonly Matcher[], mint: number, maxt: number, signal?: AbortSignal): Promise<string[]> {
    return (await this.prom.getJson<string[] | null>('api/v1/labels', params(matchers, mint, maxt), signal)) ?? [];
  }

  async labelValues(name: string, matchers: readonly Matcher[], mint: number, maxt: number, signal?: AbortSignal): Promise<string[]> {
    const path = `api/v1/label/${encodeURIComponent(name)}/values`;
    return (await this.prom.getJson<string[] | null>(path, params(matchers, mint, maxt), signal)) ?? [];
  }
}

function params(matchers: readonly Matcher[], mint: number, maxt: number): URLSearchParams {
  const p = new URLSearchParams();
  if (matchers.length > 0) p.append('match[]', selector(matchers));
  if (Number.isFinite(mint) && Math.abs(mint) < UNBOUNDED_MS) p.append('start', seconds(mint));
  if (Number.isFinite(maxt) && Math.abs(maxt) < UNBOUNDED_MS) p.append('end', seconds(maxt));
  return p;
}

/** `{name="value",…}`; values quoted as Go string literals (JSON's escapes are a subset PromQL reads). */
export function selector(matchers: readonly Matcher[]): string {
  return `{${matchers.map((m) => `${m.name}${OPS[m.type]}${JSON.stringify(m.value)}`).join(',')}}`;
}

const OPS: Record<MatchType, string> = {
  [MatchType.EQ]: '=',
  [MatchType.NEQ]: '!=',
  [MatchType.RE]: '=~',
  [MatchType.NRE]: '!~',
};

function seconds(ms: number): string {
  const s = Math.trunc(ms / 1000);
  const frac = ms - s * 1000;
  // Exact decimal: integer seconds, then three digits of milliseconds (no float rounding of ms/1000).
  if (frac === 0) return String(s);
  const sign = ms < 0 ? '-' : '';
  return `${sign}${Math.abs(s)}.${String(Math.abs(frac)).padStart(3, '0')}`;
}
