/**
 * Retrying transient object-storage failures with exponential backoff and jitter, within a deadline.
 *
 * Transient: HTTP 408, 429 and 5xx, connection resets and refusals, an attempt that timed out, a body shorter
 * than announced or asked for (TruncatedBodyError), a checksum mismatch. Not transient: 404 and every other
 * 4xx, bad ranges, and the caller's own cancellation (mapped by throwIfAborted to QueryCanceledError /
 * QueryTimeoutError). When the deadline would pass before the next attempt, the last error is wrapped in a
 * StorageError that says how many attempts were made.
 */
import { sleep, StorageError, throwIfAborted } from '../model/index.js';

export interface RetryPolicy {
  /** Whole operation, all attempts and waits included. */
  deadlineMs: number;
  /** One attempt; a stalled connection is abandoned after this and retried. */
  attemptTimeoutMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  multiplier: number;
  /** Attempts in all (first one included); Infinity = bounded by the deadline only. */
  maxAttempts: number;
}

/**
 * GCS's guidance is truncated exponential backoff from ~1 s doubling to 32 s; a store gateway answers queries,
 * so we start lower (250 ms) and cap at 8 s, and give an operation 2 minutes in all — long enough to ride out
 * a short GCS incident, short enough that a query never waits on a dead bucket for longer than its own
 * timeout would allow anyway. 60 s per attempt is the storage client's own per-request default.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  deadlineMs: 120_000,
  attemptTimeoutMs: 60_000,
  initialBackoffMs: 250,
  maxBackoffMs: 8_000,
  multiplier: 2,
  maxAttempts: Infinity,
};

/** Fewer body bytes arrived than the response announced or the range asked for. Transient. */
export class TruncatedBodyError extends Error {
  override name = 'TruncatedBodyError';
  constructor(what: string, got: number, want: number) {
    super(`${what}: body truncated: got ${got} of ${want} bytes`);
  }
}

/** The bytes that arrived do not match the checksum the server announced. Transient (corrupted in flight). */
export class ChecksumMismatchError extends Error {
  override name = 'ChecksumMismatchError';
}

/** One attempt ran past `attemptTimeoutMs`. Transient. */
export class AttemptTimeoutError extends Error {
  override name = 'AttemptTimeoutError';
  constructor(what: string, ms: number) {
    super(`${what}: attempt timed out after ${ms} ms`);
  }
}

/** An HTTP answer we got ourselves (media downloads); `status` decides whether it is retried. */
export class HttpStatusError extends Error {
  override name = 'HttpStatusError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'FILE_NO_UPLOAD', // @google-cloud/storage: uploaded bytes failed the CRC check (it deleted the object)
]);

export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Whether another attempt may succeed. Looks through `cause` chains (undici wraps socket errors twice). */
export function isTransient(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof TruncatedBodyError || e instanceof ChecksumMismatchError || e instanceof AttemptTimeoutError) return true;
    if (e instanceof HttpStatusError) return isTransientStatus(e.status);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number' && code >= 100 && code < 600) return isTransientStatus(code); // ApiError
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    const type = (e as { type?: unknown }).type; // node-fetch FetchError (the client's transport)
    if (type === 'request-timeout' || type === 'body-timeout') return true;
  }
  return false;
}

export interface RetryClock {
  now(): number;
  random(): number;
}

const realClock: RetryClock = { now: () => Date.now(), random: () => Math.random() };

/**
 * Runs `attempt` until it succeeds, fails permanently, or the deadline is near. Each attempt gets a signal that
 * aborts on the caller's signal or after the attempt timeout (clipped to the time left).
 */
export async function withRetries<T>(
  what: string,
  policy: RetryPolicy,
  attempt: (signal: AbortSignal) => Promise<T>,
  signal?: AbortSignal,
  clock: RetryClock = realClock,
): Promise<T> {
  const start = clock.now();
  const deadline = start + policy.deadlineMs;
  let backoff = policy.initialBackoffMs;
  // The last failure that was the store's own answer: when the final attempt only ran out of the little time
  // the deadline left it, that answer is what the caller needs to hear, not our clipped timeout.
  let lastAnswer: unknown;
  for (let n = 1; ; n++) {
    throwIfAborted(signal, what);
    const timeoutMs = Math.max(1, Math.min(policy.attemptTimeoutMs, deadline - clock.now()));
    // Our own timer rather than AbortSignal.timeout: it is cleared as soon as the attempt ends (a busy store
    // makes thousands of reads a second; unfired 60 s timers would pile up) and it keeps the process alive.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new AttemptTimeoutError(what, timeoutMs)), timeoutMs);
    const attemptSignal = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
    let err: unknown;
    try {
      return await attempt(attemptSignal);
    } catch (e) {
      throwIfAborted(signal, what);
      err = timeout.signal.aborted ? (timeout.signal.reason as AttemptTimeoutError) : e;
    } finally {
      clearTimeout(timer);
    }
    if (!isTransient(err)) throw err;
    const clipped = err instanceof AttemptTimeoutError && timeoutMs < policy.attemptTimeoutMs;
    if (!clipped) lastAnswer = err;
    // "Equal jitter": half the backoff fixed, half random, so retries spread out but never collapse to 0.
    const wait = backoff / 2 + (clock.random() * backoff) / 2;
    let now = clock.now();
    if (n >= policy.maxAttempts || now + wait >= deadline) throw gaveUp(what, policy, n, now - start, lastAnswer ?? err);
    await sleep(wait, signal);
    // A timer that fired late (a busy machine) must not start an attempt past the deadline.
    throwIfAborted(signal, what);
    now = clock.now();
    if (now >= deadline) throw gaveUp(what, policy, n, now - start, lastAnswer ?? err);
    backoff = Math.min(policy.maxBackoffMs, backoff * policy.multiplier);
  }
}

function gaveUp(what: string, policy: RetryPolicy, n: number, elapsed: number, err: unknown): StorageError {
  const why = n >= policy.maxAttempts ? `${n} attempts` : `${n} attempts in ${elapsed} ms (deadline ${policy.deadlineMs} ms)`;
  return new StorageError(`${what}: gave up after ${why}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

/** Rejects with the signal's reason when it aborts first; for calls that take no signal (the storage client). */
export function raceSignal<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}
