/**
 * The resolv.conf search list, which c-ares's `resolve*` calls do not apply (they send the name as written).
 * Kubernetes manifests rely on it: `dnssrv+_grpc._tcp.thanos-store.monitoring.svc` is found only as
 * `….monitoring.svc.cluster.local`, through the pod's `search … svc.cluster.local …` with `ndots:5`.
 * Thanos's default resolver (miekgdns) walks the list like this; so do we.
 *
 * Order (miekg/dns `ClientConfig.NameList`): a name ending in `.` is tried alone; a name with more labels
 * than `ndots` is tried as written first, then with each suffix; otherwise the suffixes come first.
 *
 *   nameList('_grpc._tcp.store.ns.svc', { search: ['ns.svc.cluster.local', 'svc.cluster.local'], ndots: 5 })
 *   → ['_grpc._tcp.store.ns.svc.ns.svc.cluster.local', '_grpc._tcp.store.ns.svc.svc.cluster.local', '_grpc._tcp.store.ns.svc']
 */
import { readFileSync } from 'node:fs';
import { promises as dnsPromises } from 'node:dns';
import type { Resolver } from './resolver.js';

export interface SearchConfig {
  search: string[];
  ndots: number;
}

/** No search list: every name is tried as written (what c-ares alone does). */
export const NO_SEARCH: SearchConfig = { search: [], ndots: 1 };

/** `search`/`domain` (the last of either wins, as in glibc) and `options ndots:N` (glibc caps it at 15). */
export function parseResolvConf(text: string): SearchConfig {
  let search: string[] = [];
  let ndots = 1;
  for (const raw of text.split('\n')) {
    const words = raw.replace(/[#;].*$/, '').trim().split(/\s+/);
    const [key, ...args] = words;
    if (key === 'search' || key === 'domain') search = args.filter((d) => d !== '' && d !== '.').map(trimDots);
    if (key === 'options') {
      for (const opt of args) {
        const m = /^ndots:(\d+)$/.exec(opt);
        if (m) ndots = Math.min(15, Number(m[1]));
      }
    }
  }
  return { search, ndots };
}

/** The system's search list; none when the file is missing or unreadable. */
export function readSystemSearchConfig(path = '/etc/resolv.conf'): SearchConfig {
  try {
    return parseResolvConf(readFileSync(path, 'utf8'));
  } catch {
    return NO_SEARCH;
  }
}

export function nameList(name: string, conf: SearchConfig): string[] {
  if (name.endsWith('.')) return [trimDots(name)];
  const asWritten = name.split('.').length > conf.ndots;
  const suffixed = conf.search.map((s) => `${name}.${s}`);
  return asWritten ? [name, ...suffixed] : [...suffixed, name];
}

/**
 * Wraps a resolver so that each query walks the name list. NXDOMAIN moves on to the next name; any answer,
 * including "name exists, no records of this type", ends the walk. A name that could not be asked (timeout,
 * refused) also moves on, but its error is what the caller gets if no later name answers — so a flaky
 * server is reported as a failure (old endpoints kept), not as "no such name" (endpoints dropped).
 */
export function withSearchList(resolver: Resolver, conf: SearchConfig): Resolver {
  if (conf.search.length === 0) return resolver;
  const walk =
    <T>(ask: (name: string) => Promise<T>) =>
    async (name: string): Promise<T> => {
      let failure: unknown;
      let notFound: unknown;
      for (const candidate of nameList(name, conf)) {
        try {
          return await ask(candidate);
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (code === dnsPromises.NODATA) throw err;
          if (code === dnsPromises.NOTFOUND) notFound ??= err;
          else failure ??= err;
        }
      }
      throw failure ?? notFound;
    };
  return {
    resolveSrv: walk((n) => resolver.resolveSrv(n)),
    resolve4: walk((n) => resolver.resolve4(n)),
    resolve6: walk((n) => resolver.resolve6(n)),
  };
}

function trimDots(s: string): string {
  return s.replace(/\.+$/, '');
}
