/**
 * Values of the store's flags in Thanos's syntax.
 *
 * Sizes (`--index-cache-size`, `--chunk-pool-size`) are kingpin `Bytes`, i.e. alecthomas/units Base2Bytes:
 * `250MB` is 250 × 2^20 bytes (KB, MB, GB, TB, PB and KiB, MiB, … are all powers of 1024), units may be
 * chained (`1GB512MB`), and a bare number is bytes.
 *
 * Times (`--min-time`, `--max-time`) are Thanos's TimeOrDurationValue: an RFC 3339 time, or a Prometheus
 * duration relative to now, optionally negative (`-2w`, `-36h`), re-evaluated against the clock on each use.
 */
import { parsePromDuration } from '../promql/index.js';

const UNIT: Record<string, number> = {
  B: 1,
  KB: 2 ** 10,
  KiB: 2 ** 10,
  MB: 2 ** 20,
  MiB: 2 ** 20,
  GB: 2 ** 30,
  GiB: 2 ** 30,
  TB: 2 ** 40,
  TiB: 2 ** 40,
  PB: 2 ** 50,
  PiB: 2 ** 50,
};

/** Bytes from a Base2Bytes string; undefined when it does not parse. */
export function parseBase2Bytes(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)([KMGTP]i?B|B)/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const unit = UNIT[m[2]!];
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
    pos = re.lastIndex;
  }
  return pos === s.length && pos > 0 ? Math.floor(total) : undefined;
}

export type TimeSpec = { kind: 'absolute'; ms: number } | { kind: 'relative'; offsetMs: number };

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Thanos's defaults: 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
export const MIN_TIME_DEFAULT: TimeSpec = { kind: 'absolute', ms: Date.parse('0000-01-01T00:00:00Z') };
export const MAX_TIME_DEFAULT: TimeSpec = { kind: 'absolute', ms: Date.parse('9999-12-31T23:59:59Z') };

export function parseTimeOrDuration(s: string): TimeSpec | undefined {
  if (RFC3339.test(s)) {
    const ms = Date.parse(s);
    return Number.isNaN(ms) ? undefined : { kind: 'absolute', ms };
  }
  const neg = s.startsWith('-');
  const d = parsePromDuration(neg ? s.slice(1) : s);
  if (d === undefined) return undefined;
  return { kind: 'relative', offsetMs: neg ? -d : d };
}

export function resolveTime(t: TimeSpec, nowMs: number): number {
  return t.kind === 'absolute' ? t.ms : nowMs + t.offsetMs;
}
