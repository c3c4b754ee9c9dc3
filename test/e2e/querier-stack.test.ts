import t from 'tap';
import { Labels } from '../../src/model/index.js';
import { MemoryStorage } from '../../src/storage/index.js';
import { InfoClient, labelsFromProto } from '../../src/storeapi/index.js';
import { api, memoryStore, querier } from '../helpers/querier.js';

// A global querier over two cluster queriers, each over an HA pair: the layout of a multi-cluster Thanos.
// Each replica has a gauge equal to its cluster number, sampled every 15 s for 10 minutes; replica B of each
// cluster misses minutes 2-4.
function replica(cluster: number, gap: boolean): MemoryStorage {
  const db = new MemoryStorage();
  const ls = Labels.from({ __name__: 'cluster_number', job: 'node' });
  for (let t = 0; t <= 600_000; t += 15_000) if (!gap || t < 120_000 || t >= 240_000) db.append(ls, t, cluster);
  return db;
}

t.test('a global querier on top of cluster queriers deduplicates through both layers', async (t) => {
  const stores = [];
  const clusterQueriers = [];
  for (const c of [1, 2]) {
    const a = await memoryStore(replica(c, false), { cluster: `c${c}`, replica: 'A' });
    const b = await memoryStore(replica(c, true), { cluster: `c${c}`, replica: 'B' });
    stores.push(a, b);
    // Cluster queriers do not dedup themselves here: the global one asks them to drop the replica label.
    clusterQueriers.push(await querier({ endpoints: [a.address, b.address] }));
  }
  const global = await querier({ endpoints: clusterQueriers.map((q) => q.grpcAddress), replicaLabels: ['replica'] });
  t.teardown(async () => {
    await global.stop();
    for (const q of clusterQueriers) await q.stop();
    for (const s of stores) await s.stop();
  });

  // The cluster querier's Info: component "query", the union of its stores' external label sets.
  const info = new InfoClient(clusterQueriers[0].grpcAddress);
  t.teardown(() => info.close());
  const res = await info.info();
  t.equal(res.ComponentType, 'query');
  t.same(
    res.label_sets.map((s) => labelsFromProto(s.labels).toString()).sort(),
    ['{cluster="c1", replica="A"}', '{cluster="c1", replica="B"}'],
  );
  t.same(Number(res.store?.min_time), 0);
  t.same(Number(res.store?.max_time), 600_000);

  const r = await api(global.httpAddress, '/api/v1/query_range', { query: 'cluster_number', start: '0', end: '600', step: '30' });
  t.equal(r.body.status, 'success');
  const series = r.body.data.result as { metric: Record<string, string>; values: [number, string][] }[];
  t.same(series.map((s) => s.metric), [
    { __name__: 'cluster_number', cluster: 'c1', job: 'node' },
    { __name__: 'cluster_number', cluster: 'c2', job: 'node' },
  ]);
  t.same(series.map((s) => s.values.length), [21, 21], 'every step answered: no gap from replica B');
  t.same(series.map((s) => new Set(s.values.map((v) => v[1])).size), [1, 1]);
  t.same(series.map((s) => s.values[0][1]), ['1', '2']);

  // Label values through both layers, replica label included (label APIs do not dedup, as in Thanos).
  const values = await api(global.httpAddress, '/api/v1/label/replica/values', {});
  t.same(values.body.data, ['A', 'B']);
  const clusters = await api(global.httpAddress, '/api/v1/label/cluster/values', { 'match[]': 'cluster_number' });
  t.same(clusters.body.data, ['c1', 'c2']);

  // Pruning by external labels: a query for cluster c2 reaches only the second cluster querier.
  const c2 = await api(global.httpAddress, '/api/v1/query', { query: 'cluster_number{cluster="c2"}', time: '300' });
  t.same(c2.body.data.result, [{ metric: { __name__: 'cluster_number', cluster: 'c2', job: 'node' }, value: [300, '2'] }]);
});
