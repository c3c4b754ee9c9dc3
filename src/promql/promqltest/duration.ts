/**
 * Durations as promqltest files write times and intervals (Prometheus `model.ParseDuration`): units
 * y, w, d, h, m, s, ms in that order, each at most once, e.g. `1h30m`, `90s`, `0`. A year is 365 days.
 * Also accepts plain (possibly fractional) seconds such as `10` or `1.5`, which Prometheus's `eval` times
 * accept too in 3.x; negative values are allowed for times written as `-1m`.
 */
import { parsePromDuration } from '../parser/index.js';

const UNITS: [string, number][] = [
  ['y', 365 * 24 * 3600_000],
  ['w', 7 * 24 * 3600_000],
  ['d', 24 * 3600_000],
  ['h', 3600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/** Milliseconds, or undefined when `s` is not a duration. */
export function parseDurationMs(s: string): number | undefined {
  let sign = 1;
  let body = s.trim();
  if (body.startsWith('-')) {
    sign = -1;
    body = body.slice(1);
  }
  if (body === '') return undefined;
  if (/^[0-9]+(\.[0-9]+)?$/.test(body)) return sign * Math.round(Number(body) * 1000);
  const ms = parsePromDuration(body);
  return ms === undefined ? undefined : sign * ms;
}

/** Inverse for messages: 90000 → "1m30s", 0 → "0s". */
export function formatDurationMs(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.abs(ms);
  let out = ms < 0 ? '-' : '';
  for (const [unit, size] of UNITS) {
    if (unit === 'y' || unit === 'w') continue; // Prometheus prints days and below for readability
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
