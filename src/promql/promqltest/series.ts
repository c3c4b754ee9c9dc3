/**
 * The series description notation of promqltest files (Prometheus `parser.ParseSeriesDesc`):
 *
 *   http_requests_total{job="api", code="200"}  0+10x5 _ stale 100 _x3 Inf
 *
 * Labels as in a selector but only with `=`; then values, each of which expands:
 *   `a`        → a                       `axn`   → n+1 copies of a (the first is "time 0")
 *   `a+bxn`    → a, a+b, …, a+n·b (n+1)  `a-bxn` → a, a-b, …, a-n·b
 *   `_`        → one missing sample      `_xn`   → n missing samples (not n+1: Prometheus's grammar)
 *   `stale`    → the staleness marker    `{{…}}` → a native histogram, which we reject (not supported yet)
 * `Inf`, `+Inf`, `-Inf`, `NaN` (any case) stand alone. As in Prometheus's lexer there is no hexadecimal in
 * series descriptions (`0x5` is 0 repeated: "the syntax is ambiguous"), and `NaNx3` is not a repetition
 * (Prometheus reads it as one identifier and rejects it), so we reject it too.
 */
import { Labels } from '../../model/index.js';

/**
 * Expanded values in order; `null` is a missing sample (`_`), `'stale'` the staleness marker. The marker is
 * kept symbolic because V8 canonicalizes NaN payloads in plain number arrays, which would turn it into an
 * ordinary NaN; it becomes STALE_NAN only when written into storage (typed arrays keep the bits).
 */
export type SequenceValues = (number | null | 'stale')[];

export interface SeriesDesc {
  labels: Labels;
  values: SequenceValues;
}

/** A malformed line in a test file; `column` is 0-based within the line. */
export class SeriesSyntaxError extends Error {
  override name = 'SeriesSyntaxError';
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

export class NativeHistogramError extends SeriesSyntaxError {
  override name = 'NativeHistogramError';
  constructor(column: number) {
    super('native histograms are not supported yet', column);
  }
}

const IDENT = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const NUMBER_SRC = String.raw`[+-]?(?:inf(?:inity)?|nan|0x[0-9a-f]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?)`;
const DECIMAL_SRC = String.raw`(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?`;
const NUMBER_RE = new RegExp(`^${NUMBER_SRC}$`, 'i');
const SPECIAL_RE = /^[+-]?(?:inf(?:inity)?|nan)$/i;
/** `a`, `axn`, `a+bxn`, `a-bxn` with decimal a and b; `[+-]` after the start value separates the increment. */
const VALUE_RE = new RegExp(`^([+-]?${DECIMAL_SRC})(?:([+-])(${DECIMAL_SRC}))?(?:x([0-9]+))?$`, 'i');
const BLANK_RE = /^_(?:x([0-9]+))?$/;
/** Guards against `1x100000000` eating all memory. */
const MAX_EXPANSION = 1_000_000;

/** Parses a number as Go's strconv.ParseFloat does for the forms test files use. */
export function parseNumber(s: string): number | undefined {
  if (!NUMBER_RE.test(s)) return undefined;
  const lower = s.toLowerCase();
  const sign = lower.startsWith('-') ? -1 : 1;
  const body = lower.replace(/^[+-]/, '');
  if (body === 'inf' || body === 'infinity') return sign * Infinity;
  if (body === 'nan') return NaN;
  if (body.startsWith('0x')) return sign * parseInt(body.slice(2), 16);
  return sign * Number(body);
}

/** Parses `<labels> <values…>`. Throws SeriesSyntaxError (or NativeHistogramError) with a column. */
export function parseSeriesDesc(line: string): SeriesDesc {
  const lex = new LabelLexer(line);
  const labels = lex.readLabels();
  const values = expandValues(line, lex.pos);
  return { labels, values };
}

/** Parses only a label set such as `foo{a="b"}` or `{}`; the rest of the line must be empty. */
export function parseLabelsOnly(text: string): Labels {
  const lex = new LabelLexer(text);
  const labels = lex.readLabels();
  lex.skipSpace();
  if (lex.pos < text.length) throw new SeriesSyntaxError(`unexpected ${JSON.stringify(text.slice(lex.pos))} after labels`, lex.pos);
  return labels;
}

/** Expands the value part of a series line, starting at `from`. */
export function expandValues(line: string, from: number): SequenceValues {
  const out: SequenceValues = [];
  const hist = line.indexOf('{{', from);
  if (hist >= 0) throw new NativeHistogramError(hist);
  const tokenRe = /\S+/g;
  tokenRe.lastIndex = from;
  for (let m = tokenRe.exec(line); m !== null; m = tokenRe.exec(line)) {
    const tok = m[0];
    const col = m.index;
    const blank = BLANK_RE.exec(tok);
    if (blank) {
      const n = blank[1] === undefined ? 1 : checkedCount(blank[1], col);
      for (let i = 0; i < n; i++) out.push(null);
      continue;
    }
    if (tok.toLowerCase() === 'stale') {
      out.push('stale');
      continue;
    }
    if (SPECIAL_RE.test(tok)) {
      out.push(parseNumber(tok) as number);
      continue;
    }
    const v = VALUE_RE.exec(tok);
    if (!v) throw new SeriesSyntaxError(`bad value ${JSON.stringify(tok)} (want a number, a+bxn, a-bxn, axn, _, _xn or stale)`, col);
    const start = parseNumber(v[1]);
    if (start === undefined) throw new SeriesSyntaxError(`bad number ${JSON.stringify(v[1])}`, col);
    if (v[4] === undefined) {
      if (v[2] !== undefined) throw new SeriesSyntaxError(`${JSON.stringify(tok)}: an increment needs a repetition count (a+bxn)`, col);
      out.push(start);
      continue;
    }
    const n = checkedCount(v[4], col);
    const inc = v[2] === undefined ? 0 : (v[2] === '-' ? -1 : 1) * (parseNumber(v[3]) as number);
    // Go adds the increment step by step (`$1 += $2`), so accumulate the same way to get identical rounding.
    let cur = start;
    for (let i = 0; i <= n; i++) {
      out.push(cur);
      cur += inc;
    }
  }
  return out;
}

function checkedCount(digits: string, col: number): number {
  const n = Number(digits);
  if (!Number.isSafeInteger(n) || n > MAX_EXPANSION) throw new SeriesSyntaxError(`repetition count ${digits} is too large`, col);
  return n;
}

/** Reads `name{l="v", …}` at the start of a line. */
class LabelLexer {
  pos = 0;
  constructor(private readonly s: string) {}

  skipSpace(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos])) this.pos++;
  }

  readLabels(): Labels {
    this.skipSpace();
    const pairs: [string, string][] = [];
    let name = '';
    IDENT.lastIndex = this.pos;
    const m = IDENT.exec(this.s);
    if (m) {
      name = m[0];
      this.pos += name.length;
    }
    if (this.s[this.pos] === '{') {
      this.pos++;
      this.readBraces(pairs, (n) => {
        if (name !== '') throw new SeriesSyntaxError(`metric name given twice`, this.pos);
        name = n;
      });
    } else if (name === '') {
      throw new SeriesSyntaxError('expected a metric name or "{"', this.pos);
    }
    if (name !== '') pairs.push(['__name__', name]);
    const seen = new Set<string>();
    for (const [n] of pairs) {
      if (seen.has(n)) throw new SeriesSyntaxError(`duplicate label name ${JSON.stringify(n)}`, this.pos);
      seen.add(n);
    }
    if (this.pos < this.s.length && !/\s/.test(this.s[this.pos])) {
      throw new SeriesSyntaxError(`unexpected ${JSON.stringify(this.s[this.pos])} after labels`, this.pos);
    }
    return Labels.from(pairs);
  }

  /** After `{`: `l="v"` items and, in Prometheus 3 style, a bare quoted metric name; up to `}`. */
  private readBraces(pairs: [string, string][], setName: (n: string) => void): void {
    for (;;) {
      this.skipSpace();
      if (this.s[this.pos] === '}') {
        this.pos++;
        return;
      }
      let label: string;
      if (this.s[this.pos] === '"' || this.s[this.pos] === "'" || this.s[this.pos] === '`') {
        label = this.readString();
        this.skipSpace();
        if (this.s[this.pos] === ',' || this.s[this.pos] === '}') {
          setName(label);
          if (this.s[this.pos] === ',') this.pos++;
          continue;
        }
      } else {
        IDENT.lastIndex = this.pos;
        const m = IDENT.exec(this.s);
        if (!m) throw new SeriesSyntaxError('expected a label name', this.pos);
        label = m[0];
        this.pos += label.length;
        this.skipSpace();
      }
      if (this.s[this.pos] !== '=' || this.s[this.pos + 1] === '~') {
        throw new SeriesSyntaxError(`expected "=" after label ${JSON.stringify(label)} (series descriptions allow only =)`, this.pos);
      }
      this.pos++;
      this.skipSpace();
      const value = this.readString();
      pairs.push([label, value]);
      this.skipSpace();
      if (this.s[this.pos] === ',') this.pos++;
      else if (this.s[this.pos] !== '}') throw new SeriesSyntaxError('expected "," or "}"', this.pos);
    }
  }

  /** A Go-style quoted string: "…" or '…' with escapes, `…` raw. */
  private readString(): string {
    const q = this.s[this.pos];
    const start = this.pos;
    if (q !== '"' && q !== "'" && q !== '`') throw new SeriesSyntaxError('expected a quoted string', this.pos);
    this.pos++;
    let out = '';
    while (this.pos < this.s.length) {
      const c = this.s[this.pos++];
      if (c === q) return out;
      if (c !== '\\' || q === '`') {
        out += c;
        continue;
      }
      out += this.readEscape(start);
    }
    throw new SeriesSyntaxError('unterminated quoted string', start);
  }

  private readEscape(stringStart: number): string {
    const c = this.s[this.pos++];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' };
    if (c in simple) return simple[c];
    const hexLen = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
    if (hexLen > 0) {
      const h = this.s.slice(this.pos, this.pos + hexLen);
      if (!/^[0-9a-fA-F]+$/.test(h) || h.length !== hexLen) throw new SeriesSyntaxError(`bad escape \\${c}${h}`, stringStart);
      this.pos += hexLen;
      return String.fromCodePoint(parseInt(h, 16));
    }
    if (c >= '0' && c <= '7') {
      const o = this.s.slice(this.pos - 1, this.pos + 2);
      if (!/^[0-7]{3}$/.test(o)) throw new SeriesSyntaxError(`bad octal escape \\${o}`, stringStart);
      this.pos += 2;
      return String.fromCharCode(parseInt(o, 8));
    }
    throw new SeriesSyntaxError(`unknown escape \\${c ?? ''}`, stringStart);
  }
}
