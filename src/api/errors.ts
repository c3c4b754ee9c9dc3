/**
 * The one place typed errors become Prometheus API errors (`errorType` + HTTP status), as Prometheus's
 * web/api/v1 does: bad_data 400, execution 422, canceled/timeout 503, internal 500. Unknown errors are
 * internal and their stack never reaches the client.
 */
import {
  BadDataError,
  ExecutionError,
  QueryCanceledError,
  QueryTimeoutError,
  StorageError,
} from '../model/index.js';

export type ErrorType = 'bad_data' | 'execution' | 'canceled' | 'timeout' | 'internal' | 'unavailable' | 'not_found';

export interface ApiError {
  status: number;
  errorType: ErrorType;
  message: string;
}

const STATUS: Record<ErrorType, number> = {
  bad_data: 400,
  execution: 422,
  canceled: 503,
  timeout: 503,
  internal: 500,
  unavailable: 503,
  not_found: 404,
};

/** An error raised by the API layer itself with an explicit type (e.g. a bad parameter). */
export class HttpApiError extends Error {
  constructor(
    readonly errorType: ErrorType,
    message: string,
  ) {
    super(message);
  }
}

/** `invalid parameter "time": <why>` as Prometheus words it. */
export function invalidParam(name: string, why: string | Error): HttpApiError {
  return new HttpApiError('bad_data', `invalid parameter ${JSON.stringify(name)}: ${why instanceof Error ? why.message : why}`);
}

export function toApiError(err: unknown): ApiError {
  let errorType: ErrorType;
  if (err instanceof HttpApiError) errorType = err.errorType;
  else if (err instanceof BadDataError) errorType = 'bad_data';
  else if (err instanceof QueryTimeoutError) errorType = 'timeout';
  else if (err instanceof QueryCanceledError) errorType = 'canceled';
  else if (err instanceof StorageError) errorType = 'internal'; // Prometheus maps ErrStorage to internal (5xx)
  else if (err instanceof ExecutionError) errorType = 'execution';
  else errorType = 'internal';
  const message = err instanceof Error ? err.message : String(err);
  return { status: STATUS[errorType], errorType, message };
}
