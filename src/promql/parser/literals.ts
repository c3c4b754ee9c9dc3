/**
 * Decoding of PromQL literal tokens: numbers, durations and quoted strings. lezer only says where a token
 * is; what it means follows Prometheus's lexer and parser (promql/parser/lex.go, parse.go `number`,
 * util/strutil.Unquote, common/model.ParseDuration).
 *
 * Errors are thrown as LiteralError (message only); the caller adds the position.
 */

/** A literal that does not decode; the caller wraps it into a positioned BadDataError. */
export class LiteralError extends Error {
  override name = 'LiteralError';
}

const MS_PER_UNIT: Record<string, number> = {
  y: 365 * 24 * 3600 * 1000,
  w: 7 * 24 * 3600 * 1000,
  d: 24 * 3600 * 1000,
  h: 3600 * 1000,
  m: 60 * 1000,
  s: 1000,
  ms: 1,
};

/** Same shape as model.ParseDuration: units in descending order, each at most once. */
const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_UNITS = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
/** Go's time.Duration is int64 nanoseconds: durations beyond it are "out of range" in Prometheus. */
const MAX_DURATION_MS = 9223372036854;

/** True when the token is a duration (`5m`, `1h30m`) rather than a plain number. */
export function isDurationToken(text: string): boolean {
  return /^\d+(?:ms|[ywdhms])/.test(text) && !/^0x/i.test(text);
}

/** `1h30m` → 5,400,000 ms. Throws LiteralError like Prometheus for malformed or overflowing durations. */
export function parseDurationMs(text: string): number {
  const m = DURATION_RE.exec(text);
  if (!m || text === '') throw new LiteralError(`not a valid duration string: ${goQuote(text)}`);
  let ms = 0;
  for (let i = 0; i < DURATION_UNITS.length; i++) {
    const digits = m[i + 1];
    if (digits === undefined) continue;
    ms += Number(digits) * MS_PER_UNIT[DURATION_UNITS[i]!]!;
  }
  if (ms > MAX_DURATION_MS) throw new LiteralError(`duration out of range`);
  return ms;
}

/**
 * A Prometheus duration string (`model.ParseDuration`: `1h30m`, `250ms`, `0`) → ms, or undefined when it
 * is not one: for API parameters, flags and test files, where a bad duration is the caller's error to word.
 */
export function parsePromDuration(text: string): number | undefined {
  if (text === '0') return 0;
  try {
    return parseDurationMs(text);
  } catch (err) {
    if (err instanceof LiteralError) return undefined;
    throw err;
  }
}

/**
 * The value of a number token (possibly signed), as Prometheus's parser computes it: Go's
 * `strconv.ParseInt(s, 0, 64)` first (so `0x1f` is 31 and `010` is octal 8), then `strconv.ParseFloat`
 * (`1e3`, `.5`, `Inf`, `NaN` in any case). A duration token used as a number means seconds: `5m` is 300.
 * `_` digit separators are accepted between digits (lezer's token guarantees where they can be).
 */
export function parseNumber(text: string): number {
  let sign = 1;
  let body = text;
  if (body.startsWith('-') || body.startsWith('+')) {
    if (body[0] === '-') sign = -1;
    body = body.slice(1).trimStart();
  }
  if (isDurationToken(body)) return (sign * parseDurationMs(body)) / 1000;
  const lower = body.toLowerCase();
  if (lower === 'inf' || lower === 'infinity') return sign * Infinity;
  if (lower === 'nan') return NaN;
  const clean = body.replace(/_/g, '');
  if (/^0x[0-9a-f]+$/i.test(clean)) return sign * parseInt(clean.slice(2), 16);
  // Go's base-0 integer parse reads a leading 0 as octal; `09` is not octal and falls back to a float.
  if (/^0[0-7]+$/.test(clean)) return sign * parseInt(clean.slice(1), 8);
  if (/^(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(clean)) return sign * Number(clean);
  throw new LiteralError(`bad number or duration syntax: ${goQuote(body)}`);
}

/**
 * Decodes a quoted string token with Go escape rules: in "…" and '…' the escapes \a \b \f \n \r \t \v \\,
 * the opening quote, \NNN octal, \xNN, \uNNNN and \UNNNNNNNN; `…` is raw. \x and octal escapes are bytes, so
 * the bytes are collected and read as UTF-8 at the end (invalid UTF-8 becomes U+FFFD, where Go keeps raw bytes).
 */
export function unquoteString(token: string): string {
  const quote = token[0];
  if (quote === '`') {
    if (token.length < 2 || !token.endsWith('`')) throw new LiteralError('unterminated raw string');
    return token.slice(1, -1);
  }
  if ((quote !== '"' && quote !== "'") || token.length < 2 || !token.endsWith(quote) || endsInEscape(token)) {
    throw new LiteralError('unterminated quoted string');
  }
  const body = token.slice(1, -1);
  if (!body.includes('\\')) return body;
  const bytes: number[] = [];
  const pushText = (s: string) => {
    for (const b of Buffer.from(s, 'utf8')) bytes.push(b);
  };
  let i = 0;
  while (i < body.length) {
    const bs = body.indexOf('\\', i);
    if (bs < 0) {
      pushText(body.slice(i));
      break;
    }
    pushText(body.slice(i, bs));
    const c = body[bs + 1] ?? '';
    i = bs + 2;
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) {
      bytes.push(simple);
      continue;
    }
    if (c === quote) {
      bytes.push(quote.charCodeAt(0));
      continue;
    }
    let digits: number;
    let base: number;
    let max: number;
    if (c >= '0' && c <= '7') {
      [digits, base, max] = [3, 8, 255];
      i--; // the first digit is part of the number
    } else if (c === 'x') [digits, base, max] = [2, 16, 255];
    else if (c === 'u') [digits, base, max] = [4, 16, 0x10ffff];
    else if (c === 'U') [digits, base, max] = [8, 16, 0x10ffff];
    else throw new LiteralError(`unknown escape sequence ${goRune(c)}`);
    let x = 0;
    for (let k = 0; k < digits; k++, i++) {
      // Go's lexer reads on into the closing quote: `"\u12"` has an illegal '"' in its escape.
      const ch = body[i] ?? quote;
      const d = parseInt(ch, base);
      if (Number.isNaN(d)) throw new LiteralError(`illegal character ${goRune(ch)} in escape sequence`);
      x = x * base + d;
    }
    if (x > max || (x >= 0xd800 && x < 0xe000)) throw new LiteralError('escape sequence is an invalid Unicode code point');
    if (c === 'u' || c === 'U') pushText(String.fromCodePoint(x));
    else bytes.push(x);
  }
  return Buffer.from(bytes).toString('utf8');
}

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };

/** `"abc\"` is unterminated: its last quote is escaped. */
function endsInEscape(token: string): boolean {
  let backslashes = 0;
  for (let i = token.length - 2; i > 0 && token[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 1;
}

const GO_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 34: '\\"', 92: '\\\\' };

/** Go's %q (strconv.Quote) for a string: Go escapes for control characters, printable Unicode kept. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const esc = GO_ESCAPES[cp];
    if (esc !== undefined) out += esc;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if ((cp >= 0x80 && cp < 0xa0) || (cp >= 0xd800 && cp < 0xe000)) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** Go's %#U for a rune: `U+0071 'q'`. */
export function goRune(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}
