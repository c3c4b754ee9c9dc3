/**
 * Label sets printed the way Go's `labels.Labels.String()` does, for error messages that must read like
 * Prometheus's: `{__name__="up", job="api"}` (the name is an ordinary label there).
 */
import type { Labels } from '../../model/index.js';

const LEGACY_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function goLabelsString(l: Labels): string {
  const parts: string[] = [];
  l.forEach((n, v) => parts.push(`${LEGACY_NAME.test(n) ? n : goQuote(n)}=${goQuote(v)}`));
  return `{${parts.join(', ')}}`;
}

/** strconv.Quote for printable text: JSON escaping agrees except for control characters, written \x.. in Go. */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, '\\x$1');
}
