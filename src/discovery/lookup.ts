/**
 * One spec → its addresses, one DNS round. Mirrors Thanos `dnsSD.Resolve` (`pkg/discovery/dns/resolver.go`):
 * a name with no records (NXDOMAIN / no data) gives an empty list plus a note, not an error; any other
 * failure throws, so the provider keeps that spec's previous addresses.
 *
 * `dns+` asks A and AAAA at once and, like Go's resolver, answers with whatever came back: an error is
 * reported only when no address at all was found. (Thanos's default miekgdns resolver asks AAAA and falls
 * back to A only when AAAA is empty; `dnsdualstack+` exists there to get both. Here both kinds get both,
 * `dnsdualstack+` listing IPv6 first, which matters only for order — the provider sorts anyway.)
 */
import { isIP } from 'node:net';
import { assertNever } from '../model/index.js';
import { isNotFound, type Resolver } from './resolver.js';
import { joinHostPort, type EndpointSpec } from './spec.js';

export interface LookupResult {
  addresses: string[];
  /** Names that had no records (each logged and counted by the provider). */
  notFound: string[];
}

export async function lookupSpec(spec: EndpointSpec, resolver: Resolver): Promise<LookupResult> {
  if (spec.qtype === 'static') return { addresses: [spec.address], notFound: [] };
  const { qtype, scheme, host, port } = spec;
  switch (qtype) {
    case 'dns':
    case 'dnsdualstack': {
      const ips = await lookupIPs(resolver, host, qtype === 'dnsdualstack');
      return {
        addresses: ips.map((ip) => joinHostPort(scheme, ip, port)),
        notFound: ips.length === 0 ? [host] : [],
      };
    }
    case 'dnssrv':
    case 'dnssrvnoa': {
      let records;
      try {
        records = await resolver.resolveSrv(host);
      } catch (err) {
        if (isNotFound(err)) return { addresses: [], notFound: [host] };
        throw new Error(`lookup SRV records ${JSON.stringify(host)}`, { cause: err });
      }
      // An explicit port on the name overrides every SRV port (Thanos: "only use port from SRV record if
      // no explicit port was specified").
      const portOf = (p: number) => (port === '' ? p : port);
      if (qtype === 'dnssrvnoa') {
        // Go returns targets fully qualified ("store-0.example."); c-ares does not, trim either way.
        const addresses = records.map((r) => joinHostPort(scheme, r.name.replace(/\.+$/, ''), portOf(r.port)));
        return { addresses, notFound: records.length === 0 ? [host] : [] };
      }
      const perTarget = await Promise.all(records.map((r) => lookupIPs(resolver, r.name, false)));
      const addresses: string[] = [];
      const notFound: string[] = records.length === 0 ? [host] : [];
      records.forEach((r, i) => {
        const ips = perTarget[i] ?? [];
        if (ips.length === 0) notFound.push(r.name);
        for (const ip of ips) addresses.push(joinHostPort(scheme, ip, portOf(r.port)));
      });
      return { addresses, notFound };
    }
    default:
      return assertNever(qtype, 'lookup type');
  }
}

/**
 * A and AAAA of `host`, asked concurrently. An IP literal is its own answer (Go's LookupIPAddr does the
 * same; c-ares would send it to the server as a name). Throws only when nothing was found and at least
 * one of the two queries failed for a reason other than "no such records".
 */
async function lookupIPs(resolver: Resolver, host: string, v6First: boolean): Promise<string[]> {
  if (isIP(host) !== 0) return [host];
  const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
  const ips4 = v4.status === 'fulfilled' ? v4.value : [];
  const ips6 = v6.status === 'fulfilled' ? v6.value : [];
  const ips = v6First ? [...ips6, ...ips4] : [...ips4, ...ips6];
  if (ips.length > 0) return ips;
  for (const r of [v4, v6]) {
    if (r.status === 'rejected' && !isNotFound(r.reason)) {
      throw new Error(`lookup IP addresses ${JSON.stringify(host)}`, { cause: r.reason });
    }
  }
  return [];
}
