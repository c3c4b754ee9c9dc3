/**
 * Typed errors raised where they arise (parser, engine, storage) and mapped once, at the HTTP or gRPC
 * boundary, to Prometheus's `errorType` and status code. Wrap causes with what was being attempted:
 * `new StorageError('read postings offset table', { cause })`.
 */

/** Input the user can fix: malformed PromQL, parameters, matchers. HTTP 400 `bad_data`. */
export class BadDataError extends Error {
  override name = 'BadDataError';
  /** Byte offsets into the query text, when the error is about a part of it. */
  readonly position?: { start: number; end: number };
  constructor(message: string, options?: { cause?: unknown; position?: { start: number; end: number } }) {
    super(message, options);
    this.position = options?.position;
  }
}

/** The query ran and failed (e.g. many-to-one matching violated). HTTP 422 `execution`. */
export class ExecutionError extends Error {
  override name = 'ExecutionError';
}

/** The query exceeded `--query.max-samples`. HTTP 422 `execution`, as in Prometheus. */
export class TooManySamplesError extends ExecutionError {
  override name = 'TooManySamplesError';
  constructor(limit?: number) {
    super('query processing would load too many samples into memory in query execution' + (limit ? ` (limit ${limit})` : ''));
  }
}

/** The query ran past its timeout. HTTP 503 `timeout`. */
export class QueryTimeoutError extends Error {
  override name = 'QueryTimeoutError';
  constructor(what = 'query') {
    super(`query timed out in ${what}`);
  }
}

/** The caller went away or cancelled. HTTP 503 `canceled`. */
export class QueryCanceledError extends Error {
  override name = 'QueryCanceledError';
  constructor(what = 'query') {
    super(`query was canceled in ${what}`);
  }
}

/** Data could not be read (store down, corrupt frame or block). HTTP 500/422 depending on context. */
export class StorageError extends Error {
  override name = 'StorageError';
}

/** A feature we do not implement yet, stated plainly rather than answered wrongly. HTTP 422 `execution`. */
export class NotSupportedError extends ExecutionError {
  override name = 'NotSupportedError';
}

/** Throws the right error when `signal` has been aborted: a timeout reason maps to QueryTimeoutError. */
export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (!signal?.aborted) return;
  const reason: unknown = signal.reason;
  if (reason instanceof QueryTimeoutError || reason instanceof QueryCanceledError) throw reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') throw new QueryTimeoutError(what);
  throw new QueryCanceledError(what);
}

/** Exhaustiveness check for `switch` over discriminated unions. */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}
