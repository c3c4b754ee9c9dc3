import t from 'tap';
import { Labels } from '../../src/model/index.js';
import { MemoryStorage } from '../../src/storage/index.js';
import { api, memoryStore, querier } from '../helpers/querier.js';

// Two HA replicas scrape the same counter every 15 s from t=0 to 60 min. Replica A misses minutes 10-20,
// replica B misses minutes 40-50; B scrapes 3 s after A. The counter grows by 1 per second (value = t/1000 s).
const STEP = 15_000;
const END = 60 * 60_000;
function replica(offsetMs: number, gapFrom: number, gapTo: number): MemoryStorage {
  const db = new MemoryStorage();
  for (const job of ['api', 'web']) {
    const ls = Labels.from({ __name__: 'requests_total', job });
    for (let t = offsetMs; t <= END; t += STEP) if (t < gapFrom || t >= gapTo) db.append(ls, t, t / 1000);
  }
  return db;
}

t.test('two replicas with gaps in different places deduplicate into one gapless series', async (t) => {
  const a = await memoryStore(replica(0, 10 * 60_000, 20 * 60_000), { cluster: 'c1', replica: 'A' });
  const b = await memoryStore(replica(3000, 40 * 60_000, 50 * 60_000), { cluster: 'c1', replica: 'B' });
  const q = await querier({ endpoints: [a.address, b.address], replicaLabels: ['replica'] });
  t.teardown(async () => {
    await q.stop();
    await a.stop();
    await b.stop();
  });

  const deduped = await api(q.httpAddress, '/api/v1/query_range', { query: 'requests_total', start: '0', end: '3600', step: '60' });
  t.equal(deduped.status, 200);
  t.equal(deduped.body.status, 'success');
  const series = deduped.body.data.result as { metric: Record<string, string>; values: [number, string][] }[];
  t.same(series.map((s) => s.metric), [
    { __name__: 'requests_total', cluster: 'c1', job: 'api' },
    { __name__: 'requests_total', cluster: 'c1', job: 'web' },
  ], 'replica label gone, one series per job');
  // Every minute has a point: neither gap shows. The value is the time (s) of the newest deduplicated sample
  // at or before the step, so it must be a real sample of A (a multiple of 15) or B (3 past one), and never
  // older than the penalty allows: the iterator switches replicas only after a gap of over 2 scrape
  // intervals, so the newest sample is at most 30 s old.
  for (const s of series) {
    t.equal(s.values.length, 61, `${s.metric.job}: no gaps`);
    const bad = s.values.filter(([ts, v]) => {
      const n = Number(v);
      return !(ts - n >= 0 && ts - n <= 30 && (n % 15 === 0 || n % 15 === 3));
    });
    t.same(bad, [], `${s.metric.job}: every step within 30 s of a real sample`);
  }
  // Which replica answered is visible in the values: A before its gap, B from A's gap on (the penalty keeps
  // to B after the switch, even when A is back), and A again across B's gap.
  const api0 = series[0].values;
  const at = (sec: number): number => Number(api0.find(([ts]) => ts === sec)![1]);
  t.equal(at(300), 300, 'A at 5 min');
  t.equal(at(900), 888, 'B in A\'s gap (14:48)');
  t.equal(at(1800), 1788, 'still B at 30 min (sticky)');
  t.equal(at(2700), 2700, 'A in B\'s gap (A scrapes on the quarter minute)');

  const raw = await api(q.httpAddress, '/api/v1/query_range', { query: 'requests_total', start: '0', end: '3600', step: '60', dedup: 'false' });
  t.equal(raw.body.data.result.length, 4, 'without dedup both replicas show');

  const rate = await api(q.httpAddress, '/api/v1/query', { query: 'sum(rate(requests_total[5m]))', time: '1800' });
  t.equal(rate.body.status, 'success');
  // Each job's counter rises 1/s; rate over a window within one replica's data is exactly 1 per job.
  t.ok(Math.abs(Number(rate.body.data.result[0].value[1]) - 2) < 1e-9, `sum(rate) = ${rate.body.data.result[0].value[1]}`);
});

t.test('a store that dies becomes a warning under partial response and an error without it', async (t) => {
  const a = await memoryStore(replica(0, 0, 0), { cluster: 'c1', replica: 'A' });
  const b = await memoryStore(replica(3000, 0, 0), { cluster: 'c2', replica: 'B' });
  const q = await querier({ endpoints: [a.address, b.address], replicaLabels: ['replica'] });
  t.teardown(async () => {
    await q.stop();
    await a.stop();
  });
  await b.stop(0);
  const partial = await api(q.httpAddress, '/api/v1/query', { query: 'requests_total', time: '600' });
  t.equal(partial.status, 200);
  t.equal(partial.body.data.result.length, 2, 'the live store still answers');
  t.match(partial.body.warnings?.join('\n') ?? '', /store 127\.0\.0\.1:\d+/);

  const strict = await api(q.httpAddress, '/api/v1/query', { query: 'requests_total', time: '600', partial_response: 'false' });
  t.equal(strict.body.status, 'error');
  t.ok(strict.status >= 500, `status ${strict.status}`);
});
