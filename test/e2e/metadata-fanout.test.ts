import t from 'tap';
import { Labels } from '../../src/model/index.js';
import { mergeMetadata } from '../../src/query/metadata/index.js';
import { MemoryStorage } from '../../src/storage/index.js';
import {
  memoryStoreApi,
  startGrpcServer,
  type MetricMetadataRequest,
  type MetricMetadataResponse,
  type ProtoMeta,
  type RunningGrpcServer,
} from '../../src/storeapi/index.js';
import { api, querier } from '../helpers/querier.js';

// Stores of other makes (Thanos sidecars, other queriers) behind our querier: StoreAPI + Info advertising the
// Metadata API (`metric_metadata: {}`) + a MetricMetadata service answering the given frames, over our gRPC
// server; the querier reaches them through discovery, Info and gRPC as in production. The sidecar's own
// service against a real Prometheus is checked in sidecar-live.test.ts.
interface FakeStore {
  server: RunningGrpcServer;
  requests: MetricMetadataRequest[];
}

async function store(frames: (req: MetricMetadataRequest) => MetricMetadataResponse[] | Error, advertise = true): Promise<FakeStore> {
  const base = memoryStoreApi(new MemoryStorage(), { componentType: 'sidecar', externalLabels: Labels.from({ replica: String(Math.random()) }) });
  const requests: MetricMetadataRequest[] = [];
  const server = await startGrpcServer('127.0.0.1:0', {
    store: base.store,
    info: { info: async (ctx) => ({ ...(await base.info.info(ctx)), ...(advertise ? { metric_metadata: {} } : {}) }) },
    metadata: {
      async metricMetadata(req, send) {
        requests.push(req);
        const out = frames(req);
        if (out instanceof Error) throw out;
        for (const f of out) await send(f);
      },
    },
  });
  return { server, requests };
}

const meta = (type: string, help: string, unit = ''): ProtoMeta => ({ type, help, unit });
const answer = (m: Record<string, ProtoMeta[]>): MetricMetadataResponse => ({
  metadata: { metadata: Object.fromEntries(Object.entries(m).map(([k, metas]) => [k, { metas }])) },
});

t.test('two replicas and a third store: equal metas collapse, new ones add, keys sorted; requests carry the parameters', async (t) => {
  const a = await store(() => [answer({ up: [meta('gauge', 'Up.')], http_requests_total: [meta('counter', 'Requests.')] })]);
  const b = await store(() => [answer({ up: [meta('gauge', 'Up.')], http_requests_total: [meta('counter', 'Requests.')] })]);
  const c = await store(() => [answer({ http_requests_total: [meta('counter', 'Requests served.')], go_gc_seconds: [meta('summary', 'GC.', 'seconds')] }), { warning: 'c is partial' }]);
  const hidden = await store(() => [answer({ secret: [meta('gauge', 'Not advertised.')] })], false);
  const q = await querier({ endpoints: [a, b, c, hidden].map((s) => s.server.address) });
  t.teardown(async () => {
    await q.stop();
    for (const s of [a, b, c, hidden]) await s.server.stop(0);
  });

  const all = await api(q.httpAddress, '/api/v1/metadata', {});
  t.equal(all.status, 200);
  t.same(Object.keys(all.body.data), ['go_gc_seconds', 'http_requests_total', 'up'], 'sorted by name; the store that did not advertise the API is not asked');
  t.same(all.body.data.up, [{ type: 'gauge', help: 'Up.', unit: '' }], 'the replicas’ equal metas are one');
  t.equal(all.body.data.http_requests_total.length, 2, 'a different help text is another meta');
  t.same(all.body.data.go_gc_seconds, [{ type: 'summary', help: 'GC.', unit: 'seconds' }]);
  t.same(all.body.warnings, ['c is partial'], 'a store’s warning frame is passed on');
  t.equal(hidden.requests.length, 0);

  const up = await api(q.httpAddress, '/api/v1/metadata', { metric: 'up', limit: '5' });
  t.match(a.requests.at(-1), { metric: 'up', limit: 5 }, 'metric and limit go to the stores');
  t.same(up.body.data, { up: all.body.data.up }, 'only that metric, though these stores answer everything');
  t.match(a.requests[0], { metric: '', limit: -1 }, 'no limit: −1, as Thanos sends it');

  // A global querier over this one: the metadata passes through our querier's own Metadata API.
  const top = await querier({ endpoints: [q.grpcAddress] });
  t.teardown(() => top.stop());
  const viaTop = await api(top.httpAddress, '/api/v1/metadata', {});
  t.same(viaTop.body.data, all.body.data, 'a querier on top answers the same');
  t.same(viaTop.body.warnings, ['c is partial'], 'and passes the warning on');
  t.same((await api(top.httpAddress, '/api/v1/metadata', { metric: 'up' })).body.data, { up: all.body.data.up });

  const perMetric = await api(q.httpAddress, '/api/v1/metadata', { limit_per_metric: '1' });
  t.equal(perMetric.body.data.http_requests_total.length, 1, 'limit_per_metric');
  t.same((await api(q.httpAddress, '/api/v1/metadata', { limit: '0' })).body.data, {}, 'limit=0: none');
  const bad = await api(q.httpAddress, '/api/v1/metadata', { limit: 'x' });
  t.equal(bad.status, 400);
  t.same([bad.body.errorType, bad.body.error], ['bad_data', 'limit must be a number']);
  t.equal((await api(q.httpAddress, '/api/v1/metadata', { limit_per_metric: '1.5' })).status, 400);
});

t.test('a failing store: a warning under partial response, the request’s error without', async (t) => {
  const ok = await store(() => [answer({ up: [meta('gauge', 'Up.')] })]);
  const broken = await store(() => new Error('metadata store on fire'));
  const q = await querier({ endpoints: [ok.server.address, broken.server.address] });
  t.teardown(async () => {
    await q.stop();
    await ok.server.stop(0);
    await broken.server.stop(0);
  });
  const partial = await api(q.httpAddress, '/api/v1/metadata', { partial_response: 'true' });
  t.equal(partial.status, 200);
  t.same(partial.body.data, { up: [{ type: 'gauge', help: 'Up.', unit: '' }] });
  t.match(partial.body.warnings, [new RegExp(`^fetching metric metadata from metric metadata client ${broken.server.address}: .*metadata store on fire`)]);
  const strict = await api(q.httpAddress, '/api/v1/metadata', { partial_response: 'false' });
  t.equal(strict.status, 500);
  t.match(strict.body.error, /error retrieving metric metadata: .*metadata store on fire/);
});

t.test('mergeMetadata: a limit bounds the metrics, never the metas of one already in', async (t) => {
  const into = new Map<string, ProtoMeta[]>();
  mergeMetadata(into, { a: { metas: [meta('gauge', 'A.'), meta('gauge', 'A.')] }, b: { metas: [meta('counter', 'B.')] } }, 1);
  t.same([...into.keys()], ['a'], 'one metric at limit 1');
  t.same(into.get('a'), [meta('gauge', 'A.')], 'repeated metas within one answer collapse too');
  mergeMetadata(into, { a: { metas: [meta('gauge', 'A, again.')] }, c: { metas: [meta('gauge', 'C.')] } }, 1);
  t.same(into.get('a'), [meta('gauge', 'A.'), meta('gauge', 'A, again.')], 'a known metric still gains new metas');
  t.notOk(into.has('c'));
  const none = new Map<string, ProtoMeta[]>();
  mergeMetadata(none, { a: { metas: [meta('gauge', 'A.')] } }, 0);
  t.equal(none.size, 0, 'limit 0: nothing');
});
