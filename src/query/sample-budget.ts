/**
 * `--query.max-samples` applied while decoding: counts the samples each select decodes, so one huge selection
 * fails with TooManySamplesError before it exhausts memory (the engine's own count only starts after).
 */
import { xorNumSamples } from '../chunkenc/index.js';
import { TooManySamplesError } from '../model/index.js';
import type { StoreSeries } from './merge/index.js';

export class SampleBudget {
  #used = 0;
  constructor(readonly limit: number) {}

  /** Charges the samples held in a series' chunks (replicas included: they are all decoded). */
  charge(s: StoreSeries): void {
    for (const c of s.chunks) this.#used += xorNumSamples(c.data);
    if (this.#used > this.limit) throw new TooManySamplesError(this.limit);
  }
}
