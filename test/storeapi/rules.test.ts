// The Rules service and client over loopback gRPC, and the Info presence rule end to end.
import t from 'tap';
import { InfoClient, RulesClient, startGrpcServer, type RulesResponse } from '../../src/storeapi/index.js';

const group = {
  name: 'g1',
  file: '/etc/rules.yaml',
  interval: 30,
  last_evaluation: { seconds: '1700000000', nanos: 500 },
  PartialResponseStrategy: 1,
  rules: [
    { recording: { name: 'job:up:sum', query: 'sum by (job) (up)', labels: { labels: [{ name: 'replica', value: 'a' }] }, health: 'ok' } },
    { alert: { name: 'Down', state: 3, query: 'up == 0', duration_seconds: 300, alerts: [{ state: 3, value: '0', active_at: { seconds: '1700000001', nanos: 0 } }] } },
  ],
};
let seen: unknown;
const srv = await startGrpcServer('127.0.0.1:0', {
  rules: {
    async rules(req, send) {
      seen = req;
      await send({ group });
      await send({ warning: 'one ruler down' });
    },
  },
  info: { info: async () => ({ label_sets: [], ComponentType: 'rule', rules: {} }) },
});
t.teardown(() => srv.stop(100));

t.test('Rules streams groups and warnings', async (t) => {
  const c = new RulesClient(srv.address, { timeoutMs: 5_000 });
  const frames: RulesResponse[] = [];
  for await (const f of c.rules({ type: 1, matcher_string: ['{job="x"}'] })) frames.push(f);
  c.close();
  t.match(seen, { type: 1, matcher_string: ['{job="x"}'], rule_name: [] });
  t.same(
    frames.map((f) => f.result),
    ['group', 'warning'],
  );
  const g = frames[0].result === 'group' ? (frames[0].group as any) : undefined;
  t.match(g, { name: 'g1', file: '/etc/rules.yaml', interval: 30, PartialResponseStrategy: 1, limit: '0' });
  t.same(g.last_evaluation, { seconds: '1700000000', nanos: 500 });
  t.equal(g.rules[0].result, 'recording');
  t.equal(g.rules[0].recording.query, 'sum by (job) (up)');
  t.equal(g.rules[1].result, 'alert');
  t.equal(g.rules[1].alert.alerts[0].active_at.seconds, '1700000001');
});

t.test('Info of a ruler: Rules present and empty, Store absent', async (t) => {
  const c = new InfoClient(srv.address);
  const res = await c.info();
  c.close();
  t.equal(res.ComponentType, 'rule');
  t.same(res.rules, {});
  t.equal(res.store, null);
});
