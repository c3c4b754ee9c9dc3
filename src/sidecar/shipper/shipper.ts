/**
 * The shipper (Thanos `pkg/shipper`): one `sync()` looks at every block in the TSDB directory, oldest first,
 * and uploads those the bucket does not have yet. Per block, in this order:
 *
 *   in the state file                 → already shipped, keep it listed
 *   stats.numSamples == 0             → skip (empty blocks are never shipped)
 *   compaction.level > 1              → skip unless uploadCompacted (Prometheus's own compactions would
 *                                       otherwise duplicate data already shipped as 2 h blocks)
 *   `<ULID>/meta.json` in the bucket  → shipped earlier (state lost or another shipper): list it
 *   otherwise                         → upload (upload.ts); the first failure ends the run, so blocks reach the
 *                                       bucket in time order, and the next run retries it
 *
 * The state file then lists what is shipped among the blocks still on disk. A sync never throws: what went
 * wrong is in the result (and logged, and counted), because the sidecar must keep serving whatever the bucket does.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { Labels } from '../../model/index.js';
import type { Bucket } from '../../objstore/index.js';
import { META_FILENAME } from '../../tsdb/index.js';
import { shipperMetrics, type ShipperMetrics } from './metrics.js';
import { scanBlocks } from './scan.js';
import { readState, writeState } from './state.js';
import { UPLOAD_DIR, uploadBlock } from './upload.js';

/** What the shipper logs through (Fastify's pino logger satisfies it). */
export interface ShipperLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export const SILENT_SHIPPER_LOGGER: ShipperLogger = { info() {}, warn() {}, error() {}, debug() {} };

/** thanos.source of blocks a sidecar uploads. */
export const SIDECAR_SOURCE = 'sidecar';

export interface ShipperOptions {
  /** Prometheus's --storage.tsdb.path (the sidecar's --tsdb.path). */
  tsdbPath: string;
  bucket: Bucket;
  /**
   * The external labels to stamp on each block as it is uploaded; read again per block, since Prometheus's
   * config can change. May throw while they are not known yet (PrometheusMetadata before it is ready): the
   * sync then stops and the run loop retries soon.
   */
  externalLabels: () => Labels | Record<string, string>;
  /** --shipper.upload-compacted: also ship blocks of compaction level > 1 (migrating existing data). */
  uploadCompacted?: boolean;
  /** thanos.source; "sidecar" by default. */
  source?: string;
  /** Where promfed_shipper_* metrics go; none by default. */
  registry?: Registry;
  log?: ShipperLogger;
  now?: () => number;
}

export type SkipReason = 'empty' | 'compacted';

export interface SyncResult {
  /** Blocks uploaded by this run, in upload order. */
  uploaded: string[];
  /** Blocks not in the state file whose meta.json was already in the bucket. */
  foundInBucket: string[];
  skipped: { ulid: string; reason: SkipReason }[];
  /** ULID directories whose meta.json could not be read. */
  corrupt: string[];
  /** Why the run stopped early, if it did. */
  error?: Error;
  /** The error is that external labels are not known yet (Prometheus not answered): retry soon. */
  notReady?: boolean;
}

export class Shipper {
  readonly metrics: ShipperMetrics;
  readonly #opts: ShipperOptions;
  readonly #log: ShipperLogger;
  readonly #now: () => number;
  /** Syncs never overlap: two would upload the same block and race on the state file. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: ShipperOptions) {
    this.#opts = opts;
    this.#log = opts.log ?? SILENT_SHIPPER_LOGGER;
    this.#now = opts.now ?? Date.now;
    this.metrics = shipperMetrics(opts.registry);
  }

  /** One pass over the TSDB directory. Never rejects; see SyncResult.error. */
  sync(signal?: AbortSignal): Promise<SyncResult> {
    const run = this.#queue.then(() => this.#syncOnce(signal));
    this.#queue = run;
    return run;
  }

  async #syncOnce(signal?: AbortSignal): Promise<SyncResult> {
    const { tsdbPath, bucket } = this.#opts;
    const res: SyncResult = { uploaded: [], foundInBucket: [], skipped: [], corrupt: [] };
    this.metrics.dirSyncs.inc();
    const { state, problem } = await readState(tsdbPath);
    if (problem !== undefined) this.#log.warn({ err: problem }, 'ignoring the shipper state file; blocks will be checked against the bucket');
    const shipped = new Set(state.uploaded);
    const nowShipped: string[] = [];
    try {
      // Hard links left by a crashed upload: they would keep deleted blocks' disk space in use forever.
      await rm(join(tsdbPath, UPLOAD_DIR), { recursive: true, force: true });
      const scan = await scanBlocks(tsdbPath);
      for (const c of scan.corrupt) {
        this.metrics.corruptedBlocks.inc();
        res.corrupt.push(c.ulid);
        this.#log.error({ block: c.ulid, err: c.error }, 'skipping block: cannot read its meta.json');
      }
      for (const { dir, meta } of scan.blocks) {
        const id = meta.ulid;
        if (shipped.has(id)) {
          nowShipped.push(id);
          continue;
        }
        if (meta.stats.numSamples === 0) {
          res.skipped.push({ ulid: id, reason: 'empty' });
          this.#log.debug({ block: id }, 'ignoring empty block');
          continue;
        }
        if (meta.compaction.level > 1 && !this.#opts.uploadCompacted) {
          res.skipped.push({ ulid: id, reason: 'compacted' });
          continue;
        }
        if (await bucket.exists(`${id}/${META_FILENAME}`, signal)) {
          nowShipped.push(id);
          res.foundInBucket.push(id);
          continue;
        }
        let labels: Record<string, string>;
        try {
          const l = this.#opts.externalLabels();
          labels = l instanceof Labels ? l.toObject() : { ...l };
        } catch (err) {
          res.notReady = true;
          throw new Error(`not uploading: external labels are not known yet: ${(err as Error).message}`, { cause: err });
        }
        const started = this.#now();
        this.#log.info({ block: id, minTime: meta.minTime, maxTime: meta.maxTime }, 'upload new block');
        try {
          const up = await uploadBlock(
            { dir, meta },
            {
              tsdbPath,
              bucket,
              labels,
              source: this.#opts.source ?? SIDECAR_SOURCE,
              now: this.#now,
              signal,
              onObject: (_name, bytes) => this.metrics.uploadedBytes.inc(bytes),
              onCleanupError: (err) => this.#log.warn({ block: id, err: err.message }, 'cannot remove the partial upload from the bucket'),
            },
          );
          nowShipped.push(id);
          res.uploaded.push(id);
          this.metrics.uploads.inc();
          this.metrics.lastUploadTime.set(this.#now() / 1000);
          this.#log.info({ block: id, bytes: up.bytes, ms: this.#now() - started }, 'uploaded block');
        } catch (err) {
          this.metrics.uploadFailures.inc();
          throw err;
        }
      }
    } catch (err) {
      res.error = err instanceof Error ? err : new Error(String(err));
      this.metrics.dirSyncFailures.inc();
    }
    // Blocks shipped earlier but not reached in this run (it stopped early) stay listed.
    if (res.error !== undefined) for (const id of state.uploaded) if (!nowShipped.includes(id)) nowShipped.push(id);
    // Written every run, as Thanos does: blocks Prometheus deleted drop out of the list.
    try {
      await writeState(tsdbPath, { uploaded: nowShipped });
    } catch (err) {
      // Not fatal: the next run finds the shipped blocks' meta.json in the bucket.
      this.#log.warn({ err: (err as Error).message }, 'cannot write the shipper state file');
    }
    return res;
  }
}
