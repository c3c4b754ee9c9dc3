/**
 * Per-request cancellation: one AbortSignal that fires when the client goes away (canceled) or the query
 * timeout passes (timeout). Everything downstream — engine, gRPC streams — listens to it.
 */
import type { FastifyReply } from 'fastify';
import { QueryCanceledError, QueryTimeoutError } from '../model/index.js';

export interface RequestAbort {
  signal: AbortSignal;
  /** Clears the timer and cancels whatever the request left running (unread store streams); call once done. */
  done(): void;
}

export function requestAbort(reply: FastifyReply, timeoutMs: number): RequestAbort {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new QueryTimeoutError('query execution')), timeoutMs);
  const onClose = (): void => {
    // The response's 'close' before it finished means the client hung up. (The request's own 'close' fires
    // as soon as its body is read, so it says nothing about the client.)
    if (!reply.raw.writableFinished) controller.abort(new QueryCanceledError('query execution'));
  };
  reply.raw.on('close', onClose);
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer);
      reply.raw.off('close', onClose);
      // A query that failed early (too many samples, an engine error) leaves store streams unread; without
      // this they would stay open until their gRPC deadline.
      controller.abort(new QueryCanceledError('query finished'));
    },
  };
}
