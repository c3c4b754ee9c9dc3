/**
 * A concurrency gate: at most `limit` holders at once, the rest queue in arrival order (`--query.max-concurrent`).
 * A waiter whose signal aborts leaves the queue without taking a slot.
 */
export class Gate {
  #active = 0;
  readonly #queue: { resolve: () => void; reject: (err: unknown) => void; signal?: AbortSignal; onAbort: () => void }[] = [];

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new Error(`gate limit must be at least 1, got ${limit}`);
  }

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  /** Resolves when a slot is taken; call the returned function exactly once to release it. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw signal.reason;
    if (this.#active < this.limit) {
      this.#active++;
      return this.#releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const entry = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.#queue.indexOf(entry);
          if (i >= 0) this.#queue.splice(i, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', entry.onAbort, { once: true });
      this.#queue.push(entry);
    });
    return this.#releaser();
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next) {
        next.signal?.removeEventListener('abort', next.onAbort);
        next.resolve(); // the slot passes straight to the next waiter
      } else {
        this.#active--;
      }
    };
  }
}
