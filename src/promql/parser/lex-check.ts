/**
 * A pass over the raw query that finds the errors Prometheus's *lexer* reports (promql/parser/lex.go):
 * stray characters, unbalanced (), [] and {}, unterminated strings, bad characters inside braces.
 * lezer recovers from these silently, and its error nodes would only say "unexpected …"; this pass gives the
 * same words Prometheus uses. It returns the first such error (UTF-16 offset + message) or null.
 */
import { goQuote, LiteralError, parseDurationMs, unquoteString } from './literals.js';

export interface LexError {
  /** UTF-16 offset. */
  at: number;
  message: string;
}

const OPERATOR_CHARS = new Set(['+', '-', '*', '/', '%', '^', '=', '<', '>', '@', ':', ',']);

/** %q of a rune as Go prints it: ')' → `')'`. */
function runeQ(c: string): string {
  return `'${c}'`;
}

export function lexCheck(input: string): LexError | null {
  let parenDepth = 0;
  let inBraces = false;
  let inBrackets = false;
  let colonSeen = false;
  let i = 0;
  const n = input.length;
  while (i < n) {
    const c = input[i]!;
    if (c === '#') {
      const nl = input.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      const end = stringEnd(input, i);
      if (end < 0) return { at: i, message: c === '`' ? 'unterminated raw string' : 'unterminated quoted string' };
      try {
        unquoteString(input.slice(i, end));
      } catch (err) {
        if (err instanceof LiteralError) return { at: i, message: err.message };
        throw err;
      }
      i = end;
      continue;
    }
    if (inBraces) {
      if (c === '}') inBraces = false;
      else if (c === ',' || c === '=') {
        // separators and `=`, `=~`
      } else if (c === '!') {
        const next = input[i + 1];
        if (next !== '=' && next !== '~') return { at: i, message: `unexpected character after '!' inside braces: ${runeQ(next ?? '')}` };
        i++;
      } else if (c === '~') {
        // part of `=~`
      } else if (isIdentStart(c)) {
        while (i + 1 < n && isIdentPart(input[i + 1]!)) i++;
      } else if (c === '{') return { at: i, message: `unexpected left brace ${runeQ(c)}` };
      else return { at: i, message: `unexpected character inside braces: ${runeQ(c)}` };
      i++;
      continue;
    }
    switch (c) {
      case '(':
        parenDepth++;
        break;
      case ')':
        if (--parenDepth < 0) return { at: i, message: `unexpected right parenthesis ${runeQ(c)}` };
        break;
      case '{':
        inBraces = true;
        break;
      case '}':
        return { at: i, message: `unexpected character: ${runeQ(c)}` };
      case '[':
        if (inBrackets) return { at: i, message: `unexpected left bracket ${runeQ(c)}` };
        inBrackets = true;
        colonSeen = false;
        break;
      case ']':
        if (!inBrackets) return { at: i, message: `unexpected right bracket ${runeQ(c)}` };
        inBrackets = false;
        break;
      case '!':
        if (input[i + 1] !== '=') return { at: i, message: `unexpected character after '!': ${runeQ(input[i + 1] ?? '')}` };
        i++;
        break;
      case ':':
        // A subquery has one colon; a second one inside the same brackets is a lexer error in Prometheus.
        if (inBrackets && colonSeen) return { at: i, message: `unexpected colon ${runeQ(c)}` };
        if (inBrackets) colonSeen = true;
        break;
      default:
        if ((c >= '0' && c <= '9') || (c === '.' && /[0-9]/.test(input[i + 1] ?? ''))) {
          const token = NUMBER_RUN.exec(input.slice(i))![0];
          const bad = numberTokenError(token);
          if (bad) return { at: i, message: bad };
          i += token.length - 1;
        } else if (isIdentPart(c)) {
          while (i + 1 < n && isIdentPart(input[i + 1]!)) i++;
        } else if (!OPERATOR_CHARS.has(c)) {
          return { at: i, message: `unexpected character: ${runeQ(goRuneText(input, i))}` };
        }
    }
    i++;
  }
  if (inBraces) return { at: n, message: 'unexpected end of input inside braces' };
  if (inBrackets) return { at: n, message: 'unclosed left bracket' };
  if (parenDepth > 0) return { at: n, message: 'unclosed left parenthesis' };
  return null;
}

/** What Prometheus's lexer reads as one number or duration token: digits, letters, `_`, `.`, exponent signs. */
const NUMBER_RUN = /^(?:0[xX][0-9a-fA-F_]*|[0-9_.]*(?:[eE][+-]?[0-9_]*)?)[a-zA-Z0-9_.]*/;
const VALID_NUMBER = /^(?:0[xX][0-9a-fA-F]+(?:_[0-9a-fA-F]+)*|(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+(?:_\d+)*)?)$/;

/** The lexer error for a malformed number/duration token, or null when it is well-formed. */
function numberTokenError(token: string): string | null {
  if (VALID_NUMBER.test(token)) return null;
  if (/^\d+(?:ms|[ywdhms])/.test(token)) {
    if (/^(?:\d+(?:ms|[ywdhms]))+$/.test(token)) {
      try {
        parseDurationMs(token);
        return null;
      } catch (err) {
        if (err instanceof LiteralError) return err.message;
        throw err;
      }
    }
  }
  return `bad number or duration syntax: ${goQuote(token)}`;
}

/** One past the closing quote of the string starting at `start`, or -1 when it is unterminated. */
function stringEnd(input: string, start: number): number {
  const q = input[start]!;
  for (let i = start + 1; i < input.length; i++) {
    const c = input[i];
    if (c === q) return i + 1;
    if (q === '`') continue;
    if (c === '\\') i++;
    else if (c === '\n') return -1;
  }
  return -1;
}

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}

function isIdentPart(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9') || c === ':';
}

/** The whole code point at i (a surrogate pair is one rune in Go). */
function goRuneText(input: string, i: number): string {
  return String.fromCodePoint(input.codePointAt(i) ?? 0);
}
