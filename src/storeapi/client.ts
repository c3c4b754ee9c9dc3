/**
 * Typed StoreAPI clients (Store, Info, Rules, Metadata, Exemplars) on our gRPC channel over node:http2 (grpc/channel.ts), each
 * call bounded by a deadline.
 *
 * Clients for the same endpoint can share one connection: pass `channel: other.channel`. Failures reject
 * with StoreApiCallError (method, target, gRPC code); an aborted `signal` rejects with QueryCanceledError or
 * QueryTimeoutError instead, as the engine expects.
 */
import type { MethodDefinition } from '@grpc/proto-loader';
import { throwIfAborted } from '../model/index.js';
import type { EncodedSeriesRequest } from './encoded-request.js';
import { GrpcChannel } from './grpc/channel.js';
import { DEFAULT_CALL_TIMEOUT_MS, DEFAULT_INFO_TIMEOUT_MS, KEEPALIVE_TIMEOUT_MS, KEEPALIVE_TIME_MS, MAX_MESSAGE_BYTES } from './options.js';
import { grpcPackage } from './protos.js';
import { callError } from './status.js';
import type {
  InfoResponse,
  LabelNamesRequest,
  LabelNamesResponse,
  LabelValuesRequest,
  LabelValuesResponse,
  ExemplarsRequest,
  ExemplarsResponse,
  MetricMetadataRequest,
  MetricMetadataResponse,
  RulesRequest,
  RulesResponse,
  SeriesRequest,
  SeriesResponse,
} from './types.js';

export { GrpcChannel };

export interface ClientOptions {
  /** Deadline for each call unless the call gives its own, ms. */
  timeoutMs?: number;
  /** Reuse the connection of another client to the same target. */
  channel?: GrpcChannel;
  /** Sent with every call, e.g. `{ 'thanos-tenant': 'team-a' }`. */
  metadata?: Record<string, string>;
}

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

class BaseClient {
  readonly target: string;
  /** The connection, to share with other clients of this target. */
  readonly channel: GrpcChannel;
  readonly #timeoutMs: number;
  readonly #metadata: Record<string, string> | undefined;

  constructor(target: string, defaultTimeoutMs: number, opts: ClientOptions) {
    this.target = target;
    this.#timeoutMs = opts.timeoutMs ?? defaultTimeoutMs;
    this.#metadata = opts.metadata;
    this.channel =
      opts.channel ??
      new GrpcChannel(target, { maxMessageBytes: MAX_MESSAGE_BYTES, keepaliveMs: KEEPALIVE_TIME_MS, keepaliveTimeoutMs: KEEPALIVE_TIMEOUT_MS });
  }

  close(): void {
    this.channel.close();
  }

  protected async unary<Req, Res>(method: MethodDefinition<Req, Res>, req: Partial<Req>, opts?: CallOptions): Promise<Res> {
    const name = method.path.slice(1);
    const signal = opts?.signal;
    throwIfAborted(signal, name);
    try {
      return await this.channel.unary(method.path, method.requestSerialize(req as Req), method.responseDeserialize, {
        timeoutMs: opts?.timeoutMs ?? this.#timeoutMs,
        signal,
        metadata: this.#metadata,
      });
    } catch (err) {
      throwIfAborted(signal, name);
      throw callError(name, this.target, err);
    }
  }

  /**
   * A server stream; failures reject `next()` as in `unary`. Breaking out of a `for await` (or `return()`)
   * cancels the call at once.
   */
  protected stream<Req, Frame>(method: MethodDefinition<Req, Frame>, req: Partial<Req>, opts?: CallOptions): AsyncIterableIterator<Frame> {
    const name = method.path.slice(1);
    const signal = opts?.signal;
    let inner: AsyncIterableIterator<Frame>;
    try {
      throwIfAborted(signal, name);
      inner = this.channel.serverStream(method.path, method.requestSerialize(req as Req), method.responseDeserialize, {
        timeoutMs: opts?.timeoutMs ?? this.#timeoutMs,
        signal,
        metadata: this.#metadata,
      });
    } catch (err) {
      return failedStream(toCallError(err, signal, name, this.target));
    }
    const fail = (err: unknown): never => {
      throw toCallError(err, signal, name, this.target);
    };
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: () => inner.next().catch(fail),
      return: () => inner.return!(),
    };
  }
}

/** What a call's failure is to its caller: the abort reason when the caller's signal fired, else a StoreApiCallError. */
function toCallError(err: unknown, signal: AbortSignal | undefined, name: string, target: string): unknown {
  try {
    throwIfAborted(signal, name);
  } catch (aborted) {
    return aborted;
  }
  return callError(name, target, err);
}

function failedStream<T>(err: unknown): AsyncIterableIterator<T> {
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () => Promise.reject(err),
    return: () => Promise.resolve({ done: true, value: undefined }),
  };
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
  series(req: Partial<SeriesRequest> | EncodedSeriesRequest, opts?: CallOptions): AsyncIterableIterator<SeriesResponse> {
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

  rules(req: Partial<RulesRequest>, opts?: CallOptions): AsyncIterableIterator<RulesResponse> {
    return this.stream(this.#m.Rules as MethodDefinition<RulesRequest, RulesResponse>, req, opts);
  }
}

/** Client of `thanos.Metadata`. */
export class MetadataClient extends BaseClient {
  readonly #m = methods('thanos.Metadata');

  constructor(target: string, opts: ClientOptions = {}) {
    super(target, DEFAULT_CALL_TIMEOUT_MS, opts);
  }

  metricMetadata(req: Partial<MetricMetadataRequest>, opts?: CallOptions): AsyncIterableIterator<MetricMetadataResponse> {
    return this.stream(this.#m.MetricMetadata as MethodDefinition<MetricMetadataRequest, MetricMetadataResponse>, req, opts);
  }
}

/** Client of `thanos.Exemplars`. */
export class ExemplarsClient extends BaseClient {
  readonly #m = methods('thanos.Exemplars');

  constructor(target: string, opts: ClientOptions = {}) {
    super(target, DEFAULT_CALL_TIMEOUT_MS, opts);
  }

  exemplars(req: Partial<ExemplarsRequest>, opts?: CallOptions): AsyncIterableIterator<ExemplarsResponse> {
    return this.stream(this.#m.Exemplars as MethodDefinition<ExemplarsRequest, ExemplarsResponse>, req, opts);
  }
}
