/**
 * The proxy's fallback for stores that do not advertise `supports_without_replica_labels` (thanos.md §2.1
 * item 4, Thanos `sortWithoutLabels`): the querier removes the replica labels itself, which breaks the
 * store's sort order, so the whole response is buffered and sorted again before it joins the k-way merge.
 *
 * Caveat kept from Thanos: any label with a replica-label name is removed, external or not.
 */
import { Labels } from '../../model/index.js';
import type { StoreSeries } from './chunk.js';

/**
 * Returns the series with `labelsToRemove` dropped, sorted by `Labels.compare`. Stable: series that end
 * up with equal labels keep the store's order. The input array is not modified.
 */
export function sortWithoutLabels(series: readonly StoreSeries[], labelsToRemove: readonly string[]): StoreSeries[] {
  const out =
    labelsToRemove.length === 0
      ? [...series]
      : series.map((s) => {
          const labels = s.labels.drop(labelsToRemove);
          return labels === s.labels ? s : { labels, chunks: s.chunks };
        });
  return out.sort((a, b) => Labels.compare(a.labels, b.labels));
}
