// LabelNames/LabelValues through FanoutStorage with replica dedup on: Thanos's querier sends
// without_replica_labels on them too when dedup is enabled (thanos.md §2.1 step 2), so the replica label is no
// label name and has no values, as in the series the same storage returns. (The HTTP API's /labels and
// /label/…/values ask with dedup off, as Thanos's API passes no replica labels there: see api/routes/metadata.ts.)
import t from 'tap';
import { Labels } from '../../../src/model/index.js';
import { EndpointSet, FanoutStorage, loadChunkHasher, type FanoutConfig } from '../../../src/query/index.js';
import { MemoryStorage } from '../../../src/storage/index.js';
import { memoryStore } from '../../helpers/querier.js';

function db(): MemoryStorage {
  const d = new MemoryStorage();
  for (let t = 0; t <= 600_000; t += 15_000) d.append(Labels.from({ __name__: 'up', job: 'node' }), t, 1);
  return d;
}

t.test('with dedup the replica label is neither a label name nor has values; without dedup it is', async (t) => {
  const a = await memoryStore(db(), { cluster: 'eu', replica: 'A' });
  const b = await memoryStore(db(), { cluster: 'eu', replica: 'B' });
  const endpoints = new EndpointSet({ specs: () => [a, b].map((s) => ({ address: s.address, strict: false })) });
  t.teardown(async () => {
    endpoints.close();
    await a.stop(0);
    await b.stop(0);
  });
  await endpoints.update();
  const cfg: FanoutConfig = {
    endpoints: () => endpoints.queryable(),
    hasher: await loadChunkHasher(),
    dedupAlgorithm: 'penalty',
    responseTimeoutMs: 0,
    maxSamples: 1e6,
    selectorLabels: Labels.EMPTY,
  };
  const storage = (deduplicate: boolean) => new FanoutStorage(cfg, { deduplicate, replicaLabels: ['replica'], partialResponse: false, storeMatchers: [] });
  const range = { mint: 0, maxt: 600_000 };

  const set = storage(true).select([], { ...range, func: 'series' });
  const series: Record<string, string>[] = [];
  while (await set.next()) series.push(set.at().labels.toObject());
  t.same(series, [{ __name__: 'up', cluster: 'eu', job: 'node' }], 'series: replicas merged, replica label gone');

  t.same((await storage(true).labelNames([], range)).values, ['__name__', 'cluster', 'job'], 'label names agree with the series');
  t.same((await storage(true).labelValues('replica', [], range)).values, [], 'no values for the replica label');
  t.same((await storage(true).labelValues('cluster', [], range)).values, ['eu'], 'other external labels keep theirs');

  t.same((await storage(false).labelNames([], range)).values, ['__name__', 'cluster', 'job', 'replica'], 'dedup off: the replica label is there');
  t.same((await storage(false).labelValues('replica', [], range)).values, ['A', 'B']);
});
