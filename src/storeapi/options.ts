/**
 * gRPC limits and timers shared by every StoreAPI server and client we run.
 */

/**
 * Message size limit, both directions: 2 GiB − 1, as Go's MaxInt32 in Thanos (gRPC libraries default to
 * 4 MiB receive, and one Series frame of a high-cardinality batch or a big hints message passes that easily).
 */
export const MAX_MESSAGE_BYTES = 2 ** 31 - 1;

/** Ping after 10 s of silence, drop the connection if no answer within 5 s (thanos.md §10). */
export const KEEPALIVE_TIME_MS = 10_000;
export const KEEPALIVE_TIMEOUT_MS = 5_000;

/** Default deadlines: Info as the Thanos querier's --endpoint.info-timeout; data calls bounded by a query's own timeout. */
export const DEFAULT_INFO_TIMEOUT_MS = 5_000;
export const DEFAULT_CALL_TIMEOUT_MS = 120_000;

/**
 * The same limits as @grpc/grpc-js channel options, for a grpc-js peer (tests and benchmarks use grpc-js as an
 * independent gRPC implementation to check ours against).
 */
export const GRPC_JS_CHANNEL_OPTIONS: Readonly<Record<string, number>> = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS,
  'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
};
