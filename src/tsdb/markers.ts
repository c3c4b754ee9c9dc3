/**
 * Block markers the store gateway honours (thanos.md §5.1): `<ULID>/deletion-mark.json`
 * `{"id","version":1,"details"?,"deletion_time":<unix s>}`, written by the compactor before it deletes a block.
 *
 * Thanos keeps serving a marked block until `--ignore-deletion-marks-delay` (24h) has passed since
 * deletion_time, so queries see no gap while the compacted replacement loads. We take that delay as a
 * parameter with default 0, i.e. stop serving a block as soon as it is marked.
 */
import type { Bucket } from '../objstore/index.js';
import { ObjectNotFoundError } from '../objstore/index.js';
import { CorruptBlockError } from './errors.js';

export const DELETION_MARK_FILE = 'deletion-mark.json';

export interface DeletionMark {
  id: string;
  version: number;
  /** Unix seconds. */
  deletionTime: number;
  details?: string;
}

/** The block's deletion mark, or undefined when it has none. A malformed mark is CorruptBlockError. */
export async function readDeletionMark(bucket: Bucket, blockId: string, signal?: AbortSignal): Promise<DeletionMark | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await bucket.get(`${blockId}/${DELETION_MARK_FILE}`, signal);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return undefined;
    throw err;
  }
  let j: unknown;
  try {
    j = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new CorruptBlockError(`${blockId}/${DELETION_MARK_FILE}: not JSON`, { cause: err });
  }
  const o = j as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || typeof o.deletion_time !== 'number') {
    throw new CorruptBlockError(`${blockId}/${DELETION_MARK_FILE}: no numeric deletion_time`);
  }
  return {
    id: typeof o.id === 'string' ? o.id : blockId,
    version: typeof o.version === 'number' ? o.version : 1,
    deletionTime: o.deletion_time,
    details: typeof o.details === 'string' ? o.details : undefined,
  };
}

/** True when the mark means "do not serve" at `nowMs`, given Thanos's ignore-deletion-marks delay. */
export function deletionMarkApplies(mark: DeletionMark | undefined, nowMs: number, delayMs = 0): boolean {
  return mark !== undefined && nowMs - mark.deletionTime * 1000 >= delayMs;
}
