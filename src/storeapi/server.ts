/**
 * A gRPC server for our StoreAPI services (thanos.Store, thanos.info.Info, thanos.Rules) on @grpc/grpc-js.
 *
 * Handlers are plain async functions over the message types in types.ts. Streaming handlers get a `send`
 * that resolves when the stream can take more (backpressure) and rejects once the client has gone, and
 * every handler gets an AbortSignal fired on client cancel or deadline. A thrown typed error becomes a gRPC
 * status once, here (status.ts).
 */
import * as grpc from '@grpc/grpc-js';
import { QueryCanceledError } from '../model/index.js';
import { CHANNEL_OPTIONS } from './options.js';
import { grpcPackage } from './protos.js';
import { statusFromError } from './status.js';
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

export interface CallContext {
  /** Fires when the client cancels, its deadline passes or the server stops. */
  signal: AbortSignal;
  metadata: grpc.Metadata;
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

export interface StoreApiServices {
  store?: StoreService;
  info?: InfoService;
  rules?: RulesService;
}

export interface RunningGrpcServer {
  /** The bound port (the real one when asked for port 0). */
  readonly port: number;
  /** `host:port` with the bound port, ready to dial. */
  readonly address: string;
  readonly server: grpc.Server;
  /** Stops taking calls, lets running ones finish for up to `graceMs`, then cancels them. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts a server on `host:port` (port 0 picks a free one) serving the given services. */
export async function startGrpcServer(address: string, services: StoreApiServices): Promise<RunningGrpcServer> {
  const server = new grpc.Server(CHANNEL_OPTIONS);
  const pkg = grpcPackage();
  const live = new Set<AbortController>();

  if (services.store !== undefined) {
    const s = services.store;
    server.addService(pkg['thanos.Store'] as grpc.ServiceDefinition, {
      Series: streamHandler(live, (req: SeriesRequest, send: FrameSink<SeriesFrame>, ctx) => s.series(req, send, ctx)),
      LabelNames: unaryHandler(live, (req: LabelNamesRequest, ctx) => s.labelNames(req, ctx)),
      LabelValues: unaryHandler(live, (req: LabelValuesRequest, ctx) => s.labelValues(req, ctx)),
    });
  }
  if (services.info !== undefined) {
    const s = services.info;
    server.addService(pkg['thanos.info.Info'] as grpc.ServiceDefinition, {
      Info: unaryHandler(live, (_req: unknown, ctx) => s.info(ctx)),
    });
  }
  if (services.rules !== undefined) {
    const s = services.rules;
    server.addService(pkg['thanos.Rules'] as grpc.ServiceDefinition, {
      Rules: streamHandler(live, (req: RulesRequest, send: FrameSink<RulesResponse>, ctx) => s.rules(req, send, ctx)),
    });
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, p) => {
      if (err) reject(new Error(`bind gRPC server on ${address}`, { cause: err }));
      else resolve(p);
    });
  });
  const host = address.slice(0, address.lastIndexOf(':'));

  return {
    port,
    address: `${host}:${port}`,
    server,
    stop: (graceMs = 5_000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          for (const ac of live) ac.abort(new QueryCanceledError('server shutdown'));
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

function context(live: Set<AbortController>, call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>): {
  ctx: CallContext;
  done: () => void;
} {
  const ac = new AbortController();
  live.add(ac);
  let finished = false;
  // grpc-js emits 'cancelled' at the end of every call, after the status went out too (its tidy-up), so only
  // a call still running was really cancelled; the error (and its stack trace) is made only then.
  call.on('cancelled', () => {
    if (!finished) ac.abort(new QueryCanceledError(call.getPath()));
  });
  // A client that gave up before the handler started: that 'cancelled' has been and gone.
  if (call.cancelled) ac.abort(new QueryCanceledError(call.getPath()));
  return {
    ctx: {
      signal: ac.signal,
      metadata: call.metadata,
      // Formatted only for the handlers that ask (logs): most calls never do.
      get peer() {
        return call.getPeer();
      },
    },
    done: () => {
      finished = true;
      live.delete(ac);
    },
  };
}

function unaryHandler<Req, Res>(
  live: Set<AbortController>,
  fn: (req: Req, ctx: CallContext) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const { ctx, done } = context(live, call);
    fn(call.request, ctx).then(
      (res) => {
        done();
        callback(null, res);
      },
      (err: unknown) => {
        done();
        callback(statusFromError(err));
      },
    );
  };
}

function streamHandler<Req, Frame>(
  live: Set<AbortController>,
  fn: (req: Req, send: FrameSink<Frame>, ctx: CallContext) => Promise<void>,
): grpc.handleServerStreamingCall<Req, Frame> {
  return (call) => {
    const { ctx, done } = context(live, call);
    const send: FrameSink<Frame> = (frame) => {
      if (ctx.signal.aborted) return Promise.reject(new QueryCanceledError(call.getPath()));
      if (call.write(frame)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const onDrain = (): void => {
          ctx.signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = (): void => {
          call.off('drain', onDrain);
          reject(new QueryCanceledError(call.getPath()));
        };
        call.once('drain', onDrain);
        ctx.signal.addEventListener('abort', onAbort, { once: true });
      });
    };
    fn(call.request, send, ctx).then(
      () => {
        done();
        call.end();
      },
      (err: unknown) => {
        done();
        // grpc-js turns an 'error' event on a server stream into the call's final status.
        if (!call.cancelled) call.emit('error', statusFromError(err));
      },
    );
  };
}
