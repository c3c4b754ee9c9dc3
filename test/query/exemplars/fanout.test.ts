import t from 'tap';
import { Labels } from '../../../src/model/index.js';
import { extractSelectors, parse } from '../../../src/promql/index.js';
import { dedupExemplars, queryForLabelSets } from '../../../src/query/exemplars/index.js';
import type { ExemplarData } from '../../../src/storeapi/index.js';

const sel = (q: string) => extractSelectors(parse(q));
const L = (o: Record<string, string>) => Labels.from(o);

t.test('extractSelectors finds every vector selector, in query order, through functions, aggregations, subqueries and binary ops', async (t) => {
  const q = 'sum by (x) (rate(a{p="1"}[5m])) / on() group_left topk(3, b offset 1m) or max_over_time(c[10m:1m] @ 100) unless -(d)';
  const names = sel(q).map((ms) => ms.find((m) => m.name === '__name__')?.value);
  t.same(names, ['a', 'b', 'c', 'd']);
  t.ok(sel(q)[0].some((m) => m.name === 'p' && m.value === '1'), 'with their other matchers');
  t.same(sel('1 + 2'), [], 'no selectors in a literal expression');
});

t.test('queryForLabelSets: external-label matchers settled per endpoint, unmatched selectors dropped', async (t) => {
  const eu = [L({ cluster: 'eu', replica: 'A' })];
  /** The narrowed query's selectors as sorted matcher strings: what it selects, whatever the order it writes. */
  const selects = (q: string | null): string[][] | null => (q === null ? null : sel(q).map((ms) => ms.map(String).sort()));
  t.same(selects(queryForLabelSets(sel('up'), eu)), [['__name__="up"']]);
  t.same(selects(queryForLabelSets(sel('up{cluster="eu", job="x"}'), eu)), [['__name__="up"', 'job="x"']], 'a matcher the external labels satisfy is left out');
  t.equal(queryForLabelSets(sel('up{cluster="us"}'), eu), null, 'a selector that cannot match there: nothing to ask');
  t.same(selects(queryForLabelSets(sel('up{cluster="us"} or down{cluster=~"e.*"}'), eu)), [['__name__="down"']], 'only the selector that can match');
  t.same(selects(queryForLabelSets(sel('{cluster="eu"}'), eu)), [['__name__=~".+"']], 'every matcher settled: all series there');
  t.same(selects(queryForLabelSets(sel('a + a'), eu)), [['__name__="a"']], 'equal selectors once');
  t.same(selects(queryForLabelSets(sel('up{cluster!="eu"}'), [])), [['__name__="up"', 'cluster!="eu"']], 'no external labels: the selectors as they were');
  t.same(selects(queryForLabelSets(sel('rate(x{cluster="eu",a=~"b|c"}[1m]) and y'), eu)), [['__name__="x"', 'a=~"b|c"'], ['__name__="y"']], 'joined with or');
});

t.test('dedupExemplars: replica labels dropped, equal series merged, exemplars sorted by time and unique', async (t) => {
  const pl = (o: Record<string, string>) => ({ labels: Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, value]) => ({ name, value })) });
  const ex = (trace: string, value: number, ts: number) => ({ labels: pl({ trace_id: trace }), value, ts: String(ts) });
  const data: ExemplarData[] = [
    { seriesLabels: pl({ __name__: 'x', cluster: 'eu', replica: 'A' }), exemplars: [ex('t2', 1, 2000), ex('t1', 1, 1000)] },
    { seriesLabels: pl({ __name__: 'x', cluster: 'eu', replica: 'B' }), exemplars: [ex('t1', 1, 1000), ex('t3', 1, 3000)] },
    { seriesLabels: pl({ __name__: 'w', cluster: 'eu', replica: 'B' }), exemplars: [ex('n', NaN, 5), ex('n', NaN, 5)] },
  ];
  const got = dedupExemplars(data, ['replica']);
  t.same(got.map((s) => s.seriesLabels.toObject()), [{ __name__: 'w', cluster: 'eu' }, { __name__: 'x', cluster: 'eu' }], 'sorted by series labels, replica gone');
  t.same(got[1].exemplars.map((e) => [e.labels.get('trace_id'), e.ts]), [['t1', 1000], ['t2', 2000], ['t3', 3000]], 'both replicas’ exemplars, once each, by time');
  t.equal(got[0].exemplars.length, 1, 'NaN-valued repeats collapse too');
  t.equal(dedupExemplars(data, []).length, 3, 'without replica labels the replicas stay apart');
});
