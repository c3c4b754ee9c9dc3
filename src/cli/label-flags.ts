/**
 * `name="value"` label flags (`--label` of store-memory, `--selector-label` of query), parsed as Thanos parses
 * them: split at the first `=`, a valid label name, the value unquoted with Go's strconv.Unquote.
 */
import { Labels } from '../model/index.js';
import { UsageError } from './usage-error.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * `--label` values as Thanos parses them (`parseFlagLabels`): split at the first `=`, a valid label name,
 * the value unquoted with Go's strconv.Unquote ("…" with escapes, or `…` raw). Unlike Thanos we also refuse a
 * repeated name and an empty value: both would silently lose a label (Prometheus drops empty-valued labels).
 */
export function parseLabelFlags(flags: readonly string[], flag = '--label'): Labels {
  const pairs = new Map<string, string>();
  for (const f of flags) {
    const eq = f.indexOf('=');
    if (eq < 0) throw new UsageError(`${flag} ${JSON.stringify(f)}: expected name="value"`);
    const name = f.slice(0, eq);
    if (!LABEL_NAME.test(name)) throw new UsageError(`${flag} ${JSON.stringify(f)}: invalid label name ${JSON.stringify(name)}`);
    let value: string;
    try {
      value = goUnquote(f.slice(eq + 1));
    } catch (e) {
      throw new UsageError(`${flag} ${JSON.stringify(f)}: unquote label value: ${(e as Error).message}`);
    }
    if (value === '') throw new UsageError(`${flag} ${JSON.stringify(f)}: empty value`);
    if (pairs.has(name)) throw new UsageError(`${flag} ${JSON.stringify(f)}: label ${name} given twice`);
    pairs.set(name, value);
  }
  return Labels.from(pairs);
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };

/**
 * Go's strconv.Unquote for "…" and `…` (single quotes hold one character in Go, never a label value).
 * \x and octal escapes are bytes, so bytes are collected and read as UTF-8 at the end.
 */
function goUnquote(s: string): string {
  if (s.length >= 2 && s[0] === '`' && s.endsWith('`')) {
    const body = s.slice(1, -1);
    if (body.includes('`')) throw new Error('invalid syntax');
    return body.replace(/\r/g, ''); // Go drops carriage returns from raw strings
  }
  if (s.length < 2 || s[0] !== '"' || !s.endsWith('"')) throw new Error('invalid syntax: the value must be quoted, as name="value"');
  const body = s.slice(1, -1);
  const bytes: number[] = [];
  const text = (t: string): void => {
    for (const b of Buffer.from(t, 'utf8')) bytes.push(b);
  };
  for (let i = 0; i < body.length; ) {
    const c = body[i];
    if (c === '"' || c === '\n') throw new Error('invalid syntax: unescaped ' + (c === '"' ? 'quote' : 'newline'));
    if (c !== '\\') {
      const cp = body.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      text(ch);
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) throw new Error('invalid syntax: trailing backslash');
    if (SIMPLE_ESCAPES[e] !== undefined) {
      text(SIMPLE_ESCAPES[e]);
      i += 2;
      continue;
    }
    const [digits, base] = e === 'x' ? [2, 16] : e === 'u' ? [4, 16] : e === 'U' ? [8, 16] : e >= '0' && e <= '7' ? [3, 8] : [0, 0];
    if (digits === 0) throw new Error(`invalid syntax: unknown escape \\${e}`);
    const start = base === 8 ? i + 1 : i + 2;
    const hex = body.slice(start, start + digits);
    if (hex.length !== digits || !(base === 8 ? /^[0-7]+$/ : /^[0-9a-fA-F]+$/).test(hex)) throw new Error(`invalid syntax: bad \\${e} escape`);
    const x = parseInt(hex, base);
    if (e === 'u' || e === 'U') {
      if (x > 0x10ffff || (x >= 0xd800 && x < 0xe000)) throw new Error('invalid syntax: bad code point');
      text(String.fromCodePoint(x));
    } else {
      if (x > 255) throw new Error('invalid syntax: octal escape above \\377');
      bytes.push(x);
    }
    i = start + digits;
  }
  return Buffer.from(bytes).toString('utf8');
}
