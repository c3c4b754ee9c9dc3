/**
 * sidecar/shipper: uploads the 2 h blocks Prometheus cuts in its TSDB directory to the bucket, as Thanos's
 * sidecar shipper does (thanos.md §7.2): `chunks/*`, then `index`, then meta.json **last** with the thanos
 * section (external labels, source "sidecar", resolution 0, files, upload_time), so a store gateway never sees
 * half a block; state in `<tsdb.path>/thanos.shipper.json` (Thanos's format); empty blocks and (unless
 * uploadCompacted) compacted ones skipped; a crash mid-upload is completed by the next run. Also: a check of
 * Prometheus's block-duration flags (min ≠ max means Prometheus compacts: warned about, not refused).
 *
 * It never modifies Prometheus's files (uploads go through hard links in `<tsdb.path>/thanos/upload/`), does not
 * hash files (Thanos's optional --hash-func), upload out of order, downsample or compact, nor open the bucket
 * (objstore/ does) or read external labels (PrometheusMetadata does; it is passed in as a function).
 *
 *   const actor = startShipper({ tsdbPath: '/prometheus', bucket, externalLabels: () => metadata.externalLabels(),
 *     uploadCompacted: false, prometheus, registry, log: app.log });
 *   actors.push(actor);                                 // run(): sync now and every 30 s; stop(): end the loop
 *   const res = await actor.shipper.sync();             // or one pass by hand: { uploaded, skipped, error?, … }
 */
export {
  Shipper,
  SIDECAR_SOURCE,
  SILENT_SHIPPER_LOGGER,
  type ShipperOptions,
  type ShipperLogger,
  type SyncResult,
  type SkipReason,
} from './shipper.js';
export { startShipper, DEFAULT_SHIP_INTERVAL_MS, NOT_READY_RETRY_MS, type StartShipperOptions, type ShipperActor } from './run.js';
export {
  checkBlockDurations,
  fetchBlockDurations,
  parseBlockDurationFlags,
  RECOMMENDED_BLOCK_DURATION_MS,
  type BlockDurations,
  type PrometheusJsonApi,
} from './block-durations.js';
export { STATE_FILENAME, readState, type ShipperState } from './state.js';
export { UPLOAD_DIR } from './upload.js';
export { scanBlocks, type LocalBlock } from './scan.js';
