/**
 * Date functions (year, month, day_of_month, day_of_week, day_of_year, days_in_month, hour, minute): the
 * sample value read as Unix seconds, in UTC, as Prometheus's `time.Unix(int64(v), 0).UTC()`.
 *
 * Go's `int64(v)` truncates toward zero (−1.5 → −1, i.e. 1969-12-31T23:59:59). For NaN, ±Inf and anything
 * outside the int64 range, amd64's CVTTSD2SQ yields the "integer indefinite" 0x8000000000000000 = −2^63.
 * Go's calendar then adds a fixed offset (~2^63 − 8.1e9 s, the distance from its internal zero year to 1970)
 * in wrapping uint64 arithmetic; for seconds below −9223372028715321600 that wraps around 2^64, so the
 * date shown is that of (seconds + 2^64). NaN and ±Inf therefore read as 2^63 s after the epoch:
 * 292277026596-12-04T15:30:08 UTC, a Sunday, day 339 of a leap year. Measured on the Debian Prometheus 2.42
 * (`year(vector(NaN))` = 292277026596, `hour` = 15, `day_of_week` = 0).
 *
 * Doubt, stated: Go ≥ 1.23 (which Prometheus 3 is built with) reworked its calendar code and, as far as we
 * know, moved its internal zero by under a year. −2^63 lies 258 years below the wrap point, so NaN/±Inf
 * answer the same there; only finite inputs within about a year of −9223372028715321600 s could wrap in
 * one Go version and not the other. We follow the measured Go 1.19 offset.
 */
import type { ValueFunction } from './types.js';

const TWO_POW_63 = 9223372036854775808; // exactly representable
/** Go ≤1.22's unixToInternal + internalToAbsolute: seconds from its absolute zero year to 1970. */
const GO_UNIX_TO_ABSOLUTE = 9223372028715321600n;
const SECONDS_PER_DAY = 86400;

/** Civil date parts of the last conversion, to avoid an object per sample. */
let year = 0;
let month = 0; // 1..12
let day = 0; // 1..31
let secondOfDay = 0;
let weekday = 0; // 0 = Sunday
let yearDay = 0; // 1..366

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/**
 * Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`), on doubles;
 * exact while |days| < 2^53 / 146097.
 */
function civilFromDays(days: number): void {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  yearDay = DAYS_BEFORE_MONTH[month - 1]! + day + (month > 2 && isLeap(year) ? 1 : 0);
  // 1970-01-01 was a Thursday (4).
  weekday = (((days % 7) + 7 + 4) % 7);
}

/** Splits Unix seconds (any float) into the civil parts above, with Go's conversions. */
function toCivil(v: number): void {
  // int64(v) on amd64: truncation, or −2^63 for NaN/±Inf/out of range.
  const sec = Number.isNaN(v) || v >= TWO_POW_63 || v < -TWO_POW_63 ? -TWO_POW_63 : Math.trunc(v);
  if (Math.abs(sec) <= 1e15) {
    const days = Math.floor(sec / SECONDS_PER_DAY);
    secondOfDay = sec - days * SECONDS_PER_DAY;
    civilFromDays(days);
    return;
  }
  // Beyond 2^53 doubles cannot hold seconds + offset exactly: do the uint64 wrap and the division in BigInt.
  let big = BigInt(sec);
  if (big + GO_UNIX_TO_ABSOLUTE < 0n) big += 1n << 64n;
  let days = big / 86400n;
  let rem = big - days * 86400n;
  if (rem < 0n) {
    days -= 1n;
    rem += 86400n;
  }
  secondOfDay = Number(rem);
  // Days fit in a double exactly (|days| < 1.1e14), and civilFromDays stays exact there.
  civilFromDays(Number(days));
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

export const DATE_FUNCTIONS: Record<string, ValueFunction> = {
  year: (v) => (toCivil(v), year),
  month: (v) => (toCivil(v), month),
  day_of_month: (v) => (toCivil(v), day),
  day_of_week: (v) => (toCivil(v), weekday),
  day_of_year: (v) => (toCivil(v), yearDay),
  days_in_month: (v) => (toCivil(v), daysInMonth(year, month)),
  hour: (v) => (toCivil(v), Math.floor(secondOfDay / 3600)),
  minute: (v) => (toCivil(v), Math.floor((secondOfDay % 3600) / 60)),
};
