/**
 * Prometheus's JSON number and time formatting, which Grafana and promtool parse:
 * sample values are strings in Go's `strconv.FormatFloat(v, 'f', -1, 64)` form ("NaN", "+Inf", "-Inf",
 * never an exponent); timestamps are seconds with a millisecond fraction (`1435781451.781`).
 */

/** Go `strconv.FormatFloat(v, 'f', -1, 64)`: the shortest round-tripping decimal, without exponent. */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return Object.is(v, -0) ? '-0' : s;
  // Expand "d.ddde±x" (JS uses exponents below 1e-6 and from 1e21) into plain digits.
  const negative = s[0] === '-';
  const mantissa = s.slice(negative ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const intLen = (dot < 0 ? mantissa.length : dot) + exp;
  let out: string;
  if (intLen <= 0) out = '0.' + '0'.repeat(-intLen) + digits;
  else if (intLen >= digits.length) out = digits + '0'.repeat(intLen - digits.length);
  else out = digits.slice(0, intLen) + '.' + digits.slice(intLen);
  return negative ? '-' + out : out;
}

/** Prometheus `jsonutil.MarshalTimestamp`: ms → seconds with a 3-digit fraction when not whole. */
export function formatTimestamp(ms: number): string {
  const neg = ms < 0;
  const abs = Math.abs(ms);
  const sec = Math.trunc(abs / 1000);
  const frac = abs % 1000;
  let out = String(sec);
  if (frac !== 0) out += '.' + String(frac).padStart(3, '0');
  return neg ? '-' + out : out;
}
