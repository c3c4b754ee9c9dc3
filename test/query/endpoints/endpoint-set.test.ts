import t, { type Test } from 'tap';
import { EndpointSet, type EndpointSpec } from '../../../src/query/index.js';
import { MAX_INT64, MIN_INT64 } from '../../../src/storeapi/index.js';
import { startInfoServer, storeInfo, type ControlledInfoServer } from './info-server.js';

/** A clock the test moves by hand (thanos.md §4.3: unhealthy timeout is measured from the last success). */
function clock(start = 1_000_000): { now: () => number; set: (ms: number) => void } {
  let t = start;
  return { now: () => t, set: (ms) => (t = ms) };
}

async function eventually(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

interface Harness {
  set: EndpointSet;
  specs: EndpointSpec[];
  events: string[];
}

function harness(t: Test, specs: EndpointSpec[], opts: { now?: () => number; infoTimeoutMs?: number; unhealthyTimeoutMs?: number } = {}): Harness {
  const events: string[] = [];
  const h: Harness = { specs, events, set: undefined as unknown as EndpointSet };
  h.set = new EndpointSet({
    specs: () => h.specs,
    infoTimeoutMs: opts.infoTimeoutMs ?? 2000,
    unhealthyTimeoutMs: opts.unhealthyTimeoutMs ?? 60_000,
    now: opts.now,
    onChange: (e) => events.push(`${e.type} ${e.address}`),
  });
  t.teardown(() => h.set.close());
  return h;
}

async function server(t: Test, ...args: Parameters<typeof startInfoServer>): Promise<ControlledInfoServer> {
  const s = await startInfoServer(...args);
  t.teardown(() => s.stop());
  return s;
}

const INFO = storeInfo({ cluster: 'eu', replica: 'A' }, 1000, 9000);

t.test('an endpoint is added only once its first Info succeeds', async (t) => {
  const s = await server(t, INFO, 'error');
  const h = harness(t, [{ address: s.address, strict: false }]);
  await h.set.update();
  t.equal(s.calls, 1, 'Info was asked');
  t.same(h.set.all(), [], 'a failing newcomer is not listed');
  t.same(h.set.queryable(), []);
  t.ok(h.set.ready, 'a round that found nothing still makes the set ready');

  s.mode = 'ok';
  await h.set.update();
  t.same(h.set.all().map((e) => e.address), [s.address]);
  t.same(h.set.queryable().map((e) => e.address), [s.address]);
  t.same(h.events, [`added ${s.address}`]);
});

t.test('"Not ready" keeps a newcomer out, like any Info error', async (t) => {
  const s = await server(t, INFO, 'notReady');
  const h = harness(t, [{ address: s.address, strict: false }]);
  await h.set.update();
  t.same(h.set.all(), []);
});

t.test('a strict endpoint is added at once and queried even while failing', async (t) => {
  const s = await server(t, INFO, 'error');
  const dead = await startInfoServer(INFO);
  await dead.stop(); // a port nobody listens on any more
  const h = harness(t, [
    { address: s.address, strict: true },
    { address: dead.address, strict: true },
  ]);
  await h.set.update();
  const all = h.set.all();
  t.same(all.map((e) => e.address).sort(), [s.address, dead.address].sort());
  t.same(h.set.queryable().length, 2, 'strict endpoints are always queryable');
  for (const e of all) t.not(e.lastError, null, `${e.address} records its error`);
  t.match(all.find((e) => e.address === s.address)!.lastError, /disk on fire/);
});

t.test('a failing endpoint stays listed, is not queried, recovers, and is dropped after the unhealthy timeout', async (t) => {
  const c = clock();
  const s = await server(t, INFO);
  const h = harness(t, [{ address: s.address, strict: false }], { now: c.now, unhealthyTimeoutMs: 60_000 });
  await h.set.update();
  const e = h.set.all()[0]!;
  t.equal(e.lastSuccess, 1_000_000);
  t.equal(e.lastError, null);

  // Fails: listed with its error, out of queries at once.
  s.mode = 'error';
  c.set(1_010_000);
  await h.set.update();
  t.same(h.set.all(), [e], 'still listed');
  t.same(h.set.queryable(), [], 'not queried');
  t.match(e.lastError, /disk on fire/);
  t.equal(e.lastCheck, 1_010_000);
  t.equal(e.lastSuccess, 1_000_000, 'last success kept');

  // Recovers before the timeout.
  s.mode = 'ok';
  c.set(1_020_000);
  await h.set.update();
  t.same(h.set.queryable(), [e]);
  t.equal(e.lastError, null);
  t.equal(e.lastSuccess, 1_020_000);

  // Fails again: 59.999 s after the last success it is still listed; at 60 s it is dropped.
  s.mode = 'notReady';
  c.set(1_020_000 + 59_999);
  await h.set.update();
  t.same(h.set.all(), [e]);
  t.match(e.lastError, /Not ready/);
  c.set(1_020_000 + 60_000);
  await h.set.update();
  t.same(h.set.all(), [], 'dropped after the unhealthy timeout');
  t.same(h.events, [`added ${s.address}`, `removed ${s.address}`]);

  // Comes back: a newcomer again, added on its first good Info.
  s.mode = 'ok';
  c.set(1_100_000);
  await h.set.update();
  t.same(h.set.queryable().map((x) => x.address), [s.address]);
  t.not(h.set.all()[0], e, 'a fresh endpoint (the old connection was closed)');
});

t.test('a strict endpoint is never dropped for being unhealthy', async (t) => {
  const c = clock();
  const s = await server(t, INFO);
  const h = harness(t, [{ address: s.address, strict: true }], { now: c.now, unhealthyTimeoutMs: 1000 });
  await h.set.update();
  s.mode = 'error';
  c.set(1_000_000 + 3_600_000);
  await h.set.update();
  t.equal(h.set.all().length, 1);
  t.equal(h.set.queryable().length, 1);
});

t.test('an address that disappears from the specs is removed on the next round', async (t) => {
  const a = await server(t, INFO);
  const b = await server(t, storeInfo({ cluster: 'us' }, 0, 1));
  const h = harness(t, [
    { address: a.address, strict: false },
    { address: b.address, strict: false },
  ]);
  await h.set.update();
  t.equal(h.set.all().length, 2);
  const removed = h.set.all().find((e) => e.address === b.address)!;
  h.specs = [{ address: a.address, strict: false }];
  await h.set.update();
  t.same(h.set.all().map((e) => e.address), [a.address]);
  t.ok(h.events.includes(`removed ${b.address}`));
  // The removed endpoint's connection is closed, so nothing keeps talking to a store that went away.
  await t.rejects(removed.info.info({ timeoutMs: 1000 }), /closed|shut ?down/i);

  // A newcomer that never answered well also leaves quietly when its address goes.
  b.mode = 'error';
  h.specs = [{ address: a.address, strict: false }, { address: b.address, strict: false }];
  await h.set.update();
  h.specs = [{ address: a.address, strict: false }];
  await h.set.update();
  t.same(h.set.all().map((e) => e.address), [a.address]);
});

t.test('Info is bounded by infoTimeoutMs: a hanging server does not stall the round', async (t) => {
  const hang = await server(t, INFO, 'hang');
  const ok = await server(t, storeInfo({ cluster: 'us' }, 0, 1));
  const h = harness(t, [
    { address: hang.address, strict: false },
    { address: ok.address, strict: false },
  ], { infoTimeoutMs: 300 });
  const t0 = performance.now();
  await h.set.update();
  const took = performance.now() - t0;
  // 300 ms deadline; the bound is loose because the test machine is shared and busy.
  t.ok(took >= 250 && took < 3000, `round took ${took.toFixed(0)} ms`);
  t.same(h.set.all().map((e) => e.address), [ok.address], 'the hanging newcomer is not added; the other is');
  // The server's own deadline timer fires about when the client's does; give it a moment.
  await eventually(() => hang.aborted === 1);
  t.equal(hang.aborted, 1, 'the server saw the call cancelled at the deadline');

  // An established endpoint that starts hanging gets a deadline error and leaves the queryable list.
  hang.mode = 'ok';
  await h.set.update();
  t.equal(h.set.queryable().length, 2);
  hang.mode = 'hang';
  await h.set.update();
  const e = h.set.all().find((x) => x.address === hang.address)!;
  t.match(e.lastError, /DEADLINE_EXCEEDED/);
  t.same(h.set.queryable().map((x) => x.address), [ok.address]);
});

t.test('Info metadata is kept: label sets, time range, component type, capabilities', async (t) => {
  const sidecar = await server(t, {
    // The empty label set is dropped (thanos.md §1.10).
    label_sets: [{ labels: [{ name: 'cluster', value: 'eu' }, { name: 'replica', value: 'A' }] }, { labels: [] }],
    ComponentType: 'sidecar',
    store: { min_time: '1700000000000', max_time: MAX_INT64, supports_without_replica_labels: true },
    rules: {},
    metric_metadata: {},
  });
  const store = await server(t, {
    label_sets: [{ labels: [{ name: 'cluster', value: 'eu' }] }, { labels: [{ name: 'cluster', value: 'us' }] }],
    ComponentType: 'store',
    store: { min_time: MIN_INT64, max_time: '1700000999999', supports_without_replica_labels: false },
  });
  const rulerOnly = await server(t, { label_sets: [], ComponentType: 'rule', rules: {} });
  const h = harness(t, [sidecar, store, rulerOnly].map((s) => ({ address: s.address, strict: false })));
  await h.set.update();
  const meta = (s: ControlledInfoServer) => {
    const m = h.set.all().find((e) => e.address === s.address)!.metadata;
    return { ...m, labelSets: m.labelSets.map((l) => l.toObject()) };
  };
  t.same(meta(sidecar), {
    componentType: 'sidecar',
    labelSets: [{ cluster: 'eu', replica: 'A' }],
    minTime: 1_700_000_000_000,
    maxTime: Infinity,
    hasStoreApi: true,
    hasRulesApi: true,
    hasMetricMetadataApi: true,
    hasExemplarsApi: false,
    supportsWithoutReplicaLabels: true,
  });
  t.same(meta(store), {
    componentType: 'store',
    labelSets: [{ cluster: 'eu' }, { cluster: 'us' }],
    minTime: -Infinity,
    maxTime: 1_700_000_999_999,
    hasStoreApi: true,
    hasRulesApi: false,
    hasMetricMetadataApi: false,
    hasExemplarsApi: false,
    supportsWithoutReplicaLabels: false,
  });
  // No StoreInfo: not a Store API, whole time range (Thanos: [MinInt64, MaxInt64]).
  t.same(meta(rulerOnly), {
    componentType: 'rule',
    labelSets: [],
    minTime: -Infinity,
    maxTime: Infinity,
    hasStoreApi: false,
    hasRulesApi: true,
    hasMetricMetadataApi: false,
    hasExemplarsApi: false,
    supportsWithoutReplicaLabels: false,
  });

  // A failed check keeps the last metadata, so pruning still works on it (thanos.md §4.3).
  sidecar.mode = 'error';
  await h.set.update();
  t.same(meta(sidecar).labelSets, [{ cluster: 'eu', replica: 'A' }]);
  t.equal(meta(sidecar).componentType, 'sidecar');
});

t.test('regression: a newcomer whose address vanished while its first Info was in flight is not added', async (t) => {
  const s = await server(t, INFO);
  s.delayMs = 300;
  const h = harness(t, [{ address: s.address, strict: false }]);
  // Round 1 asks Info, which answers well but late; meanwhile discovery drops the address and round 2
  // (the update loop and a caller's own round can overlap) removes the candidate.
  const round1 = h.set.update();
  await new Promise((r) => setTimeout(r, 100));
  h.specs = [];
  await h.set.update();
  await round1;
  t.same(h.set.all(), [], 'nothing listed for an address no spec names');
  t.same(h.events.filter((e) => e.startsWith('added')), []);
});
