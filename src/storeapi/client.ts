/**
 * Typed StoreAPI clients (Store, Info, Rules) on @grpc/grpc-js, each call bounded by a deadline.
 *
 * Clients for the same endpoint can share one connection: pass `channel: other.channel`. Failures reject
 * with StoreApiCallError (method, target, gRPC code); an aborted `signal` rejects with QueryCanceledError or
 * QueryTimeoutError instead, as the engine expects.
 */
import * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import { throwIfAborted } from '../model/index.js';
import type { EncodedSeriesRequest } from './encoded-request.js';
import { CHANNEL_OPTIONS, DEFAULT_CALL_TIMEOUT_MS, DEFAULT_INFO_TIMEOUT_MS } from './options.js';
import { grpcPackage } from './protos.js';
import { callError } from './status.js';
import type {
  InfoResponse,
  LabelNamesRequest,
  LabelNamesResponse,
  LabelValuesRequest,
  LabelValuesResponse,
  RulesRequest,
  RulesResponse,
  SeriesRequest,
  SeriesResponse,
} from './types.js';

export interface ClientOptions {
  /** Deadline for each call unless the call gives its own, ms. */
  timeoutMs?: number;
  /** Reuse the connection of another client to the same target. */
  channel?: grpc.Channel;
  /** Sent with every call, e.g. `{ 'thanos-tenant': 'team-a' }`. */
  metadata?: Record<string, string>;
}

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

class BaseClient {
  readonly target: string;
  readonly #client: grpc.Client;
  readonly #timeoutMs: number;
  readonly #metadata: [string, string][];

  constructor(target: string, defaultTimeoutMs: number, opts: ClientOptions) {
    this.target = target;
    this.#timeoutMs = opts.timeoutMs ?? defaultTimeoutMs;
    this.#metadata = Object.entries(opts.metadata ?? {});
    this.#client = new grpc.Client(target, grpc.credentials.createInsecure(), {
      ...CHANNEL_OPTIONS,
      ...(opts.channel !== undefined ? { channelOverride: opts.channel } : {}),
    });
  }

  /** The underlying connection, to share with other clients of this target. */
  get channel(): grpc.Channel {
    return this.#client.getChannel() as grpc.Channel;
  }

  close(): void {
    this.#client.close();
  }

  #callOptions(opts: CallOptions | undefined): grpc.CallOptions {
    return { deadline: Date.now() + (opts?.timeoutMs ?? this.#timeoutMs) };
  }

  /** A fresh Metadata per call: grpc-js adds its own headers to the one it is given. */
  #meta(): grpc.Metadata {
    const md = new grpc.Metadata();
    for (let i = 0; i < this.#metadata.length; i++) md.set(this.#metadata[i][0], this.#metadata[i][1]);
    return md;
  }

  protected unary<Req, Res>(method: MethodDefinition<Req, Res>, req: Partial<Req>, opts?: CallOptions): Promise<Res> {
    const name = method.path.slice(1);
    const signal = opts?.signal;
    throwIfAborted(signal, name);
    return new Promise<Res>((resolve, reject) => {
      const onDone = (err: grpc.ServiceError | null, res?: Res): void => {
        signal?.removeEventListener('abort', onAbort);
        if (err) {
          try {
            throwIfAborted(signal, name);
          } catch (aborted) {
            reject(aborted);
            return;
          }
          reject(callError(name, this.target, err));
        } else resolve(res as Res);
      };
      const call = withoutCallerStack(() =>
        this.#client.makeUnaryRequest<Req, Res>(
          method.path,
          method.requestSerialize as (r: Req) => Buffer,
          method.responseDeserialize,
          req as Req,
          this.#meta(),
          this.#callOptions(opts),
          onDone,
        ),
      );
      const onAbort = (): void => call.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  protected async *stream<Req, Frame>(method: MethodDefinition<Req, Frame>, req: Partial<Req>, opts?: CallOptions): AsyncGenerator<Frame> {
    const name = method.path.slice(1);
    const signal = opts?.signal;
    throwIfAborted(signal, name);
    const call = withoutCallerStack(() =>
      this.#client.makeServerStreamRequest<Req, Frame>(
        method.path,
        method.requestSerialize as (r: Req) => Buffer,
        method.responseDeserialize,
        req as Req,
        this.#meta(),
        this.#callOptions(opts),
      ),
    );
    const onAbort = (): void => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const frame of call) yield frame as Frame;
    } catch (err) {
      throwIfAborted(signal, name);
      throw callError(name, this.target, err);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      call.cancel(); // a no-op after the status arrived; frees the stream when the consumer stopped early
    }
  }
}

/**
 * Starts a grpc-js call without the caller stack trace grpc-js captures for every call (`new Error()` in
 * makeUnaryRequest/makeServerStreamRequest, ~5 µs: a tenth of a 100-store fan-out's per-call cost). It only
 * decorates grpc-js's own error stacks, and we report failures as StoreApiCallError from the status instead.
 * Synchronous, so the global limit is back before any other code runs.
 */
function withoutCallerStack<T>(start: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return start();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

type Methods = Record<string, MethodDefinition<object, object>>;

function methods(service: string): Methods {
  return grpcPackage()[service] as unknown as Methods;
}

/** Client of `thanos.Store`. */
export class StoreClient extends BaseClient {
  readonly #m = methods('thanos.Store');

  constructor(target: string, opts: ClientOptions = {}) {
    super(target, DEFAULT_CALL_TIMEOUT_MS, opts);
  }

  /**
   * The Series stream, frame by frame as they arrive (`series`, `batch`, `warning` or `hints`; chunk times
   * as numbers, hashes as bigints: series-decoder.ts). A fan-out passes the request pre-encoded.
   */
  series(req: Partial<SeriesRequest> | EncodedSeriesRequest, opts?: CallOptions): AsyncGenerator<SeriesResponse> {
    return this.stream(this.#m.Series as MethodDefinition<SeriesRequest, SeriesResponse>, req as Partial<SeriesRequest>, opts);
  }

  labelNames(req: Partial<LabelNamesRequest>, opts?: CallOptions): Promise<LabelNamesResponse> {
    return this.unary(this.#m.LabelNames as MethodDefinition<LabelNamesRequest, LabelNamesResponse>, req, opts);
  }

  labelValues(req: Partial<LabelValuesRequest>, opts?: CallOptions): Promise<LabelValuesResponse> {
    return this.unary(this.#m.LabelValues as MethodDefinition<LabelValuesRequest, LabelValuesResponse>, req, opts);
  }
}

/** Client of `thanos.info.Info`; default deadline 5 s, as the Thanos querier's --endpoint.info-timeout. */
export class InfoClient extends BaseClient {
  readonly #m = methods('thanos.info.Info');

  constructor(target: string, opts: ClientOptions = {}) {
    super(target, DEFAULT_INFO_TIMEOUT_MS, opts);
  }

  info(opts?: CallOptions): Promise<InfoResponse> {
    return this.unary(this.#m.Info as MethodDefinition<object, InfoResponse>, {}, opts);
  }
}

/** Client of `thanos.Rules`. */
export class RulesClient extends BaseClient {
  readonly #m = methods('thanos.Rules');

  constructor(target: string, opts: ClientOptions = {}) {
    super(target, DEFAULT_CALL_TIMEOUT_MS, opts);
  }

  rules(req: Partial<RulesRequest>, opts?: CallOptions): AsyncGenerator<RulesResponse> {
    return this.stream(this.#m.Rules as MethodDefinition<RulesRequest, RulesResponse>, req, opts);
  }
}
