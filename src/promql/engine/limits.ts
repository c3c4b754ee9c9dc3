/**
 * Query limits: the max-samples budget, and cooperative cancellation (timeout or caller abort).
 *
 * Evaluation is synchronous inside a node, so an abort or a timer can only be noticed at points where the
 * evaluator checks the signal and, every few milliseconds, yields to the event loop (`setImmediate`) so
 * the timeout timer gets a chance to fire. Loops over series call `checkpoint()` once per series.
 */
import { TooManySamplesError, throwIfAborted } from '../../model/index.js';

/** Milliseconds of uninterrupted work before yielding to the event loop. */
const YIELD_EVERY_MS = 5;

export class SampleTracker {
  current = 0;
  peak = 0;
  constructor(readonly max: number) {}

  /** Takes n more samples into memory; throws TooManySamplesError past the limit. */
  add(n: number): void {
    this.current += n;
    if (this.current > this.max) throw new TooManySamplesError();
    if (this.current > this.peak) this.peak = this.current;
  }

  release(n: number): void {
    this.current -= n;
    if (this.current < 0) this.current = 0;
  }
}

export class Interrupter {
  #lastYield = performance.now();
  constructor(readonly signal: AbortSignal) {}

  /** Throws QueryTimeoutError/QueryCanceledError once aborted; yields when the loop has run long enough. */
  async checkpoint(what = 'query evaluation'): Promise<void> {
    throwIfAborted(this.signal, what);
    const now = performance.now();
    if (now - this.#lastYield < YIELD_EVERY_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#lastYield = performance.now();
    throwIfAborted(this.signal, what);
  }

  /**
   * The synchronous half of checkpoint(): throws once aborted, and says whether the loop has run long enough
   * to yield. Per-series loops call `if (due()) await checkpoint()`: an await per series costs a promise and
   * a microtask (about 0.5 kB of garbage), which over 10k series is a measurable share of a whole query.
   */
  due(what = 'query evaluation'): boolean {
    throwIfAborted(this.signal, what);
    return performance.now() - this.#lastYield >= YIELD_EVERY_MS;
  }

  /** Synchronous check for tight inner loops that cannot await. */
  check(what = 'query evaluation'): void {
    throwIfAborted(this.signal, what);
  }
}
