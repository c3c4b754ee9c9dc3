/**
 * The store's memory bounds: an index cache (postings lists and series entries under one byte budget,
 * `--index-cache-size`, Thanos's in-memory LRU, thanos.md §5.5) and the chunk pool (`--chunk-pool-size`): a
 * semaphore on bytes of chunk data in flight, so concurrent Series calls wait instead of growing the heap.
 */
import { LRUCache } from 'lru-cache';
import { QueryCanceledError } from '../model/index.js';

export interface CacheEvents {
  /** `n` lookups (default 1) hit / missed: batch lookups report once, not once per series. */
  hit(kind: 'postings' | 'series', n?: number): void;
  miss(kind: 'postings' | 'series', n?: number): void;
}

/** Per-entry bookkeeping cost beyond the payload: key string, LRU node, typed-array header. */
const ENTRY_OVERHEAD = 96;

/**
 * Series entries are keyed by a number, block number × 2^32 + series ID, not a string: a Series call looks
 * up every one of its series, and building and hashing a 40-character key each time cost more than the
 * lookup. Postings keep string keys (name and value are strings anyway); the two kinds cannot collide.
 */
const TWO_32 = 4294967296;
/** get() options shared by every lookup (it stores its tracing `status` here, undefined without subscribers). */
const GET_OPTIONS: { status?: unknown } = {};

export class IndexCache {
  readonly #lru: LRUCache<string | number, Uint32Array | Uint8Array> | undefined;
  readonly #blockNums = new Map<string, number>();
  #nextBlockNum = 0;

  /** maxBytes 0 disables caching. */
  constructor(
    readonly maxBytes: number,
    readonly events?: CacheEvents,
  ) {
    this.#lru =
      maxBytes > 0
        ? new LRUCache<string | number, Uint32Array | Uint8Array>({
            maxSize: maxBytes,
            sizeCalculation: (v, k) => v.byteLength + keyBytes(k) + ENTRY_OVERHEAD,
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
    const v = this.#lru?.get(this.#seriesKey(block, id)) as Uint8Array | undefined;
    if (v === undefined) this.events?.miss('series');
    else this.events?.hit('series');
    return v;
  }

  /** Looks up every ID: out[i] is its entry or undefined. Returns the number of misses. */
  getSeriesMany(block: string, ids: ArrayLike<number>, out: (Uint8Array | undefined)[]): number {
    const base = this.#blockNum(block) * TWO_32;
    let misses = 0;
    const lru = this.#lru;
    for (let i = 0; i < ids.length; i++) {
      // One shared options object: get() otherwise allocates a default one per call.
      const v = lru?.get(base + ids[i]!, GET_OPTIONS as object) as Uint8Array | undefined;
      out[i] = v;
      if (v === undefined) misses++;
    }
    if (misses > 0) this.events?.miss('series', misses);
    if (misses < ids.length) this.events?.hit('series', ids.length - misses);
    return misses;
  }

  setSeries(block: string, id: number, entry: Uint8Array): void {
    this.#set(this.#seriesKey(block, id), entry);
  }

  #seriesKey(block: string, id: number): number {
    return this.#blockNum(block) * TWO_32 + id;
  }

  #blockNum(block: string): number {
    let n = this.#blockNums.get(block);
    if (n === undefined) this.#blockNums.set(block, (n = this.#nextBlockNum++));
    return n;
  }

  #set(key: string | number, v: Uint32Array | Uint8Array): void {
    // An item larger than the whole budget would evict everything and still not fit: lru-cache refuses it.
    if (this.#lru === undefined || v.byteLength + keyBytes(key) + ENTRY_OVERHEAD > this.maxBytes) return;
    this.#lru.set(key, v);
  }

  /** Forgets a dropped block's entries (they would age out anyway; this frees the budget now). */
  dropBlock(block: string): void {
    if (this.#lru === undefined) return;
    const p = `P:${block}:`;
    const n = this.#blockNums.get(block);
    for (const k of [...this.#lru.keys()]) {
      if (typeof k === 'number' ? Math.floor(k / TWO_32) === n : k.startsWith(p)) this.#lru.delete(k);
    }
    // Numbers are not reused: a block dropped and loaded again gets a fresh one.
    this.#blockNums.delete(block);
  }
}

function keyBytes(k: string | number): number {
  return typeof k === 'number' ? 8 : k.length * 2;
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
