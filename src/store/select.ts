/**
 * One Series request over the chosen blocks, before any chunk bytes are read: per block, matchers →
 * postings → series entries → chunk metas inside [mint, maxt]; labels extended by the block's external
 * labels (external wins) minus the replica labels; then a k-way merge over blocks where a series present in
 * several blocks becomes one series holding the chunks of all of them (thanos.md §5.4 step 5).
 */
import { Labels, type Matcher } from '../model/index.js';
import type { StoreBlock } from './block.js';
import { postingsForMatchers } from './postings.js';

/** The chunks of one series from one block (indices into that block's chunk metas). */
export interface BlockChunks {
  block: StoreBlock;
  mint: Float64Array;
  maxt: Float64Array;
  ref: Float64Array;
}

export interface SelectedSeries {
  labels: Labels;
  parts: BlockChunks[];
}

/**
 * The series of one block matching `matchers` (which must not name the block's external labels: those are
 * decided per block by the caller), with chunks overlapping [mint, maxt], sorted by their final labels.
 */
export async function selectBlockSeries(
  block: StoreBlock,
  matchers: readonly Matcher[],
  mint: number,
  maxt: number,
  dropLabels: readonly string[],
  signal?: AbortSignal,
): Promise<SelectedSeries[]> {
  const ids = await postingsForMatchers(block, matchers, signal);
  if (ids.length === 0) return [];
  const series = await block.series(ids, signal);
  const ext = block.extLabels;
  const out: SelectedSeries[] = [];
  let reordered = false;
  for (const s of series) {
    const e = s.entry;
    let keep = 0;
    for (let i = 0; i < e.chunkMint.length; i++) if (e.chunkMaxt[i]! >= mint && e.chunkMint[i]! <= maxt) keep++;
    if (keep === 0) continue;
    let part: BlockChunks;
    if (keep === e.chunkMint.length) part = { block, mint: e.chunkMint, maxt: e.chunkMaxt, ref: e.chunkRef };
    else {
      part = { block, mint: new Float64Array(keep), maxt: new Float64Array(keep), ref: new Float64Array(keep) };
      for (let i = 0, w = 0; i < e.chunkMint.length; i++) {
        if (!(e.chunkMaxt[i]! >= mint && e.chunkMint[i]! <= maxt)) continue;
        part.mint[w] = e.chunkMint[i]!;
        part.maxt[w] = e.chunkMaxt[i]!;
        part.ref[w++] = e.chunkRef[i]!;
      }
    }
    let labels = s.labels;
    if (!ext.isEmpty()) {
      labels = extend(labels, ext);
      reordered = true;
    }
    if (dropLabels.length > 0) {
      const dropped = labels.drop(dropLabels);
      if (dropped !== labels) reordered = true;
      labels = dropped;
    }
    out.push({ labels, parts: [part] });
  }
  // The index orders series by their own labels; inserting external labels or removing replica labels can
  // change that order ({a=1} < {a=1,b=1}, but with c=1 added {a=1,b=1,c=1} < {a=1,c=1}). Usually it does
  // not: check in one pass before paying for a sort.
  if (reordered && !isSorted(out)) out.sort((a, b) => Labels.compare(a.labels, b.labels));
  return out;
}

function isSorted(list: readonly SelectedSeries[]): boolean {
  for (let i = 1; i < list.length; i++) if (Labels.compare(list[i - 1]!.labels, list[i]!.labels) > 0) return false;
  return true;
}

/**
 * Series labels with the external labels added; on a name clash the external value wins (Thanos). Both
 * sets are sorted by name, so this is one merge, with no sort and no builder.
 */
function extend(own: Labels, ext: Labels): Labels {
  const a = own.flat();
  const b = ext.flat();
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) {
      out.push(a[i]!, a[i + 1]!);
      i += 2;
    } else {
      if (i < a.length && a[i] === b[j]) i += 2; // external wins
      out.push(b[j]!, b[j + 1]!);
      j += 2;
    }
  }
  return Labels.fromSorted(out);
}

/**
 * Merges per-block sorted lists into one sorted list; equal label sets are joined (their parts
 * concatenated in block order). With `limit` > 0, stops after that many series.
 */
export function mergeSelected(lists: SelectedSeries[][], limit = 0): SelectedSeries[] {
  // Even one list goes through the loop: two series of one block can become equal once an external label
  // overrides the label that told them apart.
  const live = lists.filter((l) => l.length > 0);
  const pos = new Array<number>(live.length).fill(0);
  const out: SelectedSeries[] = [];
  // A linear scan of the heads: block counts per request are small (tens), and it keeps ties in block order.
  for (;;) {
    let best = -1;
    for (let i = 0; i < live.length; i++) {
      if (pos[i]! >= live[i]!.length) continue;
      if (best < 0 || Labels.compare(live[i]![pos[i]!]!.labels, live[best]![pos[best]!]!.labels) < 0) best = i;
    }
    if (best < 0) break;
    const head = live[best]![pos[best]!++]!;
    const last = out[out.length - 1];
    if (last !== undefined && last.labels.equals(head.labels)) {
      if (last.parts === head.parts) continue;
      last.parts = [...last.parts, ...head.parts];
      continue;
    }
    if (limit > 0 && out.length >= limit) break;
    out.push({ labels: head.labels, parts: head.parts });
  }
  return out;
}
