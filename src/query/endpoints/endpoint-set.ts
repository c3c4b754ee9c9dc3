/**
 * The querier's set of StoreAPI endpoints (Thanos EndpointSet, thanos.md §4.3): every update round it takes
 * the current addresses (static + discovered), calls Info on each with a deadline, adds new endpoints only
 * once an Info succeeded (strict ones at once), removes addresses that vanished, and drops endpoints whose
 * last success is older than the unhealthy timeout. Failing endpoints stay listed but are not queried.
 */
import { sleep } from '../../model/index.js';
import { Endpoint } from './endpoint.js';

export interface EndpointSpec {
  address: string;
  /** `--endpoint-strict`: always queried, never dropped. */
  strict: boolean;
}

export interface EndpointSetOptions {
  /** The addresses to track now (static and discovered). */
  specs: () => readonly EndpointSpec[];
  /** `--endpoint.info-timeout`, ms (default 5 s). */
  infoTimeoutMs?: number;
  /** `--store.unhealthy-timeout`, ms (default 5 m). */
  unhealthyTimeoutMs?: number;
  now?: () => number;
  /** gRPC metadata sent on every call (e.g. `thanos-tenant`). */
  metadata?: Record<string, string>;
  onChange?: (event: { type: 'added' | 'removed'; address: string; reason?: string }) => void;
}

export class EndpointSet {
  readonly #endpoints = new Map<string, Endpoint>();
  /** Candidates whose first Info has not succeeded yet (Thanos adds an endpoint only after one does). */
  readonly #pending = new Map<string, Endpoint>();
  readonly #opts: Required<Omit<EndpointSetOptions, 'onChange' | 'metadata'>> & Pick<EndpointSetOptions, 'onChange' | 'metadata'>;
  #updates = 0;

  constructor(opts: EndpointSetOptions) {
    // `??`, not a spread over defaults: an option passed as undefined must still get its default.
    this.#opts = {
      ...opts,
      infoTimeoutMs: opts.infoTimeoutMs ?? 5000,
      unhealthyTimeoutMs: opts.unhealthyTimeoutMs ?? 5 * 60_000,
      now: opts.now ?? Date.now,
    };
  }

  /** True after the first update round finished (the querier's readiness). */
  get ready(): boolean {
    return this.#updates > 0;
  }

  /** Every endpoint currently in the set, healthy or not. */
  all(): Endpoint[] {
    return [...this.#endpoints.values()];
  }

  /** The endpoints a query may use now. */
  queryable(): Endpoint[] {
    return this.all().filter((e) => e.queryable);
  }

  /** One update round. Never throws; failures are recorded on the endpoints. */
  async update(): Promise<void> {
    const { specs, infoTimeoutMs, unhealthyTimeoutMs, now, onChange } = this.#opts;
    const wanted = new Map<string, EndpointSpec>();
    for (const s of specs()) if (!wanted.has(s.address) || s.strict) wanted.set(s.address, s);

    for (const [address, e] of this.#endpoints) {
      if (!wanted.has(address)) {
        this.#remove(this.#endpoints, address, e, 'no longer discovered');
      }
    }
    for (const [address, e] of this.#pending) if (!wanted.has(address)) this.#remove(this.#pending, address, e);

    const checks: Promise<void>[] = [];
    for (const [address, spec] of wanted) {
      const existing = this.#endpoints.get(address);
      if (existing) {
        checks.push(existing.refresh(now(), infoTimeoutMs));
        continue;
      }
      let candidate = this.#pending.get(address);
      if (!candidate) {
        candidate = new Endpoint(address, spec.strict, { metadata: this.#opts.metadata });
        this.#pending.set(address, candidate);
      }
      const c = candidate;
      checks.push(
        c.refresh(now(), infoTimeoutMs).then(() => {
          // An overlapping round may have removed (and closed) this candidate while its Info was in flight,
          // because discovery dropped the address: adding it now would list a dead client for a gone address.
          if (this.#pending.get(address) !== c) return;
          if (c.lastError === null || c.strict) {
            this.#pending.delete(address);
            this.#endpoints.set(address, c);
            onChange?.({ type: 'added', address });
          }
        }),
      );
    }
    await Promise.all(checks);

    const t = now();
    for (const [address, e] of this.#endpoints) {
      if (!e.strict && e.lastError !== null && t - (e.lastSuccess ?? -Infinity) >= unhealthyTimeoutMs) {
        this.#remove(this.#endpoints, address, e, `unhealthy for ${unhealthyTimeoutMs} ms: ${e.lastError}`);
      }
    }
    this.#updates++;
  }

  /** Runs update rounds every `intervalMs` until `signal` aborts (Thanos: every info-timeout, 5 s). */
  async run(intervalMs: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.update();
      await sleep(intervalMs, signal);
    }
  }

  close(): void {
    for (const e of this.#endpoints.values()) e.close();
    for (const e of this.#pending.values()) e.close();
    this.#endpoints.clear();
    this.#pending.clear();
  }

  #remove(from: Map<string, Endpoint>, address: string, e: Endpoint, reason?: string): void {
    from.delete(address);
    e.close();
    if (reason !== undefined) this.#opts.onChange?.({ type: 'removed', address, reason });
  }
}
