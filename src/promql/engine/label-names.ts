/**
 * Label name validity as Prometheus 3 checks it (UTF-8 names allowed): any non-empty, valid UTF-8 string.
 * A JS string is invalid UTF-8 only where it holds a lone surrogate.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isValidLabelName(name: string): boolean {
  return name.length > 0 && !LONE_SURROGATE.test(name);
}
