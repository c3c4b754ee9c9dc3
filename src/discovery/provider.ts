/**
 * The resolved endpoint list and its refresh loop, as Thanos's `dns.Provider` with `flushOld=true`
 * (`pkg/discovery/dns/provider.go`, driven every `--store.sd-dns-interval` by `cmd/thanos/endpointset.go`):
 *
 * - all specs are looked up concurrently and results are kept keyed by the original spec string;
 * - a name with no records empties its spec (a deliberate DNS change, e.g. a scaled-down service);
 * - a failed lookup (timeout, refused, SERVFAIL) leaves that spec's previous addresses in place, and in that
 *   round nothing is flushed: specs no longer asked for are dropped only by a round without failures. A
 *   flaky DNS server therefore never empties the querier's store list.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { lookupSpec } from './lookup.js';
import type { Resolver } from './resolver.js';
import type { EndpointSpec } from './spec.js';

/** Pino-compatible subset, so the CLI can pass its logger as is. */
export interface DiscoveryLogger {
  warn(fields: Record<string, unknown>, msg: string): void;
}

export interface DnsProviderOptions {
  resolver: Resolver;
  logger?: DiscoveryLogger;
  /** Waits between refreshes; rejects or returns early when `signal` aborts. Injected so tests need not wait 30 s. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Plain counters for the metrics module to export (Thanos: `dns_lookups_total`, `dns_failures_total`). */
export interface DiscoveryStats {
  /** DNS-backed specs looked up (static ones are not lookups). */
  lookups: number;
  /** Lookups that failed and kept their old addresses. */
  failures: number;
  /** Names answered with "no such records". */
  notFound: number;
  /** `resolve` rounds applied (a stale overlapping one is not); the first makes a querier ready. */
  rounds: number;
}

export const DEFAULT_DNS_INTERVAL_MS = 30_000;

export class DnsProvider {
  readonly stats: DiscoveryStats = { lookups: 0, failures: 0, notFound: 0, rounds: 0 };
  private readonly resolver: Resolver;
  private readonly logger: DiscoveryLogger | undefined;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private resolved = new Map<string, readonly string[]>();
  private sorted: readonly string[] = [];
  private started = 0;
  private applied = 0;

  constructor(opts: DnsProviderOptions) {
    this.resolver = opts.resolver;
    this.logger = opts.logger;
    this.sleep = opts.sleep ?? ((ms, signal) => sleepFor(ms, undefined, { signal }));
  }

  /**
   * One round over `specs`. Never throws for DNS trouble: the failures are logged, counted and returned
   * (empty array = every lookup answered).
   */
  async resolve(specs: readonly EndpointSpec[]): Promise<Error[]> {
    const round = ++this.started;
    const unique = [...new Map(specs.map((s) => [s.spec, s])).values()];
    const outcomes = await Promise.allSettled(unique.map((s) => lookupSpec(s, this.resolver)));
    const fresh = new Map<string, readonly string[]>();
    const errors: Error[] = [];
    outcomes.forEach((o, i) => {
      const spec = unique[i]!;
      if (spec.qtype !== 'static') this.stats.lookups++;
      if (o.status === 'fulfilled') {
        fresh.set(spec.spec, o.value.addresses);
        for (const name of o.value.notFound) {
          this.stats.notFound++;
          this.logger?.warn({ spec: spec.spec, name }, 'no DNS records for name; its endpoints are gone');
        }
        return;
      }
      this.stats.failures++;
      const err = o.reason instanceof Error ? o.reason : new Error(String(o.reason));
      errors.push(new Error(`resolve endpoint ${JSON.stringify(spec.spec)}`, { cause: err }));
      this.logger?.warn({ spec: spec.spec, err: describe(err) }, 'DNS lookup failed; keeping previous endpoints');
    });

    // Overlapping calls (the refresh loop and a caller's own round): a slow round that ends after a newer
    // one must not put its older answers back.
    if (round < this.applied) return errors;
    this.applied = round;
    const next = errors.length === 0 ? new Map<string, readonly string[]>() : new Map(this.resolved);
    for (const [k, v] of fresh) next.set(k, v);
    this.resolved = next;
    this.sorted = [...new Set([...next.values()].flat())].sort();
    this.stats.rounds++;
    return errors;
  }

  /** The current endpoints, deduplicated and sorted. */
  addresses(): readonly string[] {
    return this.sorted;
  }

  /** The current addresses per original spec (for /api/v1/stores-style debugging). */
  bySpec(): ReadonlyMap<string, readonly string[]> {
    return this.resolved;
  }

  /**
   * Refreshes every `intervalMs` until `signal` aborts, then returns. Resolves at once first unless a round
   * already ran (the CLI does one blocking `resolve` before serving).
   */
  async run(specs: readonly EndpointSpec[], intervalMs: number, signal: AbortSignal): Promise<void> {
    if (this.stats.rounds === 0 && !signal.aborted) await this.resolve(specs);
    while (!signal.aborted) {
      try {
        await this.sleep(intervalMs, signal);
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      if (signal.aborted) return;
      await this.resolve(specs);
    }
  }
}

function describe(err: Error): string {
  const parts = [err.message];
  for (let c: unknown = err.cause; c instanceof Error; c = c.cause) parts.push(c.message);
  return parts.join(': ');
}
