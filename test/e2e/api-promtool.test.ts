import { execFile } from 'node:child_process';
import t from 'tap';
import { needBinary } from '../helpers/peers.js';
import { lastScrape, startStack } from '../api/e2e-fixture.js';

// promtool (Debian 2.42, client_golang's API client) as a real client of our querier: it parses our JSON with
// Prometheus's own decoder and prints what it understood. Expected outputs come from the fixture's formulas.

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(bin: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

t.test('promtool query instant|range|series|labels against the querier', async (t) => {
  const promtool = needBinary(t, 'promtool');
  if (!promtool) return;
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const server = `http://${stack.base}`;
  const q = (...args: string[]) => run(promtool, ['query', ...args]);

  t.test('instant: deduplicated vector, replica label gone', async (t) => {
    const r = await q('instant', server, 'http_requests_total', '--time=1800');
    t.equal(r.code, 0, r.stderr);
    t.equal(
      r.stdout,
      'http_requests_total{cluster="c1", code="200", job="api"} => 1800 @[1800]\n' +
        'http_requests_total{cluster="c1", code="200", job="web"} => 3600 @[1800]\n',
    );
  });

  t.test('instant at a fractional time: the millisecond timestamp round-trips', async (t) => {
    const r = await q('instant', server, 'http_requests_total{job="web"}', '--time=1807.25');
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout, `http_requests_total{cluster="c1", code="200", job="web"} => ${2 * lastScrape(1807.25)} @[1807.25]\n`);
  });

  t.test('instant: a scalar', async (t) => {
    const r = await q('instant', server, 'scalar(sum(temperature_celsius))', '--time=600');
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout, 'scalar: 39.5 @[600]\n', '21.5 + 18');
  });

  t.test('range: a matrix at 30 s steps', async (t) => {
    const r = await q('range', server, 'http_requests_total{job="web"}', '--start=1740', '--end=1800', '--step=30s');
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout, 'http_requests_total{cluster="c1", code="200", job="web"} =>\n3480 @[1740]\n3540 @[1770]\n3600 @[1800]\n');
  });

  t.test('range: off-grid steps take the newest sample within the lookback', async (t) => {
    const r = await q('range', server, 'sum(temperature_celsius) + 0 * sum(http_requests_total)', '--start=100', '--end=110', '--step=7s');
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout, '{} =>\n39.5 @[100]\n39.5 @[107]\n');
  });

  t.test('series', async (t) => {
    // (Not build_info: promtool 2.42 predates UTF-8 label names and rejects "http.version" when decoding.)
    const r = await q('series', server, '--match=temperature_celsius', '--match=replica_marker', '--start=0', '--end=3600');
    t.equal(r.code, 0, r.stderr);
    t.equal(
      r.stdout,
      '{__name__="replica_marker", cluster="c1"}\n' +
        '{__name__="temperature_celsius", cluster="c1", room="kitchen"}\n' +
        '{__name__="temperature_celsius", cluster="c1", room="lab"}\n',
    );
  });

  t.test('labels: values of a label, of __name__, and narrowed by --match', async (t) => {
    const room = await q('labels', server, 'room', '--start=0', '--end=3600');
    t.equal(room.code, 0, room.stderr);
    t.equal(room.stdout, 'kitchen\nlab\n');
    const names = await q('labels', server, '__name__', '--start=0', '--end=3600');
    t.equal(names.stdout, 'build_info\nhttp_requests_total\nreplica_marker\ntemperature_celsius\n');
    const jobs = await q('labels', server, 'job', '--start=0', '--end=3600', '--match=http_requests_total{job!="api"}');
    t.equal(jobs.stdout, 'web\n');
    // Outside the data's time range there is nothing (promtool's default range is around now; ours is 1970).
    const none = await q('labels', server, 'room');
    t.equal(none.code, 0);
    t.equal(none.stdout, '');
  });

  t.test('errors reach promtool as Prometheus API errors', async (t) => {
    const bad = await q('instant', server, 'sum(http_requests_total', '--time=1800');
    t.equal(bad.code, 1);
    t.match(bad.stderr, /query error: bad_data: 1:24: parse error: unclosed left parenthesis/);
    const exec = await q('instant', server, 'http_requests_total / on(cluster) http_requests_total', '--time=1800');
    t.equal(exec.code, 1);
    t.match(exec.stderr, /query error: execution: found duplicate series for the match group \{cluster="c1"\}/);
  });

  t.test('json output: Prometheus JSON round-trips through client_golang', async (t) => {
    const r = await q('instant', '-o', 'json', server, '1+1', '--time=4');
    t.equal(r.code, 0, r.stderr);
    t.same(JSON.parse(r.stdout), [4, '2']);
  });
});
