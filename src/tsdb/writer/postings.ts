/**
 * Postings of a block being written, in compressed-sparse-row form: the sorted (name ref, value ref) keys
 * and, per key, the ascending series IDs carrying that label pair, all in three typed arrays. A Map is
 * used only while counting (one entry per distinct label pair, never per series or sample).
 */
import { BadDataError } from '../../model/index.js';

export interface Postings {
  /** Key k is (keys[2k], keys[2k + 1]) = (name ref, value ref), sorted. */
  keys: Uint32Array;
  /** Key k's series IDs are ids[start[k] .. start[k + 1]). */
  start: Uint32Array;
  ids: Uint32Array;
}

/**
 * `order[i]` is the input index of the i-th series in label order, `seriesId[i]` its ID (offset / 16);
 * IDs grow with i, so filling in that order leaves every list sorted.
 */
export function buildPostings(
  numSymbols: number,
  pairs: Uint32Array,
  pairStart: Uint32Array,
  order: Uint32Array,
  seriesId: Uint32Array,
): Postings {
  // name * numSymbols + value orders keys as (name, value) and must stay an exact double.
  if (numSymbols * numSymbols >= Number.MAX_SAFE_INTEGER) throw new BadDataError(`write block: ${numSymbols} symbols is too many`);
  const counts = new Map<number, number>();
  for (let i = 0; i < pairs.length; i += 2) {
    const code = pairs[i]! * numSymbols + pairs[i + 1]!;
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  const codes = new Float64Array(counts.size);
  let k = 0;
  for (const code of counts.keys()) codes[k++] = code;
  codes.sort();

  const keys = new Uint32Array(codes.length * 2);
  const start = new Uint32Array(codes.length + 1);
  const slot = new Map<number, number>();
  let total = 0;
  for (let j = 0; j < codes.length; j++) {
    const code = codes[j]!;
    keys[2 * j] = Math.floor(code / numSymbols);
    keys[2 * j + 1] = code % numSymbols;
    start[j] = total;
    total += counts.get(code)!;
    slot.set(code, j);
  }
  start[codes.length] = total;

  const ids = new Uint32Array(total);
  const cursor = start.slice(0, codes.length);
  for (let i = 0; i < order.length; i++) {
    const s = order[i]!;
    for (let p = pairStart[s]!; p < pairStart[s + 1]!; p += 2) {
      const j = slot.get(pairs[p]! * numSymbols + pairs[p + 1]!)!;
      ids[cursor[j]!++] = seriesId[i]!;
    }
  }
  return { keys, start, ids };
}
