/**
 * A promfed sidecar (startSidecar, as the CLI runs it, on loopback port 0) in front of a given Prometheus
 * URL, with Store and Info clients; waits until ready unless asked not to.
 */
import { SIDECAR_DEFAULTS, startSidecar, type RunningSidecar, type SidecarConfig } from '../../src/cli/sidecar.js';
import type { PrometheusMetadata } from '../../src/sidecar/index.js';
import { InfoClient, StoreClient } from '../../src/storeapi/index.js';

export interface FakeSidecar {
  running: RunningSidecar;
  metadata: PrometheusMetadata;
  store: StoreClient;
  info: InfoClient;
  stop(): Promise<void>;
}

export async function startFakeSidecar(prometheusUrl: string, overrides: Partial<SidecarConfig> & { waitReady?: boolean } = {}): Promise<FakeSidecar> {
  const running = await startSidecar({
    ...SIDECAR_DEFAULTS,
    prometheusUrl,
    grpcAddress: '127.0.0.1:0',
    httpAddress: '127.0.0.1:0',
    refreshIntervalMs: 200,
    log: false,
    ...overrides,
  });
  if (overrides.waitReady !== false) await waitFor(() => running.metadata.ready, 10_000, 'sidecar ready');
  const store = new StoreClient(running.grpcAddress, { timeoutMs: 30_000 });
  const info = new InfoClient(running.grpcAddress, { timeoutMs: 5_000 });
  return {
    running,
    metadata: running.metadata,
    store,
    info,
    async stop() {
      store.close();
      info.close();
      await running.stop();
    },
  };
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
