import t from 'tap';
import { lastScrape, startStack } from '../api/e2e-fixture.js';

// The calls Grafana's Prometheus data source makes (promql.md §5), in the order a user triggers them: save &
// test, version detection, the metrics browser, a template variable, a panel query, the exemplar probe,
// metadata and rules. Forms are POSTed the way Grafana's Go backend does.

interface Reply {
  status: number;
  type: string | null;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function call(base: string, method: 'GET' | 'POST', path: string, params: [string, string][]): Promise<Reply> {
  const form = new URLSearchParams(params);
  const res =
    method === 'GET'
      ? await fetch(`http://${base}${path}${params.length ? '?' + form : ''}`)
      : await fetch(`http://${base}${path}`, {
          method: 'POST',
          body: form.toString(),
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
}

t.test('a Grafana session against the querier', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const get = (path: string, params: [string, string][] = []) => call(stack.base, 'GET', path, params);
  const post = (path: string, params: [string, string][]) => call(stack.base, 'POST', path, params);

  t.test('save & test: POST 1+1 at time=4', async (t) => {
    const r = await post('/api/v1/query', [['query', '1+1'], ['time', '4']]);
    t.equal(r.status, 200);
    t.match(r.type, /^application\/json/);
    t.same(r.body, { status: 'success', data: { resultType: 'scalar', result: [4, '2'] } });
  });

  t.test('version detection: buildinfo with a semver version and no Mimir features', async (t) => {
    const r = await get('/api/v1/status/buildinfo');
    t.equal(r.status, 200);
    t.match(r.body.data.version, /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/);
    for (const k of ['revision', 'branch', 'buildUser', 'buildDate', 'goVersion']) t.type(r.body.data[k], 'string', k);
    t.notOk(r.body.data.features, 'a features map would make Grafana treat us as Mimir');
  });

  t.test('metrics browser: metric names with limit=40000, label names with match[] (POST, then GET)', async (t) => {
    const names = await get('/api/v1/label/__name__/values', [['start', '0'], ['end', '3600'], ['limit', '40000']]);
    t.same(names.body, { status: 'success', data: ['build_info', 'http_requests_total', 'replica_marker', 'temperature_celsius'] });
    const limited = await get('/api/v1/label/__name__/values', [['start', '0'], ['end', '3600'], ['limit', '2']]);
    t.same(limited.body, { status: 'success', data: ['build_info', 'http_requests_total'], warnings: ['results truncated due to limit'] });

    // Label names ignore replica dedup in Thanos (thanos.md §3.2), so `replica` is listed.
    const want = { status: 'success', data: ['__name__', 'cluster', 'replica', 'room'] };
    const params: [string, string][] = [['match[]', 'temperature_celsius'], ['start', '0'], ['end', '3600']];
    t.same((await post('/api/v1/labels', params)).body, want);
    t.same((await get('/api/v1/labels', params)).body, want);
  });

  t.test('label values: plain, narrowed by match[], and a U__-escaped UTF-8 name', async (t) => {
    const rooms = await get('/api/v1/label/room/values', [['start', '0'], ['end', '3600']]);
    t.same(rooms.body.data, ['kitchen', 'lab']);
    const narrowed = await get('/api/v1/label/room/values', [['match[]', 'temperature_celsius{room!="lab"}'], ['start', '0'], ['end', '3600']]);
    t.same(narrowed.body.data, ['kitchen']);
    // Grafana escapes "http.version" as U__http_2e_version ('.' is U+002E).
    const utf8 = await get('/api/v1/label/U__http_2e_version/values', [['start', '0'], ['end', '3600']]);
    t.same(utf8.body, { status: 'success', data: ['2'] });
    // An escaped legacy name decodes to itself: U__room is room.
    t.same((await get('/api/v1/label/U__room/values')).body.data, ['kitchen', 'lab']);
  });

  t.test('series: SeriesApiClient match[]={__name__!=""}', async (t) => {
    const r = await post('/api/v1/series', [['match[]', '{__name__!=""}'], ['start', '0'], ['end', '3600']]);
    t.equal(r.status, 200);
    t.same(r.body.data, [
      { __name__: 'build_info', cluster: 'c1', 'http.version': '2', version: '1.0' },
      { __name__: 'http_requests_total', cluster: 'c1', code: '200', job: 'api' },
      { __name__: 'http_requests_total', cluster: 'c1', code: '200', job: 'web' },
      { __name__: 'replica_marker', cluster: 'c1' },
      { __name__: 'temperature_celsius', cluster: 'c1', room: 'kitchen' },
      { __name__: 'temperature_celsius', cluster: 'c1', room: 'lab' },
    ]);
  });

  t.test('panel: POST query_range with a float step and a start/end aligned down to it', async (t) => {
    // Dashboard range 1790..1860 s, step 15.5 s: AlignTimeRange gives start 115·15.5 = 1782.5, end 120·15.5 = 1860.
    const step = 15.5;
    const start = Math.floor(1790 / step) * step;
    const end = Math.floor(1860 / step) * step;
    const r = await post('/api/v1/query_range', [
      ['query', 'sum(http_requests_total)'],
      ['start', String(start)],
      ['end', String(end)],
      ['step', String(step)],
      // "custom query parameters" from the data source settings ride along
      ['dedup', 'true'],
      ['partial_response', 'true'],
    ]);
    t.equal(r.status, 200);
    t.equal(r.body.data.resultType, 'matrix');
    const want: [number, string][] = [];
    for (let ts = start; ts <= end; ts += step) want.push([ts, String(3 * lastScrape(ts))]); // api t + web 2t
    t.equal(want.length, 6);
    t.same(r.body.data.result, [{ metric: {}, values: want }]);
  });

  t.test('exemplar probe (milliseconds), metadata, rules: empty successes', async (t) => {
    const ex = await get('/api/v1/query_exemplars', [['query', 'test'], ['start', '1700000000000'], ['end', '1700003600000']]);
    t.same(ex.body, { status: 'success', data: [] });
    const exPost = await post('/api/v1/query_exemplars', [['query', 'test'], ['start', '0'], ['end', '3600']]);
    t.same(exPost.body, { status: 'success', data: [] });
    t.same((await get('/api/v1/metadata')).body, { status: 'success', data: {} });
    t.same((await get('/api/v1/rules')).body, { status: 'success', data: { groups: [] } });
  });

  t.test('instant panel query: POST at a fractional time', async (t) => {
    const r = await post('/api/v1/query', [['query', 'temperature_celsius'], ['time', '1234.567']]);
    t.same(r.body.data, {
      resultType: 'vector',
      result: [
        { metric: { __name__: 'temperature_celsius', cluster: 'c1', room: 'kitchen' }, value: [1234.567, '21.5'] },
        { metric: { __name__: 'temperature_celsius', cluster: 'c1', room: 'lab' }, value: [1234.567, '18'] },
      ],
    });
  });
});
