/**
 * discovery: turns `--endpoint` values (static `host:port`, `dns+`, `dnsdualstack+`, `dnssrv+`, `dnssrvnoa+`,
 * Thanos syntax) into the current list of `host:port` addresses, re-resolved every `--store.sd-dns-interval`.
 * DNS goes through Node's c-ares resolver, to `--store.sd-dns-resolver-address` when given, else the system's
 * servers. A failed lookup keeps the previous addresses; a name with no records empties its spec.
 *
 * Names walk the /etc/resolv.conf search list (`dnssrv+_grpc._tcp.store.ns.svc` works in a Kubernetes pod).
 *
 * It does not dial, health-check or drop endpoints (query/'s endpoint set does), and it does not read
 * /etc/hosts (c-ares asks DNS servers only, as Thanos's miekgdns resolver does).
 *
 *   const specs = flags.endpoint.map(parseEndpointSpec);          // InvalidEndpointSpecError → exit 2
 *   const dns = new DnsProvider({ resolver: dnsResolver({ server: flags.resolverAddress }), logger });
 *   await dns.resolve(specs);                                        // initial blocking round
 *   void dns.run(specs, DEFAULT_DNS_INTERVAL_MS, abort.signal);     // "// DNS refresh" actor
 *   dns.addresses();  // ['10.0.0.7:10901', '10.0.0.8:10901', '[fd00::9]:10901']
 */
export { parseEndpointSpec, InvalidEndpointSpecError, type EndpointSpec, type QType } from './spec.js';
export { dnsResolver, parseResolverAddress, type Resolver, type SrvRecord, type DnsResolverOptions } from './resolver.js';
export { NO_SEARCH, parseResolvConf, type SearchConfig } from './search.js';
export {
  DnsProvider,
  DEFAULT_DNS_INTERVAL_MS,
  type DnsProviderOptions,
  type DiscoveryLogger,
  type DiscoveryStats,
} from './provider.js';
