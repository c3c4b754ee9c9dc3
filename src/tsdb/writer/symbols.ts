/**
 * The symbol table of a block being written: every label name and value once, sorted by UTF-8 bytes
 * (Go's string order), each series's labels turned into symbol ordinals (index v2 refs).
 *
 * Because ordinals follow byte order, comparing two series by their ref sequences is comparing their
 * label sets as Prometheus does, and sorting postings keys by (name ref, value ref) is sorting them by
 * (name, value): the rest of the writer never compares strings again.
 *
 * The empty string is always a symbol: Prometheus's head lists the all-postings key ("", "") among its
 * label pairs, so every block Prometheus or promtool writes carries it as symbol 0. We do the same, which
 * keeps our index byte-identical to theirs.
 */
import { BadDataError, type Labels } from '../../model/index.js';

export interface SymbolSet {
  /** Sorted symbols. */
  strings: string[];
  /** UTF-8 of each symbol, same order. */
  bytes: Uint8Array[];
  /** Series s's labels as (name ref, value ref) pairs: pairs[pairStart[s] .. pairStart[s + 1]). */
  pairs: Uint32Array;
  pairStart: Uint32Array;
}

const utf8 = new TextEncoder();
/** With the u flag a valid surrogate pair is one code point, so only lone halves match category Cs. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Go compares strings bytewise, which for UTF-8 is code point order. JS compares UTF-16 code units, which
 * agrees except that surrogates (U+D800–DFFF, used for code points ≥ U+10000) sort below U+E000–FFFF.
 * Shifting those two ranges past each other fixes it; the common case (no difference there) is untouched.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Collects the symbols of `labelSets` and the ref pairs of each. Throws BadDataError for text that is not
 * valid Unicode (a lone surrogate cannot be written as UTF-8 and would silently become U+FFFD).
 */
export function buildSymbols(labelSets: readonly Labels[]): SymbolSet {
  const seen = new Set<string>(['']);
  let totalPairs = 0;
  for (const ls of labelSets) {
    totalPairs += ls.length;
    ls.forEach((n, v) => {
      seen.add(n);
      seen.add(v);
    });
  }
  const strings = [...seen];
  strings.sort(compareUtf8);
  const refOf = new Map<string, number>();
  const bytes: Uint8Array[] = new Array(strings.length);
  for (let i = 0; i < strings.length; i++) {
    const s = strings[i]!;
    if (LONE_SURROGATE.test(s)) throw new BadDataError(`write block: label text ${JSON.stringify(s)} is not valid Unicode (lone surrogate)`);
    refOf.set(s, i);
    bytes[i] = utf8.encode(s);
  }
  const pairs = new Uint32Array(totalPairs * 2);
  const pairStart = new Uint32Array(labelSets.length + 1);
  let p = 0;
  for (let s = 0; s < labelSets.length; s++) {
    pairStart[s] = p;
    const ls = labelSets[s]!;
    if (ls.isEmpty()) throw new BadDataError('write block: a series has no labels');
    ls.forEach((n, v) => {
      if (n === '') throw new BadDataError(`write block: series ${ls.toString()} has a label with an empty name`);
      pairs[p++] = refOf.get(n)!;
      pairs[p++] = refOf.get(v)!;
    });
    sortPairsByName(pairs, pairStart[s]!, p);
  }
  pairStart[labelSets.length] = p;
  return { strings, bytes, pairs, pairStart };
}

/**
 * Labels are sorted by JS string order; names with code points ≥ U+10000 can sort differently by bytes.
 * Re-sort by name ref (insertion sort: a series has a handful of labels and is almost always in order).
 */
function sortPairsByName(pairs: Uint32Array, from: number, to: number): void {
  for (let i = from + 2; i < to; i += 2) {
    const n = pairs[i]!;
    const v = pairs[i + 1]!;
    let j = i - 2;
    while (j >= from && pairs[j]! > n) {
      pairs[j + 2] = pairs[j]!;
      pairs[j + 3] = pairs[j + 1]!;
      j -= 2;
    }
    pairs[j + 2] = n;
    pairs[j + 3] = v;
  }
}

/** Label-set order on ref pairs: pairwise by name then value, then the shorter set first (labels.Compare). */
export function comparePairs(pairs: Uint32Array, a0: number, a1: number, b0: number, b1: number): number {
  const n = Math.min(a1 - a0, b1 - b0);
  for (let i = 0; i < n; i++) {
    const d = pairs[a0 + i]! - pairs[b0 + i]!;
    if (d !== 0) return d;
  }
  return a1 - a0 - (b1 - b0);
}
