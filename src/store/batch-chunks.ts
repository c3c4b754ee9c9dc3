/**
 * The chunk bytes of one merged batch (merge.ts): one round of ranged GETs per block, the chunk pool
 * acquired once for all of them, and each series' chunks handed to the frame writer as numbers and views
 * as its frame is written — no AggrChunk objects (which, built for a whole batch while a frame waits for
 * the client, outlived young-generation collections and died in the old generation).
 */
import { thanosEncodingFromProm, type SeriesFrameWriter } from '../storeapi/index.js';
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
    return new BatchChunks(batch, perBlock);
  }

  // The current series' chunks (nextSeries), in the order they are written: by min time.
  #mint = new Float64Array(16);
  #maxt = new Float64Array(16);
  #enc = new Uint8Array(16);
  #buf: (Uint8Array | undefined)[] = [];
  #start = new Int32Array(16);
  #end = new Int32Array(16);
  #hash: bigint[] = [];
  #n = 0;

  /**
   * Takes the batch's next series (call once per series, in order) and returns how many chunks it has; 0
   * when all came from failed blocks (skip the series). writeChunks then writes them.
   */
  nextSeries(): number {
    const batch = this.batch;
    const s = this.#next++;
    const from = batch.partStart[s]!;
    const to = batch.partStart[s + 1]!;
    this.#buf.fill(undefined, 0, this.#n);
    const sort = to - from > 1;
    let w = 0;
    for (let p = from; p < to; p++) {
      const b = this.#perBlock.get(batch.partBlock[p]!);
      if (b === undefined) continue; // failed before this batch
      const cols = batch.partCols[p]!;
      const row = batch.partRow[p]!;
      const k0 = cols.chunkStart[row]!;
      const n = cols.chunkStart[row + 1]! - k0;
      const got = b.got;
      if (got !== undefined) {
        if (w + n > this.#mint.length) this.#grow(w + n);
        for (let k = 0; k < n; k++) {
          const mint = cols.chunkMint[k0 + k]!;
          // Parts from several blocks: into min-time order (stable) by insertion; one part is in order.
          let i = w++;
          for (; sort && i > 0 && this.#mint[i - 1]! > mint; i--) {
            this.#mint[i] = this.#mint[i - 1]!;
            this.#maxt[i] = this.#maxt[i - 1]!;
            this.#enc[i] = this.#enc[i - 1]!;
            this.#buf[i] = this.#buf[i - 1];
            this.#start[i] = this.#start[i - 1]!;
            this.#end[i] = this.#end[i - 1]!;
            this.#hash[i] = this.#hash[i - 1]!;
          }
          this.#mint[i] = mint;
          this.#maxt[i] = cols.chunkMaxt[k0 + k]!;
          this.#enc[i] = got.encodings[b.at + k]!;
          this.#buf[i] = got.bufs[b.at + k]!;
          this.#start[i] = got.starts[b.at + k]!;
          this.#end[i] = got.ends[b.at + k]!;
          this.#hash[i] = got.hashes[b.at + k]!;
        }
      }
      b.at += n;
    }
    return (this.#n = w);
  }

  /** Writes the chunks of the series nextSeries took: ranges of the fetched parts, copied when the frame is made. */
  writeChunks(w: SeriesFrameWriter): void {
    for (let i = 0; i < this.#n; i++) {
      w.chunkRange(this.#mint[i]!, this.#maxt[i]!, thanosEncodingFromProm(this.#enc[i]!), this.#buf[i]!, this.#start[i]!, this.#end[i]!, this.#hash[i]);
    }
  }

  #grow(n: number): void {
    const m = Math.max(n, this.#mint.length * 2);
    const mint = new Float64Array(m);
    const maxt = new Float64Array(m);
    const enc = new Uint8Array(m);
    const start = new Int32Array(m);
    const end = new Int32Array(m);
    mint.set(this.#mint);
    maxt.set(this.#maxt);
    enc.set(this.#enc);
    start.set(this.#start);
    end.set(this.#end);
    this.#mint = mint;
    this.#maxt = maxt;
    this.#enc = enc;
    this.#start = start;
    this.#end = end;
  }
}
