/**
 * A gRPC server for our StoreAPI services (thanos.Store, thanos.info.Info, thanos.Rules, thanos.Metadata, thanos.Exemplars) on our own gRPC
 * transport (grpc/server.ts over our HTTP/2, grpc/h2/), with the protos' codecs (protos.ts).
 *
 * Handlers are plain async functions over the message types in types.ts. Streaming handlers get a `send`
 * that resolves when the stream can take more (backpressure) and rejects once the client has gone, and
 * every handler gets an AbortSignal fired on client cancel or deadline. A thrown typed error becomes a gRPC
 * status once, here (status.ts).
 */
import type { MethodDefinition } from '@grpc/proto-loader';
import { GrpcServer, type RequestHeaders, type ServerCall } from './grpc/server.js';
import { MAX_MESSAGE_BYTES } from './options.js';
import { grpcPackage } from './protos.js';
import { statusFromError } from './status.js';
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

export interface CallContext {
  /** Fires when the client cancels, its deadline passes or the server stops. */
  signal: AbortSignal;
  /** The request's headers: gRPC metadata such as `thanos-tenant`. */
  metadata: RequestHeaders;
  peer: string;
}

/** Sends one frame; resolves when the stream has room for more, rejects with QueryCanceledError once the call is gone. */
export type FrameSink<T> = (frame: T) => Promise<void>;

/**
 * A Series frame to send: a message, or its encoded bytes when the handler wrote the frame itself
 * (e.g. chunk bytes spliced straight from storage; series-encoder.ts has the layout).
 */
export type SeriesFrame = SeriesResponse | Uint8Array;

export interface StoreService {
  series(req: SeriesRequest, send: FrameSink<SeriesFrame>, ctx: CallContext): Promise<void>;
  labelNames(req: LabelNamesRequest, ctx: CallContext): Promise<LabelNamesResponse>;
  labelValues(req: LabelValuesRequest, ctx: CallContext): Promise<LabelValuesResponse>;
}

export interface InfoService {
  info(ctx: CallContext): Promise<InfoResponse>;
}

export interface RulesService {
  rules(req: RulesRequest, send: FrameSink<RulesResponse>, ctx: CallContext): Promise<void>;
}

export interface MetadataService {
  metricMetadata(req: MetricMetadataRequest, send: FrameSink<MetricMetadataResponse>, ctx: CallContext): Promise<void>;
}

export interface ExemplarsService {
  exemplars(req: ExemplarsRequest, send: FrameSink<ExemplarsResponse>, ctx: CallContext): Promise<void>;
}

export interface StoreApiServices {
  store?: StoreService;
  info?: InfoService;
  rules?: RulesService;
  metadata?: MetadataService;
  exemplars?: ExemplarsService;
}

export interface RunningGrpcServer {
  /** The bound port (the real one when asked for port 0). */
  readonly port: number;
  /** `host:port` with the bound port, ready to dial. */
  readonly address: string;
  /** Stops taking calls, lets running ones finish for up to `graceMs`, then cancels them. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts a server on `host:port` (port 0 picks a free one) serving the given services. */
export async function startGrpcServer(address: string, services: StoreApiServices): Promise<RunningGrpcServer> {
  const server = new GrpcServer({ maxMessageBytes: MAX_MESSAGE_BYTES, statusOf: statusFromError });
  const pkg = grpcPackage();
  const method = (service: string, name: string): MethodDefinition<unknown, unknown> =>
    (pkg[service] as unknown as Record<string, MethodDefinition<unknown, unknown>>)[name];
  const unary = <Req, Res>(service: string, name: string, handle: (req: Req, ctx: CallContext) => Promise<Res>): void => {
    const m = method(service, name);
    server.add<Req, Res>(m.path, {
      kind: 'unary',
      decodeRequest: m.requestDeserialize as (b: Buffer) => Req,
      encodeResponse: m.responseSerialize as (r: Res) => Buffer,
      handle: (req, call) => handle(req, context(call)),
    });
  };
  const stream = <Req, Res>(service: string, name: string, handle: (req: Req, send: FrameSink<Res>, ctx: CallContext) => Promise<void>): void => {
    const m = method(service, name);
    server.add<Req, Res>(m.path, {
      kind: 'serverStream',
      decodeRequest: m.requestDeserialize as (b: Buffer) => Req,
      encodeResponse: m.responseSerialize as (r: Res) => Buffer,
      handle: (req, send, call) => handle(req, send, context(call)),
    });
  };

  if (services.store !== undefined) {
    const s = services.store;
    stream('thanos.Store', 'Series', (req: SeriesRequest, send: FrameSink<SeriesFrame>, ctx) => s.series(req, send, ctx));
    unary('thanos.Store', 'LabelNames', (req: LabelNamesRequest, ctx) => s.labelNames(req, ctx));
    unary('thanos.Store', 'LabelValues', (req: LabelValuesRequest, ctx) => s.labelValues(req, ctx));
  }
  if (services.info !== undefined) {
    const s = services.info;
    unary('thanos.info.Info', 'Info', (_req: unknown, ctx) => s.info(ctx));
  }
  if (services.rules !== undefined) {
    const s = services.rules;
    stream('thanos.Rules', 'Rules', (req: RulesRequest, send: FrameSink<RulesResponse>, ctx) => s.rules(req, send, ctx));
  }
  if (services.metadata !== undefined) {
    const s = services.metadata;
    stream('thanos.Metadata', 'MetricMetadata', (req: MetricMetadataRequest, send: FrameSink<MetricMetadataResponse>, ctx) => s.metricMetadata(req, send, ctx));
  }
  if (services.exemplars !== undefined) {
    const s = services.exemplars;
    stream('thanos.Exemplars', 'Exemplars', (req: ExemplarsRequest, send: FrameSink<ExemplarsResponse>, ctx) => s.exemplars(req, send, ctx));
  }

  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon);
  const port = await server.listen(host.replace(/^\[(.*)\]$/, '$1'), Number(address.slice(colon + 1))).catch((err: unknown) => {
    throw new Error(`bind gRPC server on ${address}`, { cause: err });
  });
  return {
    port,
    address: `${host}:${port}`,
    stop: (graceMs = 5_000) => server.close(graceMs),
  };
}

function context(call: ServerCall): CallContext {
  return {
    // Made on first use (grpc/server.ts): handlers that never look pay nothing.
    get signal() {
      return call.signal;
    },
    metadata: call.headers,
    // Formatted only for the handlers that ask (logs): most calls never do.
    get peer() {
      return call.peer;
    },
  };
}
