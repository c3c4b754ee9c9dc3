/**
 * Matchers → the sorted series IDs of one block (thanos.md §5.4 step 1), resolved through the index-header
 * and postings lists, never by scanning series:
 *
 *   =~".*"                         no constraint
 *   !~".*"                         nothing
 *   ="v", set regex =~"a|b|c"      add the keys (name, v)…
 *   matches "" (="", !="v", !~re)  all postings minus the keys of the values the matcher rejects
 *   other regex, !="", =~".+"      add the keys of the values the matcher accepts (values from the index-header)
 *
 * Result = intersect(add groups) − union(remove groups); with only remove groups, the all-postings key
 * ("", "") is the base. Regexes run on the model's Matcher (RE2, linear time): no user pattern ever becomes
 * a backtracking JS RegExp.
 */
import { MatchType, type Matcher } from '../model/index.js';
import type { StoreBlock } from './block.js';

const EMPTY = new Uint32Array(0);

/** Characters that make a regex alternative more than a literal. */
const REGEX_META = /[\\.+*?()|[\]{}^$]/;

/** `a|b|c` of plain literals → the literals; otherwise undefined. */
export function setRegexValues(pattern: string): string[] | undefined {
  if (pattern === '') return undefined;
  const alts = pattern.split('|');
  return alts.every((a) => a !== '' && !REGEX_META.test(a)) ? alts : undefined;
}

export async function postingsForMatchers(block: StoreBlock, matchers: readonly Matcher[], signal?: AbortSignal): Promise<Uint32Array> {
  const adds: Uint32Array[] = [];
  const removes: Uint32Array[] = [];
  for (const m of matchers) {
    const isRe = m.type === MatchType.RE || m.type === MatchType.NRE;
    if (isRe && m.value === '.*') {
      if (m.type === MatchType.RE) continue;
      return EMPTY;
    }
    if (m.type === MatchType.EQ && m.value !== '') {
      adds.push(union(await block.postings(m.name, [m.value], signal)));
      continue;
    }
    if (m.type === MatchType.RE) {
      const set = setRegexValues(m.value);
      if (set !== undefined) {
        adds.push(union(await block.postings(m.name, [...new Set(set)].sort(), signal)));
        continue;
      }
    }
    const values = await block.header.labelValues(m.name);
    if (m.matchesEmpty()) {
      // The matcher also selects series without the label: remove the series whose value it rejects.
      const rejected = filterValues(m, values, false);
      if (rejected.length > 0) removes.push(union(await block.postings(m.name, rejected, signal)));
    } else {
      const accepted = filterValues(m, values, true);
      if (accepted.length === 0) return EMPTY;
      adds.push(union(await block.postings(m.name, accepted, signal)));
    }
  }
  let result: Uint32Array;
  if (adds.length === 0) result = (await block.postings('', [''], signal))[0]!;
  else {
    adds.sort((a, b) => a.length - b.length); // smallest first: every later intersection is cheaper
    result = adds[0]!;
    for (let i = 1; i < adds.length && result.length > 0; i++) result = intersect(result, adds[i]!);
  }
  if (removes.length > 0 && result.length > 0) result = subtract(result, union(removes));
  return result;
}

/**
 * The literal text every match of an (anchored) regex starts with: `pod-1.*5` → "pod-1". Conservative: ""
 * when the pattern has an alternation anywhere, or starts with a group, class, escape or flag; a literal
 * followed by a quantifier loses its last character (`ab?c` → "a").
 */
export function literalPrefix(pattern: string): string {
  if (pattern.includes('|')) return '';
  let i = 0;
  while (i < pattern.length && !REGEX_META.test(pattern[i]!)) i++;
  if (i < pattern.length && (pattern[i] === '?' || pattern[i] === '*' || pattern[i] === '{')) i--;
  return pattern.slice(0, Math.max(0, i));
}

/**
 * The values (sorted) for which m.matches is `want`. A regex runs only on values with its literal prefix —
 * a contiguous stretch of the sorted values, found by binary search — since the others cannot match it:
 * {pod=~"pod-1.*5"} over 100,000 pods runs the regex 10,000 times, not 100,000.
 */
export function filterValues(m: Matcher, values: readonly string[], want: boolean): string[] {
  const isRe = m.type === MatchType.RE || m.type === MatchType.NRE;
  const prefix = isRe ? literalPrefix(m.value) : '';
  if (prefix === '') return values.filter((v) => m.matches(v) === want);
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < values.length && values[end]!.startsWith(prefix)) end++;
  // Outside [lo, end) the regex fails, so =~ does not match there and !~ does.
  const outside = m.type === MatchType.NRE;
  const out: string[] = [];
  if (outside === want) for (let i = 0; i < lo; i++) out.push(values[i]!);
  for (let i = lo; i < end; i++) if (m.matches(values[i]!) === want) out.push(values[i]!);
  if (outside === want) for (let i = end; i < values.length; i++) out.push(values[i]!);
  return out;
}

/** Union of ascending lists. */
export function union(lists: readonly Uint32Array[]): Uint32Array {
  if (lists.length === 0) return EMPTY;
  if (lists.length === 1) return lists[0]!;
  let total = 0;
  for (const l of lists) total += l.length;
  const all = new Uint32Array(total);
  let p = 0;
  for (const l of lists) {
    all.set(l, p);
    p += l.length;
  }
  all.sort();
  let w = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[w - 1]) all[w++] = all[i]!;
  return all.subarray(0, w);
}

export function intersect(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let w = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out[w++] = x;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out.subarray(0, w);
}

export function subtract(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length);
  let j = 0;
  let w = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    while (j < b.length && b[j]! < x) j++;
    if (j < b.length && b[j] === x) continue;
    out[w++] = x;
  }
  return out.subarray(0, w);
}
