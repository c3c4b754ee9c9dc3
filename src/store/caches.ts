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
 * Series entries are cached in pages: the entries of one block whose IDs agree but for the low PAGE_BITS
 * bits, one LRU item keyed by a number (block number × 2^32 + ID >> PAGE_BITS). A Series call looks up its
 * series in ID order, so one LRU lookup serves a run of them (~80 on a block written by Prometheus, whose
 * IDs are entry offsets / 16) and the rest are array reads: per-series LRU lookups (a map probe and a move
 * in the recency list, both at random places in memory) were ~15 % of a labels-only Series' CPU. Eviction is
 * by page, least recently used first, within the same byte budget. Postings keep string keys (name and
 * value are strings anyway); the two kinds cannot collide.
 */
const TWO_32 = 4294967296;
const PAGE_BITS = 8;
const PAGE_SLOTS = 1 << PAGE_BITS;
/** A page's own cost: its key, LRU node and slot array. */
const PAGE_OVERHEAD = ENTRY_OVERHEAD + 4 * PAGE_SLOTS;

/** One page of series entries. Replaced (not changed in place) when it grows, so the LRU sees its new size. */
interface SeriesPage {
  readonly slots: (Uint8Array | undefined)[];
  /** Payload bytes of the entries held. */
  readonly bytes: number;
  readonly count: number;
}

type Item = Uint32Array | SeriesPage;

/** get() options shared by every lookup (it stores its tracing `status` here, undefined without subscribers). */
const GET_OPTIONS: { status?: unknown } = {};

export class IndexCache {
  readonly #lru: LRUCache<string | number, Item> | undefined;
  readonly #blockNums = new Map<string, number>();
  #nextBlockNum = 0;
  /** Postings lists and series entries held (pages count their entries). */
  #items = 0;

  /** maxBytes 0 disables caching. */
  constructor(
    readonly maxBytes: number,
    readonly events?: CacheEvents,
  ) {
    this.#lru =
      maxBytes > 0
        ? new LRUCache<string | number, Item>({
            maxSize: maxBytes,
            sizeCalculation: (v, k) => itemBytes(v, k),
            // A page replaced by its grown copy is disposed too ('set'): its entries are counted again below.
            dispose: (v) => {
              this.#items -= itemCount(v);
            },
          })
        : undefined;
  }

  /** Bytes currently held. */
  get size(): number {
    return this.#lru?.calculatedSize ?? 0;
  }

  get items(): number {
    return this.#items;
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
    const out: (Uint8Array | undefined)[] = [undefined];
    this.getSeriesMany(block, [id], out);
    return out[0];
  }

  /** Looks up every ID (ascending IDs share page lookups): out[i] is its entry or undefined. Returns the number of misses. */
  getSeriesMany(block: string, ids: ArrayLike<number>, out: (Uint8Array | undefined)[]): number {
    const lru = this.#lru;
    const base = this.#blockNum(block) * TWO_32;
    let misses = 0;
    let pageNo = -1;
    let slots: (Uint8Array | undefined)[] | undefined;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const p = Math.floor(id / PAGE_SLOTS);
      if (p !== pageNo) {
        pageNo = p;
        slots = (lru?.get(base + p, GET_OPTIONS as object) as SeriesPage | undefined)?.slots;
      }
      const v = slots?.[id & (PAGE_SLOTS - 1)];
      out[i] = v;
      if (v === undefined) misses++;
    }
    if (misses > 0) this.events?.miss('series', misses);
    if (misses < ids.length) this.events?.hit('series', ids.length - misses);
    return misses;
  }

  setSeries(block: string, id: number, entry: Uint8Array): void {
    const lru = this.#lru;
    if (lru === undefined) return;
    const key = this.#blockNum(block) * TWO_32 + Math.floor(id / PAGE_SLOTS);
    const old = lru.peek(key) as SeriesPage | undefined;
    const slot = id & (PAGE_SLOTS - 1);
    const prev = old?.slots[slot];
    const page: SeriesPage = {
      slots: old?.slots ?? new Array<Uint8Array | undefined>(PAGE_SLOTS).fill(undefined),
      bytes: (old?.bytes ?? 0) - (prev?.byteLength ?? 0) + entry.byteLength,
      count: (old?.count ?? 0) + (prev === undefined ? 1 : 0),
    };
    if (itemBytes(page, key) > this.maxBytes) return; // refused below; leave the held page as it is
    page.slots[slot] = entry;
    this.#set(key, page);
  }

  #blockNum(block: string): number {
    let n = this.#blockNums.get(block);
    if (n === undefined) this.#blockNums.set(block, (n = this.#nextBlockNum++));
    return n;
  }

  #set(key: string | number, v: Item): void {
    // An item larger than the whole budget would evict everything and still not fit: lru-cache refuses it.
    if (this.#lru === undefined || itemBytes(v, key) > this.maxBytes) return;
    this.#lru.set(key, v);
    this.#items += itemCount(v);
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

function itemBytes(v: Item, k: string | number): number {
  if (v instanceof Uint32Array) return v.byteLength + keyBytes(k) + ENTRY_OVERHEAD;
  return PAGE_OVERHEAD + v.bytes + v.count * ENTRY_OVERHEAD;
}

function itemCount(v: Item): number {
  return v instanceof Uint32Array ? 1 : v.count;
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
