/**
 * The store's memory bounds: an index cache (postings lists and series entries under one byte budget,
 * `--index-cache-size`, Thanos's in-memory LRU, thanos.md §5.5) and the chunk pool (`--chunk-pool-size`): a
 * semaphore on bytes of chunk data in flight, so concurrent Series calls wait instead of growing the heap.
 */
import { LRUCache } from 'lru-cache';
import { QueryCanceledError } from '../model/index.js';

export interface CacheEvents {
  hit(kind: 'postings' | 'series'): void;
  miss(kind: 'postings' | 'series'): void;
}

/** Per-entry bookkeeping cost beyond the payload: key string, LRU node, typed-array header. */
const ENTRY_OVERHEAD = 96;

export class IndexCache {
  readonly #lru: LRUCache<string, Uint32Array | Uint8Array> | undefined;

  /** maxBytes 0 disables caching. */
  constructor(
    readonly maxBytes: number,
    readonly events?: CacheEvents,
  ) {
    this.#lru =
      maxBytes > 0
        ? new LRUCache<string, Uint32Array | Uint8Array>({
            maxSize: maxBytes,
            sizeCalculation: (v, k) => v.byteLength + k.length * 2 + ENTRY_OVERHEAD,
          })
        : undefined;
  }

  /** Bytes currently held. */
  get size(): number {
    return this.#lru?.calculatedSize ?? 0;
  }

  get items(): number {
    return this.#lru?.size ?? 0;
  }

  getPostings(block: string, name: string, value: string): Uint32Array | undefined {
    const v = this.#lru?.get(postingsKey(block, name, value)) as Uint32Array | undefined;
    if (v === undefined) this.events?.miss('postings');
    else this.events?.hit('postings');
    return v;
  }

  setPostings(block: string, name: string, value: string, ids: Uint32Array): void {
    this.#set(postingsKey(block, name, value), ids);
  }

  getSeries(block: string, id: number): Uint8Array | undefined {
    const v = this.#lru?.get(`S:${block}:${id}`) as Uint8Array | undefined;
    if (v === undefined) this.events?.miss('series');
    else this.events?.hit('series');
    return v;
  }

  setSeries(block: string, id: number, entry: Uint8Array): void {
    this.#set(`S:${block}:${id}`, entry);
  }

  #set(key: string, v: Uint32Array | Uint8Array): void {
    // An item larger than the whole budget would evict everything and still not fit: lru-cache refuses it.
    if (this.#lru === undefined || v.byteLength + key.length * 2 + ENTRY_OVERHEAD > this.maxBytes) return;
    this.#lru.set(key, v);
  }

  /** Forgets a dropped block's entries (they would age out anyway; this frees the budget now). */
  dropBlock(block: string): void {
    if (this.#lru === undefined) return;
    const p = `P:${block}:`;
    const s = `S:${block}:`;
    for (const k of [...this.#lru.keys()]) if (k.startsWith(p) || k.startsWith(s)) this.#lru.delete(k);
  }
}

/** Thanos hashes name:value with blake2b to bound key length for memcached; an in-process map needs no hash. */
function postingsKey(block: string, name: string, value: string): string {
  return `P:${block}:${name}\xff${value}`;
}

/**
 * A counting semaphore over bytes (the chunk pool) or slots (the Series concurrency gate). Waiters are served
 * in order; a request larger than the capacity waits until nothing else is held and then runs alone, so it
 * cannot deadlock.
 */
export class Semaphore {
  #used = 0;
  readonly #waiters: { n: number; resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(readonly capacity: number) {}

  get used(): number {
    return this.#used;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  async acquire(n: number, signal?: AbortSignal): Promise<void> {
    if (n <= 0) return;
    if (this.#waiters.length === 0 && this.#fits(n)) {
      this.#used += n;
      return;
    }
    if (signal?.aborted) throw new QueryCanceledError('waiting for memory/concurrency');
    await new Promise<void>((resolve, reject) => {
      const w = {
        n,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = (): void => {
        const i = this.#waiters.indexOf(w);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(new QueryCanceledError('waiting for memory/concurrency'));
        this.#wake();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(w);
    });
  }

  /** Takes `n` without waiting (may exceed the capacity): for bytes already in hand. */
  take(n: number): void {
    if (n > 0) this.#used += n;
  }

  release(n: number): void {
    if (n <= 0) return;
    this.#used -= n;
    if (this.#used < 0) this.#used = 0;
    this.#wake();
  }

  #fits(n: number): boolean {
    return this.#used + n <= this.capacity || this.#used === 0;
  }

  #wake(): void {
    while (this.#waiters.length > 0 && this.#fits(this.#waiters[0]!.n)) {
      const w = this.#waiters.shift()!;
      this.#used += w.n;
      w.resolve();
    }
  }
}
