/**
 * The k-way merge of a Series request's block cursors, pulled in batches: series present in several blocks
 * (equal final labels) become one series holding the chunks of all of them, in block order (thanos.md §5.4
 * step 5). A batch ends at `maxSeries` series or once `maxChunks` chunks are collected, so the chunk bytes
 * fetched for it stay bounded.
 *
 * A cursor whose block fails (a StorageError while reading its index) is handed to `onBlockError`, which
 * rethrows (partial response ABORT) or returns to drop that block and go on (WARN).
 */
import type { SeriesColumns } from '../tsdb/index.js';
import type { StoreBlock } from './block.js';
import { compareFlat, type BlockSeriesCursor } from './cursor.js';

/** Merged series of one batch; part p of series s is at partStart[s] ≤ p < partStart[s + 1]. */
export interface MergedBatch {
  labels: string[][];
  partStart: number[];
  partBlock: StoreBlock[];
  partCols: SeriesColumns[];
  partRow: number[];
  /** Chunks across all parts. */
  chunks: number;
}

export class SeriesMerger {
  readonly #live: BlockSeriesCursor[];
  #emitted = 0;
  #done = false;

  /** `limit` > 0: at most that many series in all. */
  constructor(
    cursors: BlockSeriesCursor[],
    readonly limit: number,
    readonly onBlockError: (block: StoreBlock, err: unknown) => void,
  ) {
    this.#live = [...cursors];
  }

  /** The next batch, or undefined when every block is exhausted. */
  async next(maxSeries: number, maxChunks: number): Promise<MergedBatch | undefined> {
    if (this.#done) return undefined;
    const out: MergedBatch = { labels: [], partStart: [0], partBlock: [], partCols: [], partRow: [], chunks: 0 };
    let last: string[] | undefined;
    for (;;) {
      await this.#fill();
      const live = this.#live;
      if (live.length === 0) {
        this.#done = true;
        break;
      }
      let best = 0;
      if (live.length > 1) {
        for (let i = 1; i < live.length; i++) {
          const c = live[i]!;
          const b = live[best]!;
          if (compareFlat(c.labels[c.pos]!, b.labels[b.pos]!) < 0) best = i; // ties: the earlier block first
        }
      }
      const c = live[best]!;
      const labels = c.labels[c.pos]!;
      const same = last !== undefined && compareFlat(last, labels) === 0;
      if (!same) {
        if (out.labels.length >= maxSeries || out.chunks >= maxChunks) break;
        if (this.limit > 0 && this.#emitted >= this.limit) {
          this.#done = true;
          break;
        }
        if (out.labels.length > 0) out.partStart.push(out.partBlock.length);
        out.labels.push(labels);
        this.#emitted++;
        last = labels;
      }
      const cols = c.cols[c.pos]!;
      const row = c.rows[c.pos]!;
      out.partBlock.push(c.block);
      out.partCols.push(cols);
      out.partRow.push(row);
      out.chunks += cols.chunkStart[row + 1]! - cols.chunkStart[row]!;
      c.pos++;
    }
    if (out.labels.length === 0) return undefined;
    out.partStart.push(out.partBlock.length);
    return out;
  }

  /** Makes every live cursor have a head, dropping exhausted and failed ones. */
  async #fill(): Promise<void> {
    for (let i = 0; i < this.#live.length; ) {
      const c = this.#live[i]!;
      let ok: boolean;
      if (c.pos < c.labels.length) ok = true;
      else {
        try {
          ok = await c.more();
        } catch (err) {
          this.onBlockError(c.block, err);
          ok = false;
        }
      }
      if (ok) i++;
      else this.#live.splice(i, 1);
    }
  }
}
