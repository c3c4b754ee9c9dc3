/**
 * The shipper as a sidecar actor: sync at once, then every `intervalMs` (30 s, as Thanos), until stopped.
 * Nothing that goes wrong ends the loop — a failed run is logged and counted and the next one retries — so
 * a bucket outage never takes the sidecar's StoreAPI down with it.
 *
 * When given Prometheus's HTTP API, it also checks the block-duration flags once (retrying each round until
 * Prometheus answers) and logs a warning for each problem found (block-durations.ts).
 */
import { sleep } from '../../model/index.js';
import { checkBlockDurations, fetchBlockDurations, type PrometheusJsonApi } from './block-durations.js';
import { SILENT_SHIPPER_LOGGER, Shipper, type ShipperOptions, type SyncResult } from './shipper.js';

export const DEFAULT_SHIP_INTERVAL_MS = 30_000;
/** While external labels are unknown (sidecar starting with its Prometheus), retry this soon: Thanos waits in 2 s steps. */
export const NOT_READY_RETRY_MS = 2_000;

export interface StartShipperOptions extends ShipperOptions {
  intervalMs?: number;
  /** Prometheus's JSON API (PrometheusHttp): when given, its block-duration flags are checked. */
  prometheus?: PrometheusJsonApi;
  /** Called after every sync (tests, and callers that want the details). */
  onSync?: (res: SyncResult) => void;
}

/** An actor `{name, run, stop}` as cli/actors.ts runs them, plus the Shipper for direct syncs and metrics. */
export interface ShipperActor {
  name: string;
  shipper: Shipper;
  /** Resolves when stopped; never rejects. */
  run(): Promise<void>;
  stop(): void;
}

export function startShipper(opts: StartShipperOptions): ShipperActor {
  const shipper = new Shipper(opts);
  const log = opts.log ?? SILENT_SHIPPER_LOGGER;
  const intervalMs = opts.intervalMs ?? DEFAULT_SHIP_INTERVAL_MS;
  const abort = new AbortController();
  let flagsChecked = opts.prometheus === undefined;
  let lastFlagsError: string | undefined;
  let lastSyncError: string | undefined;

  const checkFlags = async (): Promise<void> => {
    try {
      const d = await fetchBlockDurations(opts.prometheus!, abort.signal);
      flagsChecked = true;
      for (const w of checkBlockDurations(d)) log.warn({ minBlockDurationMs: d.minMs, maxBlockDurationMs: d.maxMs }, w);
    } catch (err) {
      const msg = (err as Error).message;
      // Once per distinct failure: a Prometheus down for an hour is one line.
      if (msg !== lastFlagsError) log.warn({ err: msg }, "cannot check Prometheus's block-duration flags yet; retrying each round");
      lastFlagsError = msg;
    }
  };

  const loop = async (): Promise<void> => {
    log.info({ tsdbPath: opts.tsdbPath, bucket: opts.bucket.name, intervalMs, uploadCompacted: opts.uploadCompacted === true }, 'shipper started');
    while (!abort.signal.aborted) {
      let wait = intervalMs;
      try {
        if (!flagsChecked) await checkFlags();
        const res = await shipper.sync(abort.signal);
        if (res.error !== undefined && !abort.signal.aborted) {
          const msg = res.error.message;
          if (res.notReady) {
            wait = Math.min(NOT_READY_RETRY_MS, intervalMs);
            if (msg !== lastSyncError) log.warn({ err: msg }, 'shipper waiting for external labels');
          } else {
            log.error({ err: msg, uploaded: res.uploaded }, 'shipper sync failed; retrying next round');
          }
          lastSyncError = msg;
        } else lastSyncError = undefined;
        opts.onSync?.(res);
      } catch (err) {
        // sync() does not reject; this guards onSync and anything unforeseen.
        log.error({ err: (err as Error)?.message ?? String(err) }, 'shipper round failed');
      }
      await sleep(wait, abort.signal);
    }
    log.info({}, 'shipper stopped');
  };

  return {
    name: 'shipper',
    shipper,
    run: loop,
    stop: () => abort.abort(),
  };
}
