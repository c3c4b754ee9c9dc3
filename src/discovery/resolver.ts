/**
 * The DNS seam: the three queries discovery needs. The default is Node's c-ares `dns.promises.Resolver`,
 * which talks to the configured DNS servers itself. Never `dns.lookup`: that is getaddrinfo, which reads
 * /etc/hosts and nsswitch and ignores a custom server, so `--store.sd-dns-resolver-address` would do nothing.
 *
 * Errors follow Node's codes: `ENOTFOUND` (NXDOMAIN) and `ENODATA` (name exists, no record of that type)
 * mean "no such records"; anything else (`ETIMEOUT`, `ECONNREFUSED`, `EREFUSED`, `ESERVFAIL`) is a failed lookup.
 */
import { promises as dnsPromises } from 'node:dns';
import { isIP } from 'node:net';
import { BadDataError } from '../model/index.js';
import { readSystemSearchConfig, withSearchList, type SearchConfig } from './search.js';

export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/** What discovery asks of DNS. `dns.promises.Resolver` satisfies it as is; tests may fake the network. */
export interface Resolver {
  resolveSrv(name: string): Promise<SrvRecord[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

export interface DnsResolverOptions {
  /** `ip` or `ip:port` or `[ipv6]:port` of the DNS server; absent → the system's (/etc/resolv.conf). */
  server?: string;
  /**
   * First-try timeout. c-ares doubles it on each retry: 2000 ms with 2 tries gives up after 6 s (measured
   * against a UDP socket that never answers). A `dnssrv+` spec asks twice in sequence (SRV, then A/AAAA),
   * so a round against a hung server ends within ~12 s, inside the 30 s refresh interval.
   */
  timeoutMs?: number;
  tries?: number;
  /**
   * Search list applied to names (see search.ts). Default: the system's, from /etc/resolv.conf, whichever
   * server is used, as Thanos's miekgdns resolver does. Tests pin it (`NO_SEARCH`) so the host's list
   * cannot change what a name means.
   */
  search?: SearchConfig;
}

/**
 * A c-ares resolver, pointed at `server` when given, walking the search list. Throws BadDataError for a
 * malformed server address.
 */
export function dnsResolver(opts: DnsResolverOptions = {}): Resolver {
  const r = new dnsPromises.Resolver({ timeout: opts.timeoutMs ?? 2000, tries: opts.tries ?? 2 });
  if (opts.server !== undefined) r.setServers([parseResolverAddress(opts.server)]);
  return withSearchList(r, opts.search ?? readSystemSearchConfig());
}

/**
 * Validates a DNS server address the way `setServers` needs it: an IP literal, optionally with a port.
 * c-ares cannot use a host name as its server, so `dns.example:53` is rejected with that reason.
 */
export function parseResolverAddress(addr: string): string {
  const bad = (reason: string): never => {
    throw new BadDataError(`invalid DNS resolver address ${JSON.stringify(addr)}: ${reason}`);
  };
  let host = addr;
  let port: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(addr);
  if (bracketed) {
    host = bracketed[1] ?? '';
    port = bracketed[2];
    if (isIP(host) !== 6) bad('an address in brackets must be IPv6');
  } else if (isIP(addr) === 0) {
    // Not a bare IP (a bare IPv6 address is fine without a port): it must be `ipv4:port`.
    const colon = addr.lastIndexOf(':');
    if (colon >= 0) {
      host = addr.slice(0, colon);
      port = addr.slice(colon + 1);
    }
    if (isIP(host) !== 4) bad('want an IP address, optionally with :port (a host name cannot be a DNS server)');
  }
  if (port !== undefined && (!/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    bad(`port ${JSON.stringify(port)} is not a number in 1-65535`);
  }
  return addr;
}

/** True for the two answers that mean "no such records" rather than "could not ask". */
export function isNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === dnsPromises.NOTFOUND || code === dnsPromises.NODATA;
}
