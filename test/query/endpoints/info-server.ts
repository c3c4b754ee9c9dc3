/**
 * A real gRPC server (our startGrpcServer) whose thanos.info.Info answer the test controls: answer with a
 * given InfoResponse, fail with an error, answer "Not ready" (what a Thanos sidecar says until Prometheus is
 * up, thanos.md §1.8), or hang until the caller's deadline cancels the call.
 */
import { millisToInt64, startGrpcServer, type CallContext, type InfoResponse, type RunningGrpcServer } from '../../../src/storeapi/index.js';

export type InfoMode = 'ok' | 'error' | 'notReady' | 'hang';

export interface ControlledInfoServer {
  readonly server: RunningGrpcServer;
  readonly address: string;
  mode: InfoMode;
  response: InfoResponse;
  /** Wait this long before answering (as the mode says), ms. */
  delayMs: number;
  /** Info calls received. */
  calls: number;
  /** Calls whose server-side signal fired (deadline or cancel) while hanging. */
  aborted: number;
  stop(): Promise<void>;
}

/** A sidecar-like answer: one external label set, a time range, Store API with without-replica-labels. */
export function storeInfo(labels: Record<string, string>, minTime: number, maxTime: number, componentType = 'sidecar'): InfoResponse {
  return {
    label_sets: [{ labels: Object.entries(labels).map(([name, value]) => ({ name, value })) }],
    ComponentType: componentType,
    store: {
      min_time: millisToInt64(minTime),
      max_time: millisToInt64(maxTime),
      supports_sharding: false,
      supports_without_replica_labels: true,
      tsdb_infos: [],
      supports_projections: false,
    },
  };
}

export async function startInfoServer(response: InfoResponse, mode: InfoMode = 'ok', host = '127.0.0.1'): Promise<ControlledInfoServer> {
  const state = {
    mode,
    response,
    delayMs: 0,
    calls: 0,
    aborted: 0,
  };
  const server = await startGrpcServer(`${host}:0`, {
    info: {
      async info(ctx: CallContext): Promise<InfoResponse> {
        state.calls++;
        if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
        switch (state.mode) {
          case 'ok':
            return state.response;
          case 'error':
            throw new Error('disk on fire');
          case 'notReady':
            throw new Error('Not ready');
          case 'hang':
            await new Promise<void>((resolve) => {
              if (ctx.signal.aborted) resolve();
              else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
            });
            state.aborted++;
            throw ctx.signal.reason;
        }
      },
    },
  });
  return Object.assign(state, {
    server,
    address: server.address,
    stop: () => server.stop(0),
  });
}
