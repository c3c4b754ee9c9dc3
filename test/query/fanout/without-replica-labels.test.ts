// A store that does not advertise supports_without_replica_labels keeps the replica labels in what it sends;
// the querier then drops them itself and re-sorts that store's stream before the merge (Thanos's proxy
// fallback, thanos.md §2.1 step 4). Here the non-supporting store's replica label is a series label whose
// values sort differently from the rest, so without the re-sort its series would reach the merge out of order.
import t from 'tap';
import { Labels } from '../../../src/model/index.js';
import { EndpointSet, FanoutStorage, loadChunkHasher, type FanoutConfig } from '../../../src/query/index.js';
import { MemoryStorage } from '../../../src/storage/index.js';
import { memoryStoreApi, startGrpcServer } from '../../../src/storeapi/index.js';

const END = 300_000;

/** Every replica samples the same line v = t/1000, each at its own phase, so any dedup choice is checkable. */
function add(db: MemoryStorage, labels: Record<string, string>, phase: number): void {
  const ls = Labels.from({ __name__: 'm', ...labels });
  for (let t = phase; t <= END; t += 30_000) db.append(ls, t, t / 1000);
}

t.test('replica labels dropped and re-sorted for a store that cannot drop them', async (t) => {
  const old = new MemoryStorage();
  add(old, { replica: 'A', x: '1' }, 0);
  add(old, { replica: 'B', x: '1' }, 15_000);
  add(old, { replica: 'A', x: '2' }, 0);
  add(old, { replica: '0', x: '3' }, 5_000); // "0" < "A": first in the store's own order, last without it
  const oldApi = memoryStoreApi(old, { componentType: 'store' });
  const oldStore = await startGrpcServer('127.0.0.1:0', {
    store: oldApi.store,
    info: { info: async (ctx) => ({ ...(await oldApi.info.info(ctx)), store: { ...(await oldApi.info.info(ctx)).store, supports_without_replica_labels: false } }) },
  });
  const modern = new MemoryStorage();
  add(modern, { x: '1' }, 7_000);
  add(modern, { x: '2' }, 7_000);
  const newStore = await startGrpcServer('127.0.0.1:0', memoryStoreApi(modern, { componentType: 'sidecar', externalLabels: Labels.from({ replica: 'C' }) }));
  const endpoints = new EndpointSet({ specs: () => [oldStore, newStore].map((s) => ({ address: s.address, strict: false })) });
  t.teardown(async () => {
    endpoints.close();
    await oldStore.stop(0);
    await newStore.stop(0);
  });
  await endpoints.update();
  t.same(endpoints.all().map((e) => e.metadata.supportsWithoutReplicaLabels).sort(), [false, true]);

  const cfg: FanoutConfig = {
    endpoints: () => endpoints.queryable(),
    hasher: await loadChunkHasher(),
    dedupAlgorithm: 'penalty',
    responseTimeoutMs: 0,
    maxSamples: 1e6,
    selectorLabels: Labels.EMPTY,
  };
  const select = async (deduplicate: boolean) => {
    const storage = new FanoutStorage(cfg, { deduplicate, replicaLabels: ['replica'], partialResponse: false, storeMatchers: [] });
    const set = storage.select([], { mint: 0, maxt: END });
    const out: { labels: Record<string, string>; t: number[]; v: number[] }[] = [];
    while (await set.next()) {
      const s = set.at();
      out.push({ labels: s.labels.toObject(), t: [...s.timestamps], v: [...s.values] });
    }
    return { out, warnings: set.warnings() };
  };

  const dedup = await select(true);
  t.same(dedup.warnings, []);
  t.same(dedup.out.map((s) => s.labels), [{ __name__: 'm', x: '1' }, { __name__: 'm', x: '2' }, { __name__: 'm', x: '3' }], 'one series per label set, in order');
  for (const s of dedup.out) {
    t.ok(s.t.length > 0 && s.t.every((ts, i) => i === 0 || ts > s.t[i - 1]), `x=${s.labels.x}: timestamps strictly increase`);
    t.ok(s.v.every((v, i) => v === s.t[i] / 1000), `x=${s.labels.x}: every sample is a real one (v = t/1000)`);
  }

  // Without dedup nothing is dropped: the replica label stays and all six series come out in label order.
  const raw = await select(false);
  t.same(raw.out.map((s) => [s.labels.replica, s.labels.x]), [
    ['0', '3'],
    ['A', '1'],
    ['A', '2'],
    ['B', '1'],
    ['C', '1'],
    ['C', '2'],
  ]);
});
