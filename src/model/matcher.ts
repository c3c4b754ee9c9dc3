/**
 * Label matchers `=`, `!=`, `=~`, `!~` with Prometheus 3 semantics: regexes are RE2 syntax, fully anchored,
 * and `.` matches a newline (Prometheus compiles `^(?s:<re>)$`). They run on re2js, a linear-time engine, so
 * a hostile pattern such as `(a+)+$` cannot stall the process the way a backtracking `RegExp` would.
 */
import { RE2JS } from 're2js';
import { BadDataError } from './errors.js';

export enum MatchType {
  EQ = 0,
  NEQ = 1,
  RE = 2,
  NRE = 3,
}

const OP_TEXT: Record<MatchType, string> = {
  [MatchType.EQ]: '=',
  [MatchType.NEQ]: '!=',
  [MatchType.RE]: '=~',
  [MatchType.NRE]: '!~',
};

/** Characters that make a regex more than a literal string. */
const REGEX_META = /[\\.+*?()|[\]{}^$]/;

export class Matcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
  readonly #test: (s: string) => boolean;

  /** Throws BadDataError when a regex does not compile. */
  constructor(type: MatchType, name: string, value: string) {
    this.type = type;
    this.name = name;
    this.value = value;
    this.#test = type === MatchType.RE || type === MatchType.NRE ? compileRegexTest(value) : (s) => s === value;
  }

  static eq(name: string, value: string): Matcher {
    return new Matcher(MatchType.EQ, name, value);
  }

  matches(s: string): boolean {
    const t = this.#test(s);
    return this.type === MatchType.EQ || this.type === MatchType.RE ? t : !t;
  }

  /** True when the matcher accepts the empty string, i.e. also selects series that lack the label. */
  matchesEmpty(): boolean {
    return this.matches('');
  }

  /** For `=~` / `!~` on a plain literal pattern (no metacharacters), the literal; otherwise undefined. */
  literalValue(): string | undefined {
    if (this.type === MatchType.EQ || this.type === MatchType.NEQ) return this.value;
    return REGEX_META.test(this.value) ? undefined : this.value;
  }

  toString(): string {
    return `${this.name}${OP_TEXT[this.type]}${JSON.stringify(this.value)}`;
  }
}

/** A string test for an anchored, dot-all RE2 regex, with fast paths for the commonest shapes. */
function compileRegexTest(pattern: string): (s: string) => boolean {
  let re: RE2JS;
  try {
    re = RE2JS.compile(`^(?s:${pattern})$`);
  } catch (err) {
    throw new BadDataError(`invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`, { cause: err });
  }
  if (pattern === '.*') return () => true;
  if (pattern === '.+') return (s) => s.length > 0;
  if (!REGEX_META.test(pattern)) return (s) => s === pattern;
  // `a|b|c` of literals: a set lookup (Grafana multi-value variables produce these).
  const alternatives = pattern.split('|');
  if (alternatives.length > 1 && alternatives.every((a) => !REGEX_META.test(a))) {
    const set = new Set(alternatives);
    return (s) => set.has(s);
  }
  // `prefix.*`: a prefix check.
  if (pattern.endsWith('.*') && !REGEX_META.test(pattern.slice(0, -2))) {
    const prefix = pattern.slice(0, -2);
    return (s) => s.startsWith(prefix);
  }
  return (s) => re.matches(s);
}

/** True when every matcher accepts the label set (a missing label reads as ''). */
export function matchesAll(matchers: readonly Matcher[], get: (name: string) => string): boolean {
  for (const m of matchers) if (!m.matches(get(m.name))) return false;
  return true;
}
