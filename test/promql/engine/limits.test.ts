/**
 * Limits: the max-samples budget, timeouts and cancellation that stop evaluation within milliseconds,
 * and the query-frame checks (step, end before start, 11,000 points) with Prometheus's wording.
 */
import t from 'tap';
import { BadDataError, Labels, QueryCanceledError, QueryTimeoutError, TooManySamplesError } from '../../../src/model/index.js';
import { MemoryStorage } from '../../../src/storage/index.js';
import { engine, load, m } from './helpers.js';

const small = load(m, { 'x{k="1"}': [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'x{k="2"}': [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });

/** 200 series × 2000 samples at 15s: big enough that the query below runs for seconds. */
function big(): MemoryStorage {
  const db = new MemoryStorage();
  for (let i = 0; i < 200; i++) {
    const l = Labels.from({ __name__: 'x', i: String(i) });
    for (let j = 0; j < 2000; j++) db.append(l, j * 15_000, j);
  }
  return db;
}
// Run to its end over big(): ~3 s of CPU on the 2-core test machine (14 s of wall time with two busy-loops
// beside it), so a query stopped within a second was stopped, however busy the machine.
const EXPENSIVE = 'sum(quantile_over_time(0.5, rate(x[5m])[2h:15s]))';

t.test('max samples', async (t) => {
  // A 10-step range query of x holds 2 series × 10 points = 20 samples.
  await t.resolves(engine({ maxSamples: 20 }).rangeQuery(small, 'x', 0, 9 * m, m));
  await t.rejects(engine({ maxSamples: 19 }).rangeQuery(small, 'x', 0, 9 * m, m), TooManySamplesError);
  // A range function holds one series' window (10 samples in (-1m, 9m]) plus the outputs so far, as
  // Prometheus does: the second series' window comes on top of the first one's output → 11.
  await t.resolves(engine({ maxSamples: 11 }).instantQuery(small, 'sum_over_time(x[10m])', 9 * m));
  await t.rejects(engine({ maxSamples: 10 }).instantQuery(small, 'sum_over_time(x[10m])', 9 * m), TooManySamplesError);
  // An instant range-vector result holds its samples: 2 series × 10 in (-1m, 9m].
  await t.resolves(engine({ maxSamples: 20 }).instantQuery(small, 'x[10m]', 9 * m));
  await t.rejects(engine({ maxSamples: 19 }).instantQuery(small, 'x[10m]', 9 * m), TooManySamplesError);
  // A subquery with more steps than the budget fails before allocating anything.
  await t.rejects(engine().instantQuery(small, 'max_over_time(x[100y:1ms])', 9 * m), TooManySamplesError);
  const r = await engine().rangeQuery(small, 'x', 0, 9 * m, m);
  t.equal(r.stats.peakSamples, 20);
  t.equal(r.stats.totalQueryableSamples, 20);
});

t.test('a timeout stops an expensive query within ms, not at its end', async (t) => {
  const db = big();
  const started = performance.now();
  await t.rejects(engine().rangeQuery(db, EXPENSIVE, 0, 2000 * 15_000, 15_000, { timeoutMs: 30 }), QueryTimeoutError);
  const took = performance.now() - started;
  // ~35 ms on an idle machine; up to ~90 ms seen on a loaded one (timers and checkpoints come late there).
  t.ok(took < 1000, `stopped after ${took.toFixed(1)} ms`);
  await t.rejects(engine({ timeoutMs: 30 }).rangeQuery(db, EXPENSIVE, 0, 2000 * 15_000, 15_000), { message: 'query timed out in expression evaluation' });
});

t.test('cancellation through AbortSignal', async (t) => {
  const db = big();
  const ac = new AbortController();
  ac.abort();
  await t.rejects(engine().instantQuery(small, 'x', 0, { signal: ac.signal }), QueryCanceledError, 'already aborted');
  const mid = new AbortController();
  setTimeout(() => mid.abort(), 20);
  const started = performance.now();
  await t.rejects(engine().rangeQuery(db, EXPENSIVE, 0, 2000 * 15_000, 15_000, { signal: mid.signal }), QueryCanceledError);
  const took = performance.now() - started;
  t.ok(took < 1000, `stopped after ${took.toFixed(1)} ms`);
  const timeout = AbortSignal.timeout(20);
  await t.rejects(engine().rangeQuery(db, EXPENSIVE, 0, 2000 * 15_000, 15_000, { signal: timeout }), QueryTimeoutError, 'a timeout reason maps to QueryTimeoutError');
});

t.test('query frame checks', async (t) => {
  const e = engine();
  await t.rejects(e.rangeQuery(small, 'x', 0, m, 0), new BadDataError('zero or negative query resolution step widths are not accepted. Try a positive integer'));
  await t.rejects(e.rangeQuery(small, 'x', m, 0, 1000), new BadDataError('end timestamp must not be before start time'));
  // 11,000 intervals (11,001 points) are allowed; one more is not.
  await t.resolves(e.rangeQuery(small, 'x', 0, 11_000 * 1000, 1000));
  await t.rejects(
    e.rangeQuery(small, 'x', 0, 11_001 * 1000, 1000),
    new BadDataError('exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)'),
  );
  await t.rejects(e.rangeQuery(small, 'x[5m]', 0, m, m), new BadDataError('invalid expression type "range vector" for range query, must be Scalar or instant Vector'));
  await t.rejects(e.rangeQuery(small, '"s"', 0, m, m), new BadDataError('invalid expression type "string" for range query, must be Scalar or instant Vector'));
  await t.rejects(e.instantQuery(small, 'sum(', 0), BadDataError, 'parse errors are bad data');
});
