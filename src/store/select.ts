/**
 * The label sets of one block's series matching `matchers` with chunks in [mint, maxt], external labels
 * included: what LabelNames/LabelValues with matchers need. Series requests stream the same cursor
 * (cursor.ts) through the merge (merge.ts) instead of collecting it.
 */
import type { Matcher } from '../model/index.js';
import type { StoreBlock } from './block.js';
import { BlockSeriesCursor } from './cursor.js';

/** Flat [name0, value0, …] label sets, sorted by name within each set. */
export async function selectBlockLabels(
  block: StoreBlock,
  matchers: readonly Matcher[],
  mint: number,
  maxt: number,
  signal?: AbortSignal,
): Promise<string[][]> {
  const c = new BlockSeriesCursor(block, matchers, mint, maxt, [], signal);
  const out: string[][] = [];
  while (await c.more()) {
    for (; c.pos < c.labels.length; c.pos++) out.push(c.labelsAt(c.pos));
  }
  return out;
}
