// Empty time parameters, side by side with a real Prometheus (Debian 2.42): `time=` of an instant query and
// `start=`/`end=` of series, labels, label values and exemplars count as not given (Prometheus's
// parseTimeParam); a range query's empty `start` is an error. Our querier must answer each with the same
// status and, for errors, the same message.
import t from 'tap';
import { startStack } from '../api/e2e-fixture.js';
import { needBinary } from '../helpers/peers.js';
import { removeDir, startPrometheus } from '../helpers/prometheus.js';

const prometheus = needBinary(t, 'prometheus');

const PATHS = [
  '/api/v1/query?query=1&time=',
  '/api/v1/series?match[]=up&start=&end=',
  '/api/v1/labels?start=&end=',
  '/api/v1/label/job/values?start=&end=',
  '/api/v1/query_exemplars?query=up&start=&end=',
  '/api/v1/query_range?query=1&start=&end=10&step=1',
  '/api/v1/series?match[]=up&start=10&end=',
  '/api/v1/labels?start=&end=1',
];

if (prometheus) {
  t.test('empty time parameters: the status and error Prometheus gives', async (t) => {
    const prom = await startPrometheus({ binary: prometheus, config: 'global: {}\n' });
    t.teardown(async () => {
      await prom.stop();
      removeDir(prom.dir);
    });
    const stack = await startStack();
    t.teardown(() => stack.stop());
    for (const path of PATHS) {
      const want = await fetch(prom.url + path);
      const got = await fetch(`http://${stack.base}${path}`);
      const wantBody = (await want.json()) as { status: string; error?: string };
      const gotBody = (await got.json()) as { status: string; error?: string };
      t.equal(got.status, want.status, `${path}: HTTP ${want.status}`);
      t.equal(gotBody.status, wantBody.status, `${path}: ${wantBody.status}`);
      if (wantBody.error !== undefined) t.equal(gotBody.error, wantBody.error, `${path}: the same error`);
    }
  });
}
