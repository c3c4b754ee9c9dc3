/**
 * The chunk bytes of one merged batch (merge.ts): one round of ranged GETs per block, the chunk pool
 * acquired once for all of them, and the series' AggrChunks built one series at a time as frames are
 * written. Building them lazily matters: a frame waits for the client (backpressure), and AggrChunk
 * objects built for the whole batch up front would outlive several young-generation collections, be
 * promoted and then die in the old generation — most of the store's GC time and RSS growth before.
 */
import type { ProtoAggrChunk } from '../storeapi/index.js';
import { thanosEncodingFromProm } from '../storeapi/index.js';
import type { FetchedChunks } from '../tsdb/index.js';
import type { StoreBlock } from './block.js';
import type { Semaphore } from './caches.js';
import type { MergedBatch } from './merge.js';

interface BlockShare {
  refs: number[];
  got?: FetchedChunks;
  /** Next of this block's chunks to hand out (series are visited in order). */
  at: number;
}

export class BatchChunks {
  readonly #perBlock: Map<StoreBlock, BlockShare>;
  #next = 0;

  private constructor(
    readonly batch: MergedBatch,
    perBlock: Map<StoreBlock, BlockShare>,
    readonly h64: (data: Uint8Array) => bigint,
  ) {
    this.#perBlock = perBlock;
  }

  /**
   * Fetches the batch's chunks (blocks in `failed` are skipped; a block failing now is added to it and
   * reported to onBlockError). Pool bytes acquired, refetches included, are added to `lease`.
   */
  static async fetch(
    batch: MergedBatch,
    pool: Semaphore,
    lease: { bytes: number },
    failed: Set<StoreBlock>,
    onBlockError: (block: StoreBlock, err: unknown) => void,
    h64: (data: Uint8Array) => bigint,
    signal: AbortSignal,
  ): Promise<BatchChunks> {
    // Refs per block in batch order; each part's chunks are then found at a running position of its block.
    const perBlock = new Map<StoreBlock, BlockShare>();
    const { partBlock, partCols, partRow } = batch;
    for (let p = 0; p < partBlock.length; p++) {
      const block = partBlock[p]!;
      if (failed.has(block)) continue;
      let b = perBlock.get(block);
      if (b === undefined) perBlock.set(block, (b = { refs: [], at: 0 }));
      const cols = partCols[p]!;
      for (let k = cols.chunkStart[partRow[p]!]!, end = cols.chunkStart[partRow[p]! + 1]!; k < end; k++) b.refs.push(cols.chunkRef[k]!);
    }
    // One acquisition per batch for all its GETs: acquiring per GET while holding earlier ones could deadlock
    // two requests (or one request's own GETs) against each other.
    let estimate = 0;
    for (const [block, b] of perBlock) estimate += block.chunkBytesEstimate(b.refs);
    await pool.acquire(estimate, signal);
    lease.bytes += estimate;
    await Promise.all(
      [...perBlock].map(async ([block, b]) => {
        try {
          b.got = await block.chunks(b.refs, lease, signal);
        } catch (err) {
          failed.add(block);
          onBlockError(block, err);
        }
      }),
    );
    return new BatchChunks(batch, perBlock, h64);
  }

  /**
   * AggrChunks of the batch's next series (call once per series, in order), sorted by min time; [] when all
   * its chunks came from failed blocks. The chunk bytes are views of the fetched parts, not copies.
   */
  nextSeries(): ProtoAggrChunk[] {
    const { batch, h64 } = this;
    const s = this.#next++;
    const chunks: ProtoAggrChunk[] = [];
    const from = batch.partStart[s]!;
    const to = batch.partStart[s + 1]!;
    for (let p = from; p < to; p++) {
      const b = this.#perBlock.get(batch.partBlock[p]!);
      if (b === undefined) continue; // failed before this batch
      const cols = batch.partCols[p]!;
      const row = batch.partRow[p]!;
      const k0 = cols.chunkStart[row]!;
      const n = cols.chunkStart[row + 1]! - k0;
      const got = b.got;
      if (got !== undefined) {
        for (let k = 0; k < n; k++) {
          const data = got.data[b.at + k]!;
          // Times as numbers and the hash as a bigint: the Series encoder takes them as they are
          // (decimal strings would be formatted here only to be parsed back there).
          chunks.push({
            min_time: cols.chunkMint[k0 + k]!,
            max_time: cols.chunkMaxt[k0 + k]!,
            raw: { type: thanosEncodingFromProm(got.encodings[b.at + k]!), data, hash: h64(data) },
          });
        }
      }
      b.at += n;
    }
    if (to - from > 1) chunks.sort((a, b) => (a.min_time as number) - (b.min_time as number));
    return chunks;
  }
}
