/**
 * `--selector-label`: labels that every series behind this querier carries (Thanos's querier-level external
 * labels). A request contradicting them selects nothing; matchers they satisfy are dropped before fan-out.
 */
import type { Labels, Matcher } from '../model/index.js';

/** The matchers to send on, or null when the request cannot match this querier at all. */
export function applySelectorLabels(matchers: readonly Matcher[], selectorLabels: Labels): Matcher[] | null {
  if (selectorLabels.isEmpty()) return [...matchers];
  const out: Matcher[] = [];
  for (const m of matchers) {
    if (!selectorLabels.has(m.name)) {
      out.push(m);
      continue;
    }
    if (!m.matches(selectorLabels.get(m.name))) return null;
  }
  return out;
}
