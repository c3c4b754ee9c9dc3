/**
 * Thanos's gap-based partitioner (`NewGapBasedPartitioner`, thanos.md §5.4): turns many small byte ranges of
 * one object into few GETs. Ranges sorted by start are merged into one part while the next range starts no
 * more than `maxGap` bytes after the part's end; reading up to 512 KiB of unneeded bytes is cheaper than
 * another object-storage round trip.
 *
 *   ranges  [0,10) [15,20) [600000,600010)   maxGap 512 KiB
 *   parts   [0,20) ← ranges 0..1            [600000,600010) ← range 2
 */

/** Thanos's default gap: 512 KiB. */
export const DEFAULT_MAX_GAP = 512 * 1024;

export interface Part {
  start: number;
  end: number;
  /** Index of the first and one past the last input range in this part. */
  first: number;
  last: number;
}

/** `starts`/`ends` describe ranges sorted by start (ends may overlap the next start). */
export function partitionRanges(starts: ArrayLike<number>, ends: ArrayLike<number>, maxGap = DEFAULT_MAX_GAP): Part[] {
  const parts: Part[] = [];
  const n = starts.length;
  let k = 0;
  while (k < n) {
    const p: Part = { start: starts[k]!, end: ends[k]!, first: k, last: k + 1 };
    k++;
    while (k < n && p.end + maxGap >= starts[k]!) {
      if (ends[k]! > p.end) p.end = ends[k]!;
      k++;
    }
    p.last = k;
    parts.push(p);
  }
  return parts;
}
