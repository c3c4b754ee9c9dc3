import t from 'tap';
import { StorageError, QueryCanceledError } from '../../src/model/index.js';
import { ObjectNotFoundError, TruncatedBodyError, isTransient } from '../../src/objstore/index.js';
import { HttpStatusError, withRetries, type RetryPolicy } from '../../src/objstore/retry.js';

t.test('isTransient: what another attempt may fix', async (t) => {
  const withCode = (code: unknown): Error => Object.assign(new Error('x'), { code });
  const cases: [string, unknown, boolean][] = [
    ['ApiError 503', withCode(503), true],
    ['ApiError 500', withCode(500), true],
    ['ApiError 429', withCode(429), true],
    ['ApiError 408', withCode(408), true],
    ['ApiError 404', withCode(404), false],
    ['ApiError 403', withCode(403), false],
    ['ApiError 412', withCode(412), false],
    ['HTTP 502 (our download)', new HttpStatusError(502, 'x'), true],
    ['HTTP 400 (our download)', new HttpStatusError(400, 'x'), false],
    ['ECONNRESET', withCode('ECONNRESET'), true],
    ['ECONNREFUSED', withCode('ECONNREFUSED'), true],
    ['ENOENT', withCode('ENOENT'), false],
    ['undici "terminated" wrapping a socket error', new TypeError('terminated', { cause: withCode('UND_ERR_SOCKET') }), true],
    ['undici "fetch failed" wrapping ECONNRESET', new TypeError('fetch failed', { cause: withCode('ECONNRESET') }), true],
    ['node-fetch body timeout', Object.assign(new Error('x'), { type: 'body-timeout' }), true],
    ['truncated body', new TruncatedBodyError('get x', 1, 2), true],
    ['missing object', new ObjectNotFoundError('x'), false],
    ['bad range', new RangeError('x'), false],
    ['a plain bug', new TypeError('undefined is not a function'), false],
    ['not an error', 'boom', false],
  ];
  for (const [name, err, want] of cases) t.equal(isTransient(err), want, name);
});

const policy = (p: Partial<RetryPolicy>): RetryPolicy => ({
  deadlineMs: 10_000,
  attemptTimeoutMs: 1_000,
  initialBackoffMs: 10,
  maxBackoffMs: 40,
  multiplier: 2,
  maxAttempts: Infinity,
  ...p,
});

t.test('backoff doubles up to the cap, with equal jitter', async (t) => {
  // random() = 1 → waits of exactly the backoff: 10, 20, 40, 40, 40, 40, 40 ms between eight attempts.
  const starts: number[] = [];
  let n = 0;
  const v = await withRetries(
    'op',
    policy({}),
    async () => {
      starts.push(performance.now());
      if (++n < 8) throw new HttpStatusError(503, 'busy');
      return 'done';
    },
    undefined,
    { now: () => Date.now(), random: () => 1 },
  );
  t.equal(v, 'done');
  const gaps = starts.slice(1).map((s, i) => s - starts[i]!);
  // Timers never fire early, so the lower bounds are exact. Timers do fire late on a loaded machine (tens of
  // ms), so the cap is checked over the last four gaps together: capped 4 × 40 = 160 ms, uncapped doubling
  // 80 + 160 + 320 + 640 = 1 200 ms.
  [10, 20, 40, 40, 40, 40, 40].forEach((want, i) => t.ok(gaps[i]! >= want - 1, `gap ${i}: ${gaps[i]!.toFixed(1)} ms ≥ ${want}`));
  const capped = gaps.slice(3).reduce((a, b) => a + b, 0);
  t.ok(capped < 600, `gaps 3-6 capped: ${capped.toFixed(1)} ms in all, 160 expected, 1 200 without the cap`);
});

t.test('random() = 0 still waits half the backoff', async (t) => {
  let n = 0;
  const start = performance.now();
  await withRetries('op', policy({ initialBackoffMs: 40 }), async () => {
    if (++n < 2) throw new HttpStatusError(503, 'busy');
  }, undefined, { now: () => Date.now(), random: () => 0 });
  t.ok(performance.now() - start >= 19, 'waited ≥ 20 ms');
});

t.test('a permanent error is thrown as is, after one attempt', async (t) => {
  let n = 0;
  const err = new ObjectNotFoundError('x');
  await t.rejects(
    withRetries('op', policy({}), async () => {
      n++;
      throw err;
    }),
    err,
  );
  t.equal(n, 1);
});

t.test('the deadline: no attempt starts after it, and the error carries the cause', async (t) => {
  let n = 0;
  const cause = new HttpStatusError(500, 'HTTP 500: oops');
  const start = Date.now();
  // random() = 1 → waits of exactly 10, 20, 40 ms: attempts at 0, 10, 30 and 70 ms; a fifth would start at
  // 110 ms, past the 100 ms deadline, so there is none (late timers can only make it fewer).
  const e = await withRetries('gcs://b: get "x"', policy({ deadlineMs: 100 }), async () => {
    n++;
    throw cause;
  }, undefined, { now: () => Date.now(), random: () => 1 }).catch((e: unknown) => e);
  t.type(e, StorageError);
  t.equal((e as Error).cause, cause);
  t.match((e as Error).message, /^gcs:\/\/b: get "x": gave up after \d+ attempts in \d+ ms \(deadline 100 ms\): HTTP 500: oops$/);
  t.ok(n >= 2 && n <= 4, `${n} attempts: retried, and none whose wait would end past the deadline`);
  // Gave up at the last attempt (~70 ms), not after another wait; wide for late timers on a loaded machine.
  t.ok(Date.now() - start < 500, `gave up after ${Date.now() - start} ms`);
});

t.test('an attempt that hangs is cut at the attempt timeout and retried', async (t) => {
  let n = 0;
  const v = await withRetries('op', policy({ attemptTimeoutMs: 50 }), (signal) => {
    n++;
    if (n === 1) return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
    return Promise.resolve(n);
  });
  t.equal(v, 2);
});

t.test('cancellation by the caller is QueryCanceledError, also while waiting to retry', async (t) => {
  const ac = new AbortController();
  let n = 0;
  setTimeout(() => ac.abort(), 30);
  await t.rejects(
    withRetries('op', policy({ initialBackoffMs: 10_000, maxBackoffMs: 10_000 }), async () => {
      n++;
      throw new HttpStatusError(503, 'busy');
    }, ac.signal),
    QueryCanceledError,
  );
  t.equal(n, 1);
});

t.test('a backoff timer that fires after the deadline starts no further attempt', async (t) => {
  // The clock jumps past the deadline while the loop sleeps, as it does when a busy machine runs the timer late.
  let fake = 0;
  let attempts = 0;
  const err = await withRetries(
    'op',
    policy({ deadlineMs: 100, initialBackoffMs: 10 }),
    async () => {
      attempts++;
      fake = 90; // the next check sees 90 + a 5 ms wait: inside the deadline, so the loop sleeps
      setTimeout(() => (fake = 150), 0);
      throw new HttpStatusError(503, 'busy');
    },
    undefined,
    { now: () => fake, random: () => 0 },
  ).catch((e: unknown) => e);
  t.equal(attempts, 1, 'no attempt after the deadline');
  t.type(err, StorageError);
  t.match((err as Error).message, /^op: gave up after 1 attempts in 150 ms \(deadline 100 ms\): busy$/);
});

t.test('a last attempt cut short by the deadline reports the store\'s last answer', async (t) => {
  let attempts = 0;
  const first = new HttpStatusError(503, 'busy');
  const err = await withRetries(
    'op',
    policy({ deadlineMs: 150, attemptTimeoutMs: 10_000, initialBackoffMs: 10 }),
    (signal) => {
      if (++attempts === 1) return Promise.reject(first);
      // Hangs until its timeout, which the deadline cut to ~140 ms.
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
    },
  ).catch((e: unknown) => e);
  t.equal(attempts, 2);
  t.type(err, StorageError);
  t.match((err as Error).message, /^op: gave up after 2 attempts in \d+ ms \(deadline 150 ms\): busy$/, 'names the 503, not the clipped timeout');
  t.equal((err as Error).cause, first);
});
