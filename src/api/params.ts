/**
 * Parsing of Prometheus API parameters: times, durations, booleans, `match[]` selectors, `U__`-escaped
 * label names. Messages follow Prometheus's web/api/v1 so clients see familiar errors.
 */
import { parsePromDuration } from '../promql/index.js';
import { invalidParam } from './errors.js';

/** Prometheus's boundary times, formatted as its API accepts them (Go's time.Time cannot parse 5-digit years). */
const MIN_TIME_MS = -9223372036854776; // math.MinInt64 / 1000, as Prometheus's MinTime in ms
const MAX_TIME_MS = 9223372036854775; // math.MaxInt64 / 1000
const MIN_TIME_FORMATTED = '-292273086-05-16T16:47:06Z';
const MAX_TIME_FORMATTED = '292277025-08-18T07:12:54.999999999Z';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * An optional time parameter: `absent` when not given or empty, as Prometheus's parseTimeParam (`time` of
 * instant queries; `start`/`end` of series, labels, label values and exemplars — range queries require theirs).
 */
export function optionalTime(value: string | undefined, param: string, absent: number): number {
  return value === undefined || value === '' ? absent : parseTime(value, param);
}

/** `start` and `end` of series, labels, label values and exemplars: optional, end not before start. */
export function optionalTimeRange(start: string | undefined, end: string | undefined): { mint: number; maxt: number } {
  const mint = optionalTime(start, 'start', API_MIN_TIME_MS);
  const maxt = optionalTime(end, 'end', API_MAX_TIME_MS);
  if (maxt < mint) throw invalidParam('end', 'end timestamp must not be before start time');
  return { mint, maxt };
}

/** Unix seconds (float) or RFC 3339 → ms. Throws a bad_data error naming the parameter. */
export function parseTime(value: string, param: string): number {
  if (FLOAT.test(value)) {
    const seconds = Number(value);
    const whole = Math.trunc(seconds);
    // Prometheus rounds the fraction to milliseconds: math.Round(frac*1000)/1000.
    return whole * 1000 + goRound((seconds - whole) * 1000);
  }
  if (RFC3339.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  if (value === MIN_TIME_FORMATTED) return MIN_TIME_MS;
  if (value === MAX_TIME_FORMATTED) return MAX_TIME_MS;
  throw invalidParam(param, `cannot parse ${JSON.stringify(value)} to a valid timestamp`);
}

/** Go's math.Round: half away from zero (Math.round rounds -0.5 up to -0). */
function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

export const API_MIN_TIME_MS = MIN_TIME_MS;
export const API_MAX_TIME_MS = MAX_TIME_MS;

/** Float seconds or a Prometheus duration → ms (the API's `step`, `timeout`, `lookback_delta`). */
export function parseDuration(value: string, param: string): number {
  if (FLOAT.test(value)) {
    const seconds = Number(value);
    const ms = seconds * 1000;
    if (!Number.isFinite(ms) || Math.abs(ms) > 2 ** 63 / 1e6) {
      throw invalidParam(param, `cannot parse ${JSON.stringify(value)} to a valid duration. It overflows int64`);
    }
    return Math.round(ms);
  }
  const ms = parsePromDuration(value);
  if (ms === undefined) throw invalidParam(param, `cannot parse ${JSON.stringify(value)} to a valid duration`);
  return ms;
}

/** Go strconv.ParseBool. */
export function parseBool(value: string, param: string): boolean {
  switch (value) {
    case '1': case 't': case 'T': case 'true': case 'TRUE': case 'True':
      return true;
    case '0': case 'f': case 'F': case 'false': case 'FALSE': case 'False':
      return false;
    default:
      throw invalidParam(param, `strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`);
  }
}

/**
 * Reverses Prometheus's value-encoding escaping of label names in URL paths (`U__` prefix; `__` is `_`;
 * `_<hex>_` is a code point), as Grafana sends names outside the legacy charset. A malformed escape
 * leaves the name as it was, as Prometheus's model.UnescapeName does.
 */
export function unescapeLabelName(name: string): string {
  if (!name.startsWith('U__')) return name;
  const s = name.slice(3);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '_') {
      out += c;
      continue;
    }
    if (s[i + 1] === '_') {
      out += '_';
      i++;
      continue;
    }
    const end = s.indexOf('_', i + 1);
    if (end < 0) return name;
    const hex = s.slice(i + 1, end);
    if (!/^[0-9a-fA-F]+$/.test(hex)) return name;
    const cp = parseInt(hex, 16);
    if (cp > 0x10ffff) return name;
    out += String.fromCodePoint(cp);
    i = end;
  }
  return out;
}
