/**
 * Which endpoints a request goes to (Thanos ProxyStore.matchingStores, thanos.md §4.4): those with a
 * StoreAPI whose time range overlaps the request, whose external labels do not contradict the matchers, and
 * whose address passes `storeMatch[]`.
 */
import { Labels, matchesAll, type Matcher } from '../../model/index.js';
import type { Endpoint } from '../endpoints/endpoint.js';

export interface PruneRequest {
  mint: number;
  maxt: number;
  matchers: readonly Matcher[];
  /** `storeMatch[]` matcher sets; only `__address__` is looked at. Empty: every endpoint. */
  storeMatchers: readonly (readonly Matcher[])[];
}

export function matchingEndpoints(endpoints: readonly Endpoint[], req: PruneRequest): Endpoint[] {
  return endpoints.filter((e) => {
    const m = e.metadata;
    if (!m.hasStoreApi && !e.strict) return false;
    if (req.mint > m.maxTime || req.maxt < m.minTime) return false;
    if (!labelSetsMatch(req.matchers, m.labelSets)) return false;
    if (req.storeMatchers.length > 0) {
      const addr = Labels.from({ __address__: e.address });
      if (!req.storeMatchers.some((set) => matchesAll(set.filter((x) => x.name === '__address__'), (n) => addr.get(n)))) return false;
    }
    return true;
  });
}

/**
 * Thanos LabelSetsMatch: a store with no label sets always matches; otherwise some set must satisfy every
 * matcher whose label name it has (matchers on other names are the store's business).
 */
export function labelSetsMatch(matchers: readonly Matcher[], labelSets: readonly Labels[]): boolean {
  if (labelSets.length === 0) return true;
  return labelSets.some((ls) => matchers.every((m) => !ls.has(m.name) || m.matches(ls.get(m.name))));
}
