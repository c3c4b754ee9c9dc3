/**
 * The blocks of a bucket as `tools bucket ls|inspect|verify` see them (thanos.md §5.1): one `<ULID>/`
 * directory per block, complete once its meta.json is there (uploaded last). A directory without meta.json is
 * a partial upload, listed separately; one whose meta.json does not parse is listed with the error, so the
 * tools can warn instead of failing the whole listing.
 */
import { StorageError } from '../model/index.js';
import type { Bucket } from '../objstore/index.js';
import { isULID, readBlockMeta, readDeletionMark, type BlockMeta, type DeletionMark } from '../tsdb/index.js';

export interface ListedBlock {
  id: string;
  meta: BlockMeta;
  deletionMark?: DeletionMark;
}

export interface BlockListing {
  /** Complete blocks, sorted by ULID. */
  blocks: ListedBlock[];
  /** ULID directories without meta.json (upload in progress or abandoned). */
  partial: string[];
  /** ULID directories whose meta.json or deletion mark could not be read or parsed. */
  broken: { id: string; error: string }[];
}

/** Thanos's block fetcher reads metas 32 at a time (thanos.md §5.2); a GCS round trip each. */
const META_CONCURRENCY = 32;

/** The ULIDs of the block directories at the bucket root, sorted. */
export async function blockDirs(bucket: Bucket, signal?: AbortSignal): Promise<string[]> {
  const names = await bucket.list('', {}, signal);
  return names.filter((n) => n.endsWith('/') && isULID(n.slice(0, -1))).map((n) => n.slice(0, -1));
}

export async function listBlocks(bucket: Bucket, signal?: AbortSignal): Promise<BlockListing> {
  const ids = await blockDirs(bucket, signal);
  const out: BlockListing = { blocks: [], partial: [], broken: [] };
  type Read = { kind: 'block'; block: ListedBlock } | { kind: 'partial'; id: string } | { kind: 'broken'; id: string; error: string };
  const results = await mapLimit(ids, META_CONCURRENCY, async (id): Promise<Read> => {
    try {
      const meta = await readBlockMeta(bucket, id, signal);
      if (meta === undefined) return { kind: 'partial', id };
      const deletionMark = await readDeletionMark(bucket, id, signal);
      return { kind: 'block', block: deletionMark ? { id, meta, deletionMark } : { id, meta } };
    } catch (err) {
      // Network failures are not a property of one block: they end the listing.
      if (!(err instanceof StorageError)) throw err;
      return { kind: 'broken', id, error: err.message };
    }
  });
  for (const r of results) {
    if (r.kind === 'block') out.blocks.push(r.block);
    else if (r.kind === 'partial') out.partial.push(r.id);
    else out.broken.push({ id: r.id, error: r.error });
  }
  return out;
}

/** `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
