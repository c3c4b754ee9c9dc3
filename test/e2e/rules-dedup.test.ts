import t from 'tap';
import { Matcher, MatchType } from '../../src/model/index.js';
import type { Endpoint } from '../../src/query/index.js';
import { rulesFanout } from '../../src/query/rules/index.js';
import type { RulesResponse } from '../../src/storeapi/index.js';

// Rule merging and JSON rendering cases, through rulesFanout with in-memory endpoints (the gRPC path is
// covered by rules-fanout.test.ts). Frames are shaped as the gRPC client decodes them (oneof name in `result`).
// Expected JSON follows thanos.md §1.9 and Go's time.Time JSON.

const lbls = (o: Record<string, string>) => ({ labels: Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, value]) => ({ name, value })) });

function endpoint(address: string, frames: RulesResponse[], hasRulesApi = true): Endpoint {
  return {
    address,
    metadata: { hasRulesApi },
    rules: {
      async *rules() {
        yield* frames;
      },
    },
  } as unknown as Endpoint;
}

const recording = (name: string, labels: Record<string, string>, evalAt: { seconds: string; nanos: number } | null) => ({
  recording: { name, query: 'vector(1)', labels: lbls(labels), health: 'ok', last_error: '', evaluation_duration_seconds: 0, last_evaluation: evalAt },
});
const alert = (name: string, labels: Record<string, string>, state: number, durationSeconds: number, lastError = '') => ({
  alert: {
    state, name, query: 'up == 0', duration_seconds: durationSeconds, labels: lbls(labels), annotations: lbls({}), alerts: [],
    health: lastError ? 'err' : 'ok', last_error: lastError, evaluation_duration_seconds: 0, last_evaluation: null, keep_firing_for_seconds: 0,
  },
});
const group = (name: string, file: string, rules: unknown[]): RulesResponse => ({ result: 'group', group: { name, file, rules, interval: 30, evaluation_duration_seconds: 0, last_evaluation: null, PartialResponseStrategy: 0, limit: '0' } });

const query = (over: Partial<Parameters<ReturnType<typeof rulesFanout>>[0]> = {}) => ({
  type: undefined, partialResponse: true, replicaLabels: ['replica'], ruleNames: [], ruleGroups: [], files: [], matchers: [], ...over,
});
const signal = () => AbortSignal.timeout(5000);

t.test('groups sort by file then name; only equal (file, name) merge', async (t) => {
  const rules = rulesFanout(() => [
    endpoint('a', [group('b', 'f1', []), group('a', 'f2', []), group('a', 'f1', [])]),
    endpoint('b', [group('a', 'f1', [])]),
  ]);
  const res = await rules(query(), signal());
  t.same((res.groups as { name: string; file: string }[]).map((g) => `${g.file};${g.name}`), ['f1;a', 'f1;b', 'f2;a']);
});

t.test('regression: rules that differ only in the replica label collapse; other labels or `for` keep them apart', async (t) => {
  const rules = rulesFanout(() => [
    endpoint('a', [group('g', 'f', [alert('Down', { replica: 'A', sev: 'page' }, 1, 60), alert('Down', { replica: 'A', sev: 'page' }, 1, 300)])]),
    endpoint('b', [group('g', 'f', [alert('Down', { replica: 'B', sev: 'page' }, 1, 60), alert('Down', { replica: 'B', sev: 'ticket' }, 1, 60)])]),
  ]);
  const res = await rules(query(), signal());
  const got = (res.groups[0] as { rules: { labels: Record<string, string>; duration: number }[] }).rules.map((r) => [r.labels.sev, r.duration]);
  t.same(got, [['page', 60], ['page', 300], ['ticket', 60]], 'sorted by name, labels, then for');
});

t.test('a replica label that is not configured is kept, and keeps replicas apart', async (t) => {
  const rules = rulesFanout(() => [
    endpoint('a', [group('g', 'f', [recording('r', { replica: 'A' }, null)])]),
    endpoint('b', [group('g', 'f', [recording('r', { replica: 'B' }, null)])]),
  ]);
  const res = await rules(query({ replicaLabels: [] }), signal());
  t.same((res.groups[0] as { rules: { labels: unknown }[] }).rules.map((r) => r.labels), [{ replica: 'A' }, { replica: 'B' }]);
});

t.test('recording rules: the newest evaluation wins; never-evaluated is the Go zero time; nanos trimmed', async (t) => {
  const rules = rulesFanout(() => [
    endpoint('a', [group('g', 'f', [recording('r', { replica: 'A' }, { seconds: '1704067200', nanos: 120_000_000 }), recording('never', { replica: 'A' }, null)])]),
    endpoint('b', [group('g', 'f', [recording('r', { replica: 'B' }, { seconds: '1704067200', nanos: 123_456_789 })])]),
  ]);
  const res = await rules(query(), signal());
  const got = (res.groups[0] as { rules: { name: string; lastEvaluation: string }[] }).rules.map((r) => [r.name, r.lastEvaluation]);
  t.same(got, [['never', '0001-01-01T00:00:00Z'], ['r', '2024-01-01T00:00:00.123456789Z']]);
});

t.test('alerting rules: firing beats pending beats inactive whatever the arrival order; lastError only when set', async (t) => {
  for (const order of [[1, 2, 3], [3, 2, 1], [2, 3, 1]]) {
    const rules = rulesFanout(() => order.map((state, i) => endpoint(`e${i}`, [group('g', 'f', [alert('A', { replica: String(i) }, state, 0, state === 3 ? 'boom' : '')])])));
    const res = await rules(query(), signal());
    const [r] = (res.groups[0] as { rules: Record<string, unknown>[] }).rules;
    t.equal(r.state, 'firing', `order ${order}`);
    t.equal(r.lastError, 'boom');
  }
  const quiet = await rulesFanout(() => [endpoint('a', [group('g', 'f', [alert('A', {}, 0, 0)])])])(query(), signal());
  const [r] = (quiet.groups[0] as { rules: Record<string, unknown>[] }).rules;
  t.equal(r.state, 'unknown', 'AlertState UNKNOWN (0) renders lower-case, as rulespb does');
  t.notOk('lastError' in r);
});

t.test('filters: type, rule_name, rule_group, file, and match[] on non-templated labels', async (t) => {
  const rules = rulesFanout(() => [
    endpoint('a', [
      group('g1', 'f1', [recording('rec', { team: 'db' }, null), alert('Hot', { team: 'db', sev: '{{ $labels.sev }}' }, 1, 0)]),
      group('g2', 'f2', [alert('Cold', { team: 'web' }, 1, 0)]),
      group('empty', 'f3', []),
    ]),
    endpoint('plain', [group('never', 'asked', [])], false),
  ]);
  const names = async (over: Parameters<typeof query>[0]) =>
    ((await rules(query(over), signal())).groups as { name: string; rules: { name: string }[] }[]).map((g) => `${g.name}:${g.rules.map((r) => r.name).join(',')}`);
  t.same(await names({}), ['g1:rec,Hot', 'g2:Cold', 'empty:'], 'no filter: the empty group stays, the non-Rules endpoint is not asked');
  t.same(await names({ type: 'alert' }), ['g1:Hot', 'g2:Cold', 'empty:']);
  t.same(await names({ type: 'record' }), ['g1:rec', 'empty:']);
  t.same(await names({ ruleNames: ['Cold'] }), ['g2:Cold', 'empty:']);
  t.same(await names({ ruleGroups: ['g1'], files: ['f1'] }), ['g1:rec,Hot']);
  t.same(await names({ files: ['f2'] }), ['g2:Cold']);
  t.same(await names({ matchers: [[new Matcher(MatchType.EQ, 'team', 'db')]] }), ['g1:rec,Hot']);
  t.same(await names({ matchers: [[new Matcher(MatchType.EQ, 'team', 'web')], [new Matcher(MatchType.EQ, 'team', 'db')]] }), ['g1:rec,Hot', 'g2:Cold'], 'sets are ORed');
  // A templated value is unknown until the alert fires: it matches as absent (""), never as its template text.
  t.same(await names({ matchers: [[new Matcher(MatchType.RE, 'sev', '.+')]] }), []);
  t.same(await names({ matchers: [[new Matcher(MatchType.EQ, 'sev', '')]] }), ['g1:rec,Hot', 'g2:Cold']);
});

t.test('a request already timed out is an error, not a warning', async (t) => {
  const controller = new AbortController();
  const rules = rulesFanout(() => [
    {
      address: 'slow',
      metadata: { hasRulesApi: true },
      rules: {
        async *rules(_req: unknown, opts: { signal: AbortSignal }) {
          controller.abort(new Error('deadline'));
          opts.signal.throwIfAborted();
          yield* [];
        },
      },
    } as unknown as Endpoint,
  ]);
  await t.rejects(rules(query(), controller.signal));
});
