/**
 * The k-way merge of a Series request's block cursors, pulled in batches: series present in several blocks
 * (equal final labels) become one series holding the chunks of all of them, in block order (thanos.md §5.4
 * step 5). A batch ends at `maxSeries` series, once `maxChunks` chunks are collected, or once the chunks it
 * needs from one block span more than `maxSpan` bytes of its segment file: the gap-merging partitioner reads
 * the gaps too (up to 512 KiB each), so a sparse selection — every 10th series — of 1,024 series would
 * otherwise read ten times their bytes in one GET and hold it all at once.
 *
 * A cursor whose block fails (a StorageError while reading its index) is handed to `onBlockError`, which
 * rethrows (partial response ABORT) or returns to drop that block and go on (WARN).
 */
import type { SeriesColumns } from '../tsdb/index.js';
import type { StoreBlock } from './block.js';
import { compareFlat, type BlockSeriesCursor } from './cursor.js';

/**
 * Merged series of one batch; part p of series s is at partStart[s] ≤ p < partStart[s + 1]. Labels are
 * undefined where no comparison needed them (one block): `source[s].writeLabels(…)` of the first part
 * builds them then.
 */
export interface MergedBatch {
  labels: (string[] | undefined)[];
  source: BlockSeriesCursor[];
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
  async next(maxSeries: number, maxChunks: number, maxSpan = Infinity): Promise<MergedBatch | undefined> {
    if (this.#done) return undefined;
    const out: MergedBatch = { labels: [], source: [], partStart: [0], partBlock: [], partCols: [], partRow: [], chunks: 0 };
    let last: string[] | undefined;
    // First chunk ref per block in this batch; refs grow with series order in blocks written by Prometheus
    // and by us, so the distance to the latest ref approximates the bytes the GETs will span.
    const firstRef = new Map<StoreBlock, number>();
    let span = 0;
    for (;;) {
      await this.#fill();
      const live = this.#live;
      if (live.length === 0) {
        this.#done = true;
        break;
      }
      let best = 0;
      // One block whose series all differ: no comparisons, so no label arrays at all. Once this batch has
      // compared, keep comparing: the last series may have come from a block that just ran out, and the
      // remaining block's head may equal it.
      const compare = live.length > 1 || live[0]!.mayRepeat || last !== undefined;
      if (live.length > 1) {
        for (let i = 1; i < live.length; i++) {
          const c = live[i]!;
          const b = live[best]!;
          if (compareFlat(c.labelsAt(c.pos), b.labelsAt(b.pos)) < 0) best = i; // ties: the earlier block first
        }
      }
      const c = live[best]!;
      const labels = compare ? c.labelsAt(c.pos) : undefined;
      const same = last !== undefined && labels !== undefined && compareFlat(last, labels) === 0;
      if (!same) {
        if (out.labels.length >= maxSeries || out.chunks >= maxChunks || span > maxSpan) break;
        if (this.limit > 0 && this.#emitted >= this.limit) {
          this.#done = true;
          break;
        }
        if (out.labels.length > 0) out.partStart.push(out.partBlock.length);
        out.labels.push(labels);
        out.source.push(c);
        this.#emitted++;
        last = labels;
      }
      const cols = c.cols[c.pos]!;
      const row = c.rows[c.pos]!;
      out.partBlock.push(c.block);
      out.partCols.push(cols);
      out.partRow.push(row);
      const k0 = cols.chunkStart[row]!;
      const k1 = cols.chunkStart[row + 1]!;
      out.chunks += k1 - k0;
      if (k1 > k0) {
        const first = firstRef.get(c.block);
        if (first === undefined) firstRef.set(c.block, cols.chunkRef[k0]!);
        else span = Math.max(span, Math.abs(cols.chunkRef[k1 - 1]! - first));
      }
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
