/**
 * Warnings and infos returned beside a result, worded as Prometheus's `util/annotations` so clients and
 * promql tests see the same text. Each message ends with the position of the expression it is about,
 * `(line:col)`, as Prometheus prints it when it knows the query text.
 */
import type { PositionRange } from '../ast.js';

export class Annotations {
  readonly warnings: string[] = [];
  readonly infos: string[] = [];
  readonly #seen = new Set<string>();
  /** `line:col` per byte offset: a hint repeated for every series must not re-encode the query each time. */
  readonly #positions = new Map<number, string>();

  constructor(readonly query: string) {}

  warn(message: string, pos: PositionRange | null): void {
    this.#add(this.warnings, `PromQL warning: ${message}`, pos);
  }

  info(message: string, pos: PositionRange | null): void {
    this.#add(this.infos, `PromQL info: ${message}`, pos);
  }

  /** A warning from storage (e.g. a partial response), passed on verbatim. */
  storageWarning(text: string): void {
    if (this.#seen.has(text)) return;
    this.#seen.add(text);
    this.warnings.push(text);
  }

  #add(list: string[], text: string, pos: PositionRange | null): void {
    const full = pos === null || this.query === '' ? text : `${text} (${this.#position(pos.start)})`;
    if (this.#seen.has(full)) return;
    this.#seen.add(full);
    list.push(full);
  }

  #position(byteOffset: number): string {
    let p = this.#positions.get(byteOffset);
    if (p === undefined) this.#positions.set(byteOffset, (p = startPosition(this.query, byteOffset)));
    return p;
  }
}

/** 1-based `line:col` of a byte offset, as Go's PositionRange.StartPosInput. */
export function startPosition(query: string, byteOffset: number): string {
  const bytes = Buffer.from(query, 'utf8');
  if (byteOffset < 0 || byteOffset > bytes.length) return 'unknown position';
  const before = bytes.subarray(0, byteOffset);
  let line = 1;
  let lastBreak = -1;
  for (let i = 0; i < before.length; i++) {
    if (before[i] === 0x0a) {
      line++;
      lastBreak = i;
    }
  }
  return `${line}:${byteOffset - lastBreak}`;
}

/** Go's `%g` for float64 (shortest representation; exponent form below 1e-4 or from 1e6). */
export function formatG(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  // strconv uses %e when the decimal exponent is < -4 or >= 6 (its precision for shortest output).
  const [mant, ex] = v.toExponential().split('e');
  const e = Number(ex);
  if (e < -4 || e >= 6) return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return formatFloatF(v);
}

/** Go's strconv.FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent. */
export function formatFloatF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  if (!s.includes('e')) return s;
  const neg = v < 0;
  const [mant, exS] = (neg ? s.slice(1) : s).split('e');
  const ex = Number(exS);
  const digits = mant.replace('.', '');
  const pointAt = (mant.indexOf('.') === -1 ? mant.length : mant.indexOf('.')) + ex;
  let out: string;
  if (pointAt <= 0) out = '0.' + '0'.repeat(-pointAt) + digits;
  else if (pointAt >= digits.length) out = digits + '0'.repeat(pointAt - digits.length);
  else out = digits.slice(0, pointAt) + '.' + digits.slice(pointAt);
  return neg ? '-' + out : out;
}

/** Go's `%v` for float64: like %g but with the exponent form only from 1e21. */
export function formatV(v: number): string {
  if (!Number.isFinite(v) || v === 0) return formatG(v);
  const [mant, ex] = v.toExponential().split('e');
  const e = Number(ex);
  if (e < -4 || e >= 21) return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return formatFloatF(v);
}
