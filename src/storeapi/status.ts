/**
 * Errors ⇄ gRPC status, mapped once at the boundary.
 *
 * Server side: the typed model errors a handler throws become a status code a Thanos querier understands
 * (a bad regex is INVALID_ARGUMENT, not INTERNAL). Client side: a failed call becomes a StoreApiCallError
 * (a StorageError) that names the method, the peer and the gRPC code, e.g.
 *   "thanos.Store/Series on 127.0.0.1:10901: DEADLINE_EXCEEDED: Deadline exceeded after 0.101s"
 */
import * as grpc from '@grpc/grpc-js';
import {
  BadDataError,
  NotSupportedError,
  QueryCanceledError,
  QueryTimeoutError,
  StorageError,
  TooManySamplesError,
} from '../model/index.js';

/** The gRPC status for an error thrown by a handler. */
export function statusFromError(err: unknown): grpc.StatusObject {
  const details = err instanceof Error ? err.message : String(err);
  let code = grpc.status.INTERNAL;
  if (err instanceof StoreApiCallError) code = err.code; // passing an upstream failure through
  else if (err instanceof BadDataError) code = grpc.status.INVALID_ARGUMENT;
  else if (err instanceof QueryTimeoutError) code = grpc.status.DEADLINE_EXCEEDED;
  else if (err instanceof QueryCanceledError) code = grpc.status.CANCELLED;
  else if (err instanceof NotSupportedError) code = grpc.status.UNIMPLEMENTED;
  else if (err instanceof TooManySamplesError) code = grpc.status.RESOURCE_EXHAUSTED;
  return { code, details, metadata: new grpc.Metadata() };
}

/** A StoreAPI call that failed, with the gRPC code kept for callers that branch on it. */
export class StoreApiCallError extends StorageError {
  override name = 'StoreApiCallError';
  readonly code: grpc.status;
  readonly method: string;
  readonly target: string;

  constructor(method: string, target: string, code: grpc.status, details: string, options?: { cause?: unknown }) {
    super(`${method} on ${target}: ${grpc.status[code] ?? code}: ${details}`, options);
    this.code = code;
    this.method = method;
    this.target = target;
  }

  get isDeadlineExceeded(): boolean {
    return this.code === grpc.status.DEADLINE_EXCEEDED;
  }
}

/** Wraps whatever a grpc-js call rejected or emitted with into a StoreApiCallError. */
export function callError(method: string, target: string, err: unknown): StoreApiCallError {
  if (err instanceof StoreApiCallError) return err;
  const e = err as Partial<grpc.ServiceError> | undefined;
  const code = typeof e?.code === 'number' ? e.code : grpc.status.UNKNOWN;
  const details = typeof e?.details === 'string' && e.details !== '' ? e.details : String((err as Error)?.message ?? err);
  return new StoreApiCallError(method, target, code, details, { cause: err });
}
