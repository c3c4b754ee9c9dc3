// Per-query store pruning (thanos.md §4.4): time range, external labels (Thanos LabelSetsMatch), storeMatch[].
// Expected answers are worked from the Thanos rules quoted in the fact sheet, case by case.
import t from 'tap';
import { Labels, Matcher, MatchType } from '../../../src/model/index.js';
import { Endpoint, type EndpointMetadata } from '../../../src/query/index.js';
import { labelSetsMatch, matchingEndpoints } from '../../../src/query/proxy/prune.js';

const eq = (n: string, v: string) => new Matcher(MatchType.EQ, n, v);
const neq = (n: string, v: string) => new Matcher(MatchType.NEQ, n, v);
const re = (n: string, v: string) => new Matcher(MatchType.RE, n, v);
const nre = (n: string, v: string) => new Matcher(MatchType.NRE, n, v);

const endpoints: Endpoint[] = [];
t.teardown(() => endpoints.forEach((e) => e.close()));

/** A real Endpoint (its client never dials: nothing calls it) with the metadata a good Info would give. */
function endpoint(address: string, meta: Partial<EndpointMetadata> & { labelSets?: Labels[] }, strict = false): Endpoint {
  const e = new Endpoint(address, strict);
  e.metadata = {
    componentType: 'sidecar',
    labelSets: [],
    minTime: -Infinity,
    maxTime: Infinity,
    hasStoreApi: true,
    hasRulesApi: false,
    hasMetricMetadataApi: false,
    hasExemplarsApi: false,
    supportsWithoutReplicaLabels: true,
    ...meta,
  };
  endpoints.push(e);
  return e;
}

const L = (o: Record<string, string>) => Labels.from(o);

t.test('time range: a store is skipped only when mint > its max or maxt < its min', async (t) => {
  const s = endpoint('10.0.0.1:10901', { minTime: 1000, maxTime: 2000 });
  const open = endpoint('10.0.0.2:10901', {});
  // No data yet: the memory store answers min = MaxInt64, max = MinInt64, which must match nothing.
  const empty = endpoint('10.0.0.3:10901', { minTime: Infinity, maxTime: -Infinity });
  const cases: [string, number, number, boolean][] = [
    ['entirely before', 0, 999, false],
    ['touching its min (both ends inclusive)', 0, 1000, true],
    ['inside', 1500, 1600, true],
    ['covering', 0, 5000, true],
    ['touching its max', 2000, 3000, true],
    ['entirely after', 2001, 3000, false],
  ];
  for (const [name, mint, maxt, want] of cases) {
    const got = matchingEndpoints([s, open, empty], { mint, maxt, matchers: [], storeMatchers: [] });
    t.same(got.map((e) => e.address), want ? [s.address, open.address] : [open.address], name);
  }
});

t.test('external labels: only names present in a set are evaluated; OR across sets; no sets always match', async (t) => {
  const one = [L({ cluster: 'eu', replica: 'A' })];
  const two = [L({ cluster: 'eu', env: 'prod' }), L({ cluster: 'us', env: 'dev' })];
  const cases: [string, Matcher[], Labels[], boolean][] = [
    ['no matchers', [], one, true],
    ['equal value', [eq('__name__', 'up'), eq('cluster', 'eu')], one, true],
    ['different value', [eq('cluster', 'us')], one, false],
    ['regex matching', [re('cluster', 'e.*')], one, true],
    ['regex is anchored', [re('cluster', 'e')], one, false],
    ['not-equal on its value', [neq('cluster', 'eu')], one, false],
    ['not-regex not matching', [nre('cluster', 'us|ap')], one, true],
    ['name not in the set is the store\'s business', [eq('job', 'api')], one, true],
    ['empty-value matcher on an absent name', [eq('env', '')], one, true],
    ['empty-value matcher on a present name', [eq('cluster', '')], one, false],
    ['every matcher must hold within a set', [eq('cluster', 'eu'), eq('replica', 'B')], one, false],
    ['second set matches', [eq('cluster', 'us')], two, true],
    ['no set matches', [eq('cluster', 'ap')], two, false],
    ['regex across sets', [re('cluster', 'us|ap')], two, true],
    ['matchers must hold in the same set, not across sets', [eq('cluster', 'eu'), eq('env', 'dev')], two, false],
    ['both in one set', [eq('cluster', 'us'), eq('env', 'dev')], two, true],
    ['store without label sets always matches', [eq('cluster', 'nowhere')], [], true],
  ];
  for (const [name, matchers, sets, want] of cases) {
    t.equal(labelSetsMatch(matchers, sets), want, name);
    const e = endpoint(`10.1.0.${cases.findIndex((c) => c[0] === name)}:10901`, { labelSets: sets });
    t.equal(matchingEndpoints([e], { mint: 0, maxt: 1, matchers, storeMatchers: [] }).length, want ? 1 : 0, `${name} (through matchingEndpoints)`);
  }
});

t.test('storeMatch[]: only __address__ is looked at, OR across sets, empty means every store', async (t) => {
  const a = endpoint('127.0.0.1:10901', { labelSets: [L({ cluster: 'eu' })] });
  const b = endpoint('127.0.0.1:10902', { labelSets: [L({ cluster: 'us' })] });
  const c = endpoint('10.0.0.9:10901', {});
  const all = [a, b, c];
  const cases: [string, Matcher[][], Endpoint[]][] = [
    ['none given', [], all],
    ['one address', [[eq('__address__', '127.0.0.1:10902')]], [b]],
    ['address regex', [[re('__address__', '127\\.0\\.0\\.1:.*')]], [a, b]],
    ['negated address', [[neq('__address__', '127.0.0.1:10901')]], [b, c]],
    ['sets are ORed', [[eq('__address__', '127.0.0.1:10901')], [eq('__address__', '10.0.0.9:10901')]], [a, c]],
    ['matchers in one set are ANDed', [[re('__address__', '127.*'), re('__address__', '.*:10901')]], [a]],
    // Thanos matches each set against the label set {__address__=…} with LabelSetsMatch: other names are absent
    // from it, so they are not evaluated and do not exclude anything.
    ['other label names are ignored', [[eq('cluster', 'eu')]], all],
    ['nothing matches', [[eq('__address__', 'nowhere:1')]], []],
  ];
  for (const [name, storeMatchers, want] of cases) {
    const got = matchingEndpoints(all, { mint: 0, maxt: 1, matchers: [], storeMatchers });
    t.same(got.map((e) => e.address), want.map((e) => e.address), name);
  }
});

t.test('all three filters apply together', async (t) => {
  const a = endpoint('127.0.0.1:20001', { labelSets: [L({ cluster: 'eu' })], minTime: 0, maxTime: 100 });
  const b = endpoint('127.0.0.1:20002', { labelSets: [L({ cluster: 'eu' })], minTime: 200, maxTime: 300 });
  const c = endpoint('127.0.0.1:20003', { labelSets: [L({ cluster: 'us' })], minTime: 0, maxTime: 300 });
  const got = matchingEndpoints([a, b, c], {
    mint: 50,
    maxt: 150,
    matchers: [eq('cluster', 'eu')],
    storeMatchers: [[re('__address__', '.*:2000[12]')]],
  });
  t.same(got.map((e) => e.address), [a.address], 'b: wrong time; c: wrong cluster');
});

t.test('endpoints without a Store API are not queried, unless strict (no Info yet: the whole range)', async (t) => {
  const ruler = endpoint('127.0.0.1:30001', { hasStoreApi: false, componentType: 'rule' });
  const strictUnknown = endpoint('127.0.0.1:30002', { hasStoreApi: false, componentType: '' }, true);
  const got = matchingEndpoints([ruler, strictUnknown], { mint: 0, maxt: 1, matchers: [eq('cluster', 'x')], storeMatchers: [] });
  t.same(got.map((e) => e.address), [strictUnknown.address]);
});
