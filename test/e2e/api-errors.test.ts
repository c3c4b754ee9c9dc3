import t from 'tap';
import { startStack } from '../api/e2e-fixture.js';

// Malformed and failing requests against a real querier: every one gets Prometheus's error envelope
// {"status":"error","errorType":…,"error":…} with the status code of its type (thanos.md §3.3: bad_data 400,
// execution 422, timeout 503), never a 500 or a hang. Messages are Prometheus's (web/api/v1, promql/parser).

interface Raw {
  status: number;
  type: string | null;
  text: string;
}

async function send(base: string, method: string, path: string, params: [string, string][], init: { body?: string; contentType?: string } = {}): Promise<Raw> {
  const qs = params.length > 0 ? '?' + new URLSearchParams(params) : '';
  const headers: Record<string, string> = {};
  if (init.contentType !== undefined) headers['content-type'] = init.contentType;
  const res = await fetch(`http://${base}${path}${qs}`, { method, headers, body: init.body });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

interface Case {
  name: string;
  path?: string;
  params: [string, string][];
  status?: number;
  errorType?: string;
  error: RegExp;
}

const Q = '/api/v1/query';
const QR = '/api/v1/query_range';
const range = (step: string, start = '0', end = '3600'): [string, string][] => [['query', 'http_requests_total'], ['start', start], ['end', end], ['step', step]];

const cases: Case[] = [
  { name: 'bad PromQL: unclosed parenthesis, with its position', params: [['query', 'sum(http_requests_total'], ['time', '1']], error: /^1:24: parse error: unclosed left parenthesis$/ },
  { name: 'bad PromQL: dangling operator', params: [['query', 'up +'], ['time', '1']], error: /^1:5: parse error: unexpected end of input$/ },
  { name: 'bad PromQL: unknown function', params: [['query', 'foo(up)'], ['time', '1']], error: /^1:1: parse error: unknown function with name "foo"$/ },
  { name: 'bad PromQL: type error', params: [['query', 'rate(up)'], ['time', '1']], error: /parse error: expected type range vector in call to function "rate", got instant vector/ },
  { name: 'bad regex in a matcher', params: [['query', 'up{job=~"("}'], ['time', '1']], error: /parse error: .*(missing closing \)|error parsing regexp)/ },
  { name: 'missing query', params: [['time', '1']], error: /no expression found in input/ },
  { name: 'bad time', params: [['query', 'up'], ['time', 'yesterday']], error: /^invalid parameter "time": cannot parse "yesterday" to a valid timestamp$/ },
  { name: 'bad RFC 3339 time', params: [['query', 'up'], ['time', '2024-13-01T00:00:00Z']], error: /^invalid parameter "time": cannot parse/ },
  { name: 'bad timeout', params: [['query', 'up'], ['timeout', 'soon']], error: /^invalid parameter "timeout": cannot parse "soon" to a valid duration$/ },
  { name: 'bad lookback_delta', params: [['query', 'up'], ['lookback_delta', 'x']], error: /^invalid parameter "lookback_delta"/ },
  { name: 'bad dedup', params: [['query', 'up'], ['dedup', 'maybe']], error: /^invalid parameter "dedup": strconv.ParseBool: parsing "maybe": invalid syntax$/ },
  { name: 'bad partial_response', params: [['query', 'up'], ['partial_response', 'sometimes']], error: /^invalid parameter "partial_response": strconv.ParseBool/ },
  { name: 'bad storeMatch[]', params: [['query', 'up'], ['storeMatch[]', '{__address__=']], error: /^invalid parameter "storeMatch\[\]": / },
  { name: 'range: bad start', path: QR, params: range('15', 'then'), error: /^invalid parameter "start": cannot parse "then" to a valid timestamp$/ },
  { name: 'range: missing end', path: QR, params: [['query', 'up'], ['start', '0'], ['step', '15']], error: /^invalid parameter "end": cannot parse "" to a valid timestamp$/ },
  { name: 'range: end before start', path: QR, params: range('15', '100', '50'), error: /^invalid parameter "end": end timestamp must not be before start time$/ },
  { name: 'range: bad step', path: QR, params: range('fast'), error: /^invalid parameter "step": cannot parse "fast" to a valid duration$/ },
  { name: 'range: zero step', path: QR, params: range('0'), error: /zero or negative query resolution step widths are not accepted\. Try a positive integer$/ },
  { name: 'range: negative step', path: QR, params: range('-15'), error: /zero or negative query resolution step widths are not accepted/ },
  { name: 'range: overflowing step', path: QR, params: range('1e300'), error: /^invalid parameter "step": .*overflows int64$/ },
  // 11,001 points at 1 s steps over 0..11001 s.
  { name: 'range: more than 11,000 points', path: QR, params: range('1', '0', '11001'), error: /exceeded maximum resolution of 11,000 points per timeseries\. Try decreasing the query resolution \(\?step=XX\)$/ },
  { name: 'series: no match[]', path: '/api/v1/series', params: [['start', '0']], error: /^no match\[\] parameter provided$/ },
  { name: 'series: match[] is not a selector', path: '/api/v1/series', params: [['match[]', 'sum(up)']], error: /^invalid parameter "match\[\]": "sum\(up\)" is not a series selector$/ },
  { name: 'series: match[] does not parse', path: '/api/v1/series', params: [['match[]', '{job="a"']], error: /^invalid parameter "match\[\]": 1:\d+: parse error/ },
  { name: 'labels: bad start', path: '/api/v1/labels', params: [['start', 'x']], error: /^invalid parameter "start"/ },
  { name: 'label values: bad limit', path: '/api/v1/label/job/values', params: [['limit', '-1']], error: /^invalid parameter "limit"/ },
  { name: 'rules: bad type', path: '/api/v1/rules', params: [['type', 'alerts']], error: /unsupported rule type "alerts"/ },
  { name: 'execution: many-to-many matching', params: [['query', 'http_requests_total / on(cluster) http_requests_total'], ['time', '1800']], status: 422, errorType: 'execution', error: /^found duplicate series for the match group \{cluster="c1"\} on the right hand-side of the operation: .*many-to-many matching not allowed: matching labels must be unique on one side$/ },
  { name: 'execution: many-to-one without group_left', params: [['query', 'http_requests_total * on(cluster) group_left sum by (cluster, job) (http_requests_total)'], ['time', '1800']], status: 422, errorType: 'execution', error: /found duplicate series for the match group|multiple matches for labels/ },
];

t.test('malformed requests: 400 bad_data (GET and POST form alike), failures: their own type', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  for (const c of cases) {
    const path = c.path ?? Q;
    for (const method of path === '/api/v1/label/job/values' || path === '/api/v1/rules' ? ['GET'] : ['GET', 'POST']) {
      const r =
        method === 'GET'
          ? await send(stack.base, 'GET', path, c.params)
          : await send(stack.base, 'POST', path, [], { body: new URLSearchParams(c.params).toString(), contentType: 'application/x-www-form-urlencoded' });
      const body = JSON.parse(r.text) as { status: string; errorType: string; error: string };
      t.equal(r.status, c.status ?? 400, `${c.name} (${method}): status`);
      t.match(r.type, /^application\/json/, `${c.name}: JSON`);
      t.equal(body.status, 'error', `${c.name}: envelope`);
      t.equal(body.errorType, c.errorType ?? 'bad_data', `${c.name}: errorType`);
      t.match(body.error, c.error, `${c.name}: message`);
    }
  }
});

t.test("tolerated: unknown parameters, repeated ones, 11,000 points by Go's integer division", async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const extra = await send(stack.base, 'GET', Q, [['query', '1'], ['time', '1'], ['refId', 'A'], ['utcOffsetSec', '3600'], ['nocache', '1']]);
  t.equal(extra.status, 200);
  t.same(JSON.parse(extra.text), { status: 'success', data: { resultType: 'scalar', result: [1, '1'] } });
  // Go's FormValue takes the first of a repeated parameter.
  const repeated = await send(stack.base, 'GET', Q, [['query', '2'], ['query', 'garbage('], ['time', '1']]);
  t.same(JSON.parse(repeated.text).data.result, [1, '2']);
  // Prometheus divides durations as integers: (11000.5 s - 0) / 1 s = 11,000, allowed (11,001 points: 0..11000).
  const edge = await send(stack.base, 'GET', QR, [['query', 'vector(1)'], ['start', '0'], ['end', '11000.5'], ['step', '1']]);
  t.equal(edge.status, 200);
  t.equal(JSON.parse(edge.text).data.result[0].values.length, 11001);
});

t.test('content types: forms parse, an empty body of any type is ignored, other bodies get a clear 415', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const form = await send(stack.base, 'POST', Q, [], { body: 'query=1%2B1&time=4', contentType: 'application/x-www-form-urlencoded; charset=UTF-8' });
  t.same(JSON.parse(form.text), { status: 'success', data: { resultType: 'scalar', result: [4, '2'] } }, 'form with charset');

  // Parameters in the URL of a POST with an empty body: Go's r.Form reads them whatever the content type says.
  for (const contentType of [undefined, 'application/json', 'text/plain']) {
    const r = await send(stack.base, 'POST', Q, [['query', '1'], ['time', '1']], { contentType, body: contentType === undefined ? undefined : '' });
    t.equal(r.status, 200, `empty body, content-type ${contentType}`);
  }

  for (const [contentType, body] of [
    ['application/json', '{"query":"1"}'],
    ['text/plain', 'query=1'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n1\r\n--x--\r\n'],
    ['application/octet-stream', 'query=1'],
    ['not a media type', 'query=1'],
  ]) {
    const r = await send(stack.base, 'POST', Q, [], { body, contentType });
    t.equal(r.status, 415, `${contentType}: 415`);
    const env = JSON.parse(r.text);
    t.equal(env.status, 'error');
    t.equal(env.errorType, 'bad_data');
    t.match(env.error, /^unsupported Content-Type ".*": send parameters in the URL or as an application\/x-www-form-urlencoded body$/, contentType);
  }

  const notFound = await send(stack.base, 'GET', '/api/v1/nope', []);
  t.equal(notFound.status, 404);
  t.same(JSON.parse(notFound.text), { status: 'error', errorType: 'not_found', error: 'no route for GET /api/v1/nope' });
});

t.test('a query past its timeout: 503 timeout, and the querier still answers afterwards', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  // A 1 h subquery at 1 s resolution over every series: thousands of steps, far beyond 1 ms.
  const heavy = 'sum(rate(http_requests_total[1h:1s])) + sum(max_over_time(temperature_celsius[1h:1s]))';
  const r = await send(stack.base, 'GET', Q, [['query', heavy], ['time', '3600'], ['timeout', '1ms']]);
  t.equal(r.status, 503);
  const env = JSON.parse(r.text);
  t.equal(env.errorType, 'timeout');
  t.match(env.error, /timed out/);
  const after = await send(stack.base, 'GET', Q, [['query', heavy], ['time', '3600']]);
  t.equal(after.status, 200, 'without the timeout the same query succeeds');
});
