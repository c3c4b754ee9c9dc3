import t from 'tap';
import { Labels } from '../../src/model/index.js';
import { MemoryStorage } from '../../src/storage/index.js';
import {
  memoryStoreApi,
  startGrpcServer,
  type RulesRequest,
  type RulesResponse,
  type RunningGrpcServer,
} from '../../src/storeapi/index.js';
import { api, memoryStore, querier } from '../helpers/querier.js';

// A Thanos sidecar/ruler of an HA pair: StoreAPI + Info advertising the Rules API (`rules: {}`) + a Rules
// service streaming the given frames. As thanos.md §1.9 requires, returned rules carry the external labels.
interface FakeRuler {
  server: RunningGrpcServer;
  requests: RulesRequest[];
}

async function ruler(external: Record<string, string>, frames: (req: RulesRequest) => RulesResponse[] | Error): Promise<FakeRuler> {
  const base = memoryStoreApi(new MemoryStorage(), { componentType: 'rule', externalLabels: Labels.from(external) });
  const requests: RulesRequest[] = [];
  const server = await startGrpcServer('127.0.0.1:0', {
    store: base.store,
    info: { info: async (ctx) => ({ ...(await base.info.info(ctx)), rules: {} }) },
    rules: {
      async rules(req, send) {
        requests.push(req);
        const out = frames(req);
        if (out instanceof Error) throw out;
        for (const f of out) await send(f);
      },
    },
  });
  return { server, requests };
}

const lbls = (o: Record<string, string>) => ({ labels: Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, value]) => ({ name, value })) });
const ts = (seconds: number, nanos = 0) => ({ seconds: String(seconds), nanos });
const JAN1 = 1704067200; // 2024-01-01T00:00:00Z

/** The group both replicas evaluate, as each replica reports it (state and times differ per replica). */
function group(replica: string, o: { alertState: number; evalAt: number; evalNanos: number; instanceState: number }): RulesResponse {
  const ext = { cluster: 'c1', replica };
  return {
    group: {
      name: 'api.rules',
      file: '/etc/rules/api.yaml',
      interval: 15,
      evaluation_duration_seconds: 0.002,
      last_evaluation: ts(o.evalAt, o.evalNanos),
      PartialResponseStrategy: 1, // ABORT, the ruler's default
      limit: '0',
      rules: [
        {
          alert: {
            state: o.alertState,
            name: 'HighErrorRate',
            query: 'job:errors:rate5m > 0.1',
            duration_seconds: 300,
            keep_firing_for_seconds: 0,
            labels: lbls({ ...ext, severity: 'page' }),
            annotations: lbls({ summary: 'errors on {{ $labels.job }}' }),
            alerts: [
              {
                labels: lbls({ ...ext, alertname: 'HighErrorRate', job: 'api', severity: 'page' }),
                annotations: lbls({ summary: 'errors on api' }),
                state: o.instanceState,
                active_at: ts(JAN1 - 600),
                value: '0.25',
                PartialResponseStrategy: 1,
              },
            ],
            health: 'ok',
            last_error: '',
            evaluation_duration_seconds: 0.001,
            last_evaluation: ts(o.evalAt, o.evalNanos),
          },
        },
        {
          recording: {
            name: 'job:errors:rate5m',
            query: 'sum by (job) (rate(errors_total[5m]))',
            labels: lbls(ext),
            health: 'ok',
            last_error: '',
            evaluation_duration_seconds: 0.0005,
            last_evaluation: ts(o.evalAt, o.evalNanos),
          },
        },
      ],
    },
  };
}

t.test('two HA rulers: one merged group, replica label gone, most advanced alert and newest recording kept', async (t) => {
  // Replica A: alert firing, evaluated at 00:00:00.5. Replica B: pending (it restarted), evaluated at 00:00:10.
  const a = await ruler({ cluster: 'c1', replica: 'A' }, () => [group('A', { alertState: 3, evalAt: JAN1, evalNanos: 500_000_000, instanceState: 3 })]);
  const b = await ruler({ cluster: 'c1', replica: 'B' }, () => [group('B', { alertState: 2, evalAt: JAN1 + 10, evalNanos: 0, instanceState: 2 })]);
  // A plain store without the Rules API must not be asked (asking it would give Unimplemented → a warning).
  const plain = await memoryStore(new MemoryStorage(), { cluster: 'c1', replica: 'X' }, 'store');
  const q = await querier({ endpoints: [a.server.address, b.server.address, plain.address], replicaLabels: ['replica'] });
  t.teardown(async () => {
    await q.stop();
    await Promise.all([a.server.stop(0), b.server.stop(0), plain.stop(0)]);
  });

  const res = await api(q.httpAddress, '/api/v1/rules', {});
  t.equal(res.status, 200);
  t.equal(res.body.status, 'success');
  t.notOk(res.body.warnings, 'no warnings: the plain store was not called');
  // A global querier over this one: the groups pass through our querier's own Rules API, merged on top.
  const top = await querier({ endpoints: [q.grpcAddress], replicaLabels: ['replica'] });
  t.teardown(() => top.stop());
  t.same((await api(top.httpAddress, '/api/v1/rules', {})).body, res.body, 'a querier on top answers the same');
  // Expected from thanos.md §1.9 JSON tags and Go's time.Time JSON: the alert from A (firing beats pending),
  // the recording rule from B (evaluated later), recording before alerting (rulespb Rule.Compare).
  t.same(res.body.data, {
    groups: [
      {
        name: 'api.rules',
        file: '/etc/rules/api.yaml',
        rules: [
          {
            name: 'job:errors:rate5m',
            query: 'sum by (job) (rate(errors_total[5m]))',
            labels: { cluster: 'c1' },
            health: 'ok',
            evaluationTime: 0.0005,
            lastEvaluation: '2024-01-01T00:00:10Z',
            type: 'recording',
          },
          {
            state: 'firing',
            name: 'HighErrorRate',
            query: 'job:errors:rate5m > 0.1',
            duration: 300,
            labels: { cluster: 'c1', severity: 'page' },
            annotations: { summary: 'errors on {{ $labels.job }}' },
            alerts: [
              {
                labels: { alertname: 'HighErrorRate', cluster: 'c1', job: 'api', severity: 'page' },
                annotations: { summary: 'errors on api' },
                state: 'firing',
                activeAt: '2023-12-31T23:50:00Z',
                value: '0.25',
                partialResponseStrategy: 'ABORT',
              },
            ],
            health: 'ok',
            evaluationTime: 0.001,
            lastEvaluation: '2024-01-01T00:00:00.5Z',
            keepFiringFor: 0,
            type: 'alerting',
          },
        ],
        interval: 15,
        evaluationTime: 0.002,
        // Groups merge by (file, name); the first after sorting keeps its own fields (here A's, equal keys
        // keep input order, which is arrival order and so either replica's).
        lastEvaluation: res.body.data.groups[0].lastEvaluation,
        limit: 0,
        partialResponseStrategy: 'ABORT',
      },
    ],
  });
  t.match(res.body.data.groups[0].lastEvaluation, /^2024-01-01T00:00:(00\.5|10)Z$/);
  t.notOk('lastError' in res.body.data.groups[0].rules[0], 'lastError omitted when empty');

  // What the stores were asked: ALL, WARN (the querier's partial-response default), no filters.
  t.same(a.requests[0], { type: 0, partial_response_strategy: 0, matcher_string: [], rule_name: [], rule_group: [], file: [] });

  const alerts = await api(q.httpAddress, '/api/v1/alerts', {});
  t.equal(alerts.status, 200);
  t.same(alerts.body.data, {
    alerts: [
      {
        labels: { alertname: 'HighErrorRate', cluster: 'c1', job: 'api', severity: 'page' },
        annotations: { summary: 'errors on api' },
        state: 'firing',
        activeAt: '2023-12-31T23:50:00Z',
        value: '0.25',
        partialResponseStrategy: 'ABORT',
      },
    ],
  });
  t.equal(a.requests.at(-1)!.type, 1, '/alerts asks for ALERT rules only');

  const recording = await api(q.httpAddress, '/api/v1/rules', { type: 'record' });
  t.same(recording.body.data.groups[0].rules.map((r: { type: string }) => r.type), ['recording']);
  t.equal(a.requests.at(-1)!.type, 2);

  const filtered = await api(q.httpAddress, '/api/v1/rules', {
    'match[]': '{severity="page"}',
    'rule_name[]': 'HighErrorRate',
    'rule_group[]': 'api.rules',
    'file[]': '/etc/rules/api.yaml',
    partial_response: 'false',
  });
  t.same(filtered.body.data.groups[0].rules.map((r: { name: string }) => r.name), ['HighErrorRate'], 'only rules with severity="page"');
  t.same(b.requests.at(-1), {
    type: 0,
    partial_response_strategy: 1,
    matcher_string: ['{severity="page"}'],
    rule_name: ['HighErrorRate'],
    rule_group: ['api.rules'],
    file: ['/etc/rules/api.yaml'],
  });

  const none = await api(q.httpAddress, '/api/v1/rules', { 'match[]': '{severity="ticket"}' });
  t.same(none.body.data, { groups: [] }, 'a group with no matching rule is dropped');

  const bad = await api(q.httpAddress, '/api/v1/rules', { type: 'alerts' });
  t.equal(bad.status, 400);
  t.equal(bad.body.errorType, 'bad_data');
});

t.test('a failing ruler: a warning under partial response, a 500 without it', async (t) => {
  const good = await ruler({ cluster: 'c1', replica: 'A' }, () => [group('A', { alertState: 1, evalAt: JAN1, evalNanos: 0, instanceState: 1 })]);
  const broken = await ruler({ cluster: 'c2', replica: 'A' }, () => new Error('rule manager not ready'));
  const q = await querier({ endpoints: [good.server.address, broken.server.address], replicaLabels: ['replica'] });
  t.teardown(async () => {
    await q.stop();
    await Promise.all([good.server.stop(0), broken.server.stop(0)]);
  });

  const partial = await api(q.httpAddress, '/api/v1/rules', {});
  t.equal(partial.status, 200);
  t.equal(partial.body.data.groups.length, 1, 'the healthy ruler still answers');
  t.equal(partial.body.data.groups[0].rules[1].state, 'inactive');
  t.equal(partial.body.warnings?.length, 1);
  t.match(partial.body.warnings?.[0], new RegExp(`^fetching rules from rules client ${broken.server.address.replace(/\./g, '\\.')}: .*rule manager not ready`));

  const strict = await api(q.httpAddress, '/api/v1/alerts', { partial_response: 'false' });
  t.equal(strict.status, 500);
  t.equal(strict.body.status, 'error');
  t.equal(strict.body.errorType, 'internal');
  t.match(strict.body.error, /rule manager not ready/);
});

t.test('rule stream frames of a warning kind reach the response warnings; no Rules endpoints → empty groups', async (t) => {
  const w = await ruler({ cluster: 'c1', replica: 'A' }, () => [{ warning: 'rules evaluation lagging' }]);
  const q = await querier({ endpoints: [w.server.address] });
  const empty = await querier({ endpoints: [] });
  t.teardown(async () => {
    await q.stop();
    await empty.stop();
    await w.server.stop(0);
  });
  const res = await api(q.httpAddress, '/api/v1/rules', {});
  t.same(res.body, { status: 'success', data: { groups: [] }, warnings: ['rules evaluation lagging'] });
  const none = await api(empty.httpAddress, '/api/v1/alerts', {});
  t.same(none.body, { status: 'success', data: { alerts: [] } });
});
