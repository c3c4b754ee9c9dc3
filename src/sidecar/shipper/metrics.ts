/**
 * The shipper's metrics: Thanos's `thanos_shipper_*` counters under promfed_ names, so the usual alerts
 * ("shipper not uploading", "upload failures") port by a rename, plus bytes and the last upload time.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface ShipperMetrics {
  dirSyncs: Counter;
  dirSyncFailures: Counter;
  uploads: Counter;
  uploadFailures: Counter;
  corruptedBlocks: Counter;
  uploadedBytes: Counter;
  lastUploadTime: Gauge;
}

export function shipperMetrics(registry: Registry | undefined): ShipperMetrics {
  const registers = registry ? [registry] : [];
  return {
    dirSyncs: new Counter({ name: 'promfed_shipper_dir_syncs_total', help: 'Sync runs over the TSDB directory.', registers }),
    dirSyncFailures: new Counter({ name: 'promfed_shipper_dir_sync_failures_total', help: 'Sync runs that ended in an error.', registers }),
    uploads: new Counter({ name: 'promfed_shipper_uploads_total', help: 'Blocks uploaded (meta.json written last).', registers }),
    uploadFailures: new Counter({ name: 'promfed_shipper_upload_failures_total', help: 'Block uploads that failed (retried at the next sync).', registers }),
    corruptedBlocks: new Counter({
      name: 'promfed_shipper_corrupted_blocks_total',
      help: 'Local block directories skipped because their meta.json could not be read.',
      registers,
    }),
    uploadedBytes: new Counter({ name: 'promfed_shipper_uploaded_bytes_total', help: 'Bytes of block files uploaded.', registers }),
    lastUploadTime: new Gauge({
      name: 'promfed_shipper_last_successful_upload_time',
      help: 'Unix time (seconds) of the last block upload that completed.',
      registers,
    }),
  };
}
