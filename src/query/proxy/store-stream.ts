/**
 * One store's Series stream as a SortedSource<StoreSeries>, consumed as frames arrive: `series` and `batch`
 * frames are queued and handed out one series at a time (synchronously while the queue has any), `warning`
 * frames are collected, `hints` ignored.
 *
 * Failure handling is where partial response lives: with it on, a failed, timed-out or warning store ends
 * its stream and leaves a warning naming the store; with it off, the same is a StorageError for the query.
 */
import { NotSupportedError, StorageError, throwIfAborted } from '../../model/index.js';
import {
  int64ToMillis,
  labelsFromProto,
  ThanosChunkEncoding,
  type EncodedSeriesRequest,
  type ProtoSeries,
  type SeriesRequest,
  type SeriesResponse,
} from '../../storeapi/index.js';
import type { SortedSource, StoreChunk, StoreSeries } from '../merge/index.js';

export interface StoreStreamOptions {
  /** Name used in warnings and errors (the endpoint address). */
  name: string;
  partialResponse: boolean;
  /** Per-frame receive timeout, ms (`--store.response-timeout`); 0 disables it. */
  responseTimeoutMs: number;
  warnings: string[];
  signal?: AbortSignal;
  /** Called with the error just before this stream fails the query (partial response off). */
  onFatal?: (err: StorageError) => void;
}

/**
 * A fan-out passes the request pre-encoded (encoded once for all its stores). The iterator's `return()` must
 * cancel the call even while a `next()` waits (StoreClient.series does).
 */
export type SeriesCall = (req: Partial<SeriesRequest> | EncodedSeriesRequest, opts: { signal?: AbortSignal }) => AsyncIterable<SeriesResponse>;

export class StoreStream implements SortedSource<StoreSeries> {
  readonly #frames: AsyncIterator<SeriesResponse>;
  readonly #opts: StoreStreamOptions;
  readonly #queue: ProtoSeries[] = [];
  #qpos = 0;
  #cur: StoreSeries | undefined;
  #done = false;

  constructor(call: SeriesCall, req: Partial<SeriesRequest> | EncodedSeriesRequest, opts: StoreStreamOptions) {
    this.#opts = opts;
    // The query's signal goes to the call as it is: no controller of our own per store (an AbortController
    // and a listener on a fresh signal cost ~10 µs, a tenth of a call); we stop our call with return().
    this.#frames = call(req, { signal: opts.signal })[Symbol.asyncIterator]();
  }

  at(): StoreSeries {
    return this.#cur as StoreSeries;
  }

  next(): boolean | Promise<boolean> {
    if (this.#qpos < this.#queue.length) return this.#take();
    if (this.#done) return false;
    return this.#fill().then(() => (this.#qpos < this.#queue.length ? this.#take() : false));
  }

  /** Stops the stream early (cancels the gRPC call). */
  cancel(): void {
    this.#done = true;
    void this.#frames.return?.();
  }

  #take(): boolean {
    const s = this.#queue[this.#qpos];
    this.#queue[this.#qpos++] = undefined as unknown as ProtoSeries; // let the frame be collected
    if (this.#qpos === this.#queue.length) {
      this.#queue.length = 0;
      this.#qpos = 0;
    }
    this.#cur = storeSeriesFromProto(s, this.#opts.name);
    return true;
  }

  /** Reads frames until at least one series is queued or the stream ends. */
  async #fill(): Promise<void> {
    const { name, partialResponse, responseTimeoutMs, warnings } = this.#opts;
    while (!this.#done && this.#queue.length === 0) {
      let r: IteratorResult<SeriesResponse>;
      try {
        r = await this.#nextFrame(responseTimeoutMs);
      } catch (err) {
        this.cancel();
        throwIfAborted(this.#opts.signal, 'store fan-out');
        const msg = `store ${name}: ${err instanceof Error ? err.message : String(err)}`;
        if (partialResponse) {
          warnings.push(msg);
          return;
        }
        throw this.#fatal(new StorageError(msg, { cause: err }));
      }
      if (r.done) {
        this.#done = true;
        return;
      }
      const f = r.value;
      if ('series' in f && f.series) this.#queue.push(f.series);
      else if ('batch' in f && f.batch) for (const s of f.batch.series) this.#queue.push(s);
      else if ('warning' in f && typeof f.warning === 'string') {
        const msg = `store ${name}: ${f.warning}`;
        if (!partialResponse) {
          this.cancel();
          throw this.#fatal(new StorageError(msg));
        }
        warnings.push(msg);
      }
      // hints frames carry nothing we use yet
    }
  }

  #fatal(err: StorageError): StorageError {
    this.#opts.onFatal?.(err);
    return err;
  }

  #nextFrame(timeoutMs: number): Promise<IteratorResult<SeriesResponse>> {
    const p = this.#frames.next();
    if (timeoutMs <= 0) return p;
    let timer: NodeJS.Timeout;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`failed to receive any data in ${timeoutMs} ms from store`)), timeoutMs);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }
}

/** Proto series → labels + raw XOR chunks. Histogram and downsampled chunks are refused, not misread. */
export function storeSeriesFromProto(s: ProtoSeries, store: string): StoreSeries {
  const chunks: StoreChunk[] = new Array(s.chunks.length);
  for (let i = 0; i < s.chunks.length; i++) {
    const c = s.chunks[i];
    const raw = c.raw;
    if (!raw) throw new NotSupportedError(`store ${store}: downsampled (aggregate) chunks are not supported yet`);
    if (raw.type !== ThanosChunkEncoding.XOR) throw new NotSupportedError('native histograms are not supported yet');
    chunks[i] = { minTime: int64ToMillis(c.min_time), maxTime: int64ToMillis(c.max_time), data: raw.data, hash: raw.hash };
  }
  return { labels: labelsFromProto(s.labels), chunks };
}
