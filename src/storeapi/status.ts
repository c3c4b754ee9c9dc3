/**
 * Errors ⇄ gRPC status, mapped once at the boundary.
 *
 * Server side: the typed model errors a handler throws become a status code a Thanos querier understands
 * (a bad regex is INVALID_ARGUMENT, not INTERNAL). Client side: a failed call becomes a StoreApiCallError
 * (a StorageError) that names the method, the peer and the gRPC code, e.g.
 *   "thanos.Store/Series on 127.0.0.1:10901: DEADLINE_EXCEEDED: Deadline exceeded after 0.101s"
 */
import {
  BadDataError,
  NotSupportedError,
  QueryCanceledError,
  QueryTimeoutError,
  StorageError,
  TooManySamplesError,
} from '../model/index.js';
import { Code, GrpcStatusError, codeName } from './grpc/codes.js';

/** The gRPC status for an error thrown by a handler. */
export function statusFromError(err: unknown): { code: Code; details: string } {
  const details = err instanceof GrpcStatusError ? err.details : err instanceof Error ? err.message : String(err);
  let code: Code = Code.INTERNAL;
  if (err instanceof StoreApiCallError || err instanceof GrpcStatusError) code = err.code; // passing an upstream failure through
  else if (err instanceof BadDataError) code = Code.INVALID_ARGUMENT;
  else if (err instanceof QueryTimeoutError) code = Code.DEADLINE_EXCEEDED;
  else if (err instanceof QueryCanceledError) code = Code.CANCELLED;
  else if (err instanceof NotSupportedError) code = Code.UNIMPLEMENTED;
  else if (err instanceof TooManySamplesError) code = Code.RESOURCE_EXHAUSTED;
  return { code, details };
}

/** A StoreAPI call that failed, with the gRPC code kept for callers that branch on it. */
export class StoreApiCallError extends StorageError {
  override name = 'StoreApiCallError';
  readonly code: Code;
  readonly method: string;
  readonly target: string;

  constructor(method: string, target: string, code: Code, details: string, options?: { cause?: unknown }) {
    super(`${method} on ${target}: ${codeName(code)}: ${details}`, options);
    this.code = code;
    this.method = method;
    this.target = target;
  }

  get isDeadlineExceeded(): boolean {
    return this.code === Code.DEADLINE_EXCEEDED;
  }
}

/** Wraps whatever a call failed with (a GrpcStatusError from the channel, or anything else) into a StoreApiCallError. */
export function callError(method: string, target: string, err: unknown): StoreApiCallError {
  if (err instanceof StoreApiCallError) return err;
  if (err instanceof GrpcStatusError) return new StoreApiCallError(method, target, err.code, err.details, { cause: err });
  return new StoreApiCallError(method, target, Code.UNKNOWN, String((err as Error)?.message ?? err), { cause: err });
}
