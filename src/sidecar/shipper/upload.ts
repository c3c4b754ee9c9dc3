/**
 * Uploading one local block to the bucket as Thanos's shipper does (`pkg/shipper`, `pkg/block/block.go`):
 *
 *   1. hard-link the block's `chunks/*` and `index` into `<tsdb.path>/thanos/upload/<ULID>/`, so Prometheus
 *      deleting the block (retention, compaction) mid-upload cannot pull files from under us, and so
 *      Prometheus's own files are never opened for writing;
 *   2. build meta.json in memory: Prometheus's meta plus the thanos section (external labels, source,
 *      resolution 0, segment_files, files with sizes, upload_time);
 *   3. upload `chunks/000001…`, then `index`, then `meta.json` **last**: a store gateway treats a ULID prefix
 *      without meta.json as an upload in progress, so it never serves half a block.
 *
 * `tombstones` is not uploaded (Thanos does not either). A failure before meta.json removes what is under
 * `<ULID>/` in the bucket (best effort, as Thanos's cleanUp); a failure of the meta.json upload itself leaves
 * the objects, since the meta may have landed all the same (an ambiguous answer), and the next sync re-checks.
 * A crash leaves the prefix without meta.json; the next sync uploads the whole block again, overwriting.
 */
import { copyFile, link, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bucket } from '../../objstore/index.js';
import { META_FILENAME, RESOLUTION_RAW, serializeMeta, type BlockMeta, type ThanosMeta } from '../../tsdb/index.js';
import type { LocalBlock } from './scan.js';

export const UPLOAD_DIR = join('thanos', 'upload');
const CHUNKS_DIR = 'chunks';
const INDEX_FILE = 'index';

export interface UploadBlockOptions {
  tsdbPath: string;
  bucket: Bucket;
  /** External labels for thanos.labels; must not be empty (a Thanos block without them is refused). */
  labels: Record<string, string>;
  /** thanos.source, e.g. "sidecar". */
  source: string;
  now: () => number;
  signal?: AbortSignal;
  /** Called after each object lands, for metrics and tests. */
  onObject?: (name: string, bytes: number) => void;
  /** Told about a cleanup that failed (the upload error is still what is thrown). */
  onCleanupError?: (err: Error) => void;
}

export interface UploadedBlock {
  meta: BlockMeta;
  /** Bytes uploaded, meta.json included. */
  bytes: number;
}

/** Uploads the block; throws an Error naming the step that failed (with the cause attached). */
export async function uploadBlock(block: LocalBlock, opts: UploadBlockOptions): Promise<UploadedBlock> {
  const id = block.meta.ulid;
  if (Object.keys(opts.labels).length === 0) throw new Error(`upload block ${id}: empty external labels are not allowed for a Thanos block`);
  const updir = join(opts.tsdbPath, UPLOAD_DIR, id);
  await rm(updir, { recursive: true, force: true });
  try {
    const files = await linkBlock(block.dir, updir);
    const meta = thanosMeta(block.meta, files, opts);
    let bytes = 0;
    let metaStarted = false;
    try {
      for (const f of files) {
        // Streamed from the hard link: a segment is up to 512 MiB, never held in memory whole.
        await opts.bucket.uploadFile(`${id}/${f.relPath}`, join(updir, f.relPath), opts.signal);
        bytes += f.size;
        opts.onObject?.(`${id}/${f.relPath}`, f.size);
      }
      // upload_time is when the block became visible, i.e. now, just before its meta.json goes up.
      meta.thanos!.upload_time = new Date(opts.now()).toISOString();
      const metaBytes = new TextEncoder().encode(serializeMeta(meta));
      metaStarted = true;
      await opts.bucket.upload(`${id}/${META_FILENAME}`, metaBytes, opts.signal);
      bytes += metaBytes.length;
      opts.onObject?.(`${id}/${META_FILENAME}`, metaBytes.length);
    } catch (err) {
      // Shutting down: leave the partial prefix for the next run rather than delay the exit.
      if (!metaStarted && !opts.signal?.aborted) await cleanUp(opts.bucket, id).catch((e: Error) => opts.onCleanupError?.(e));
      throw new Error(`upload block ${id}: ${metaStarted ? 'upload meta.json' : 'upload files'}: ${(err as Error).message}`, { cause: err });
    }
    return { meta, bytes };
  } finally {
    await rm(updir, { recursive: true, force: true });
  }
}

interface BlockFile {
  relPath: string;
  size: number;
}

/**
 * Hard-links `chunks/*` and `index` into `updir`; copies where the filesystem refuses links. Returns the
 * files in upload order: chunk segments (sorted), then the index.
 */
async function linkBlock(src: string, updir: string): Promise<BlockFile[]> {
  await mkdir(join(updir, CHUNKS_DIR), { recursive: true });
  let segments: string[];
  try {
    segments = (await readdir(join(src, CHUNKS_DIR), { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
  } catch (err) {
    // A block without chunks/ has no series; its index still describes it.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`hard link block ${src}: list chunks: ${(err as Error).message}`, { cause: err });
    segments = [];
  }
  const files: BlockFile[] = [];
  for (const rel of [...segments.map((s) => `${CHUNKS_DIR}/${s}`), INDEX_FILE]) {
    const from = join(src, rel);
    const to = join(updir, rel);
    try {
      await link(from, to);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK') {
        throw new Error(`hard link block ${src}: ${rel}: ${(err as Error).message}`, { cause: err });
      }
      await copyFile(from, to);
    }
    files.push({ relPath: rel, size: (await stat(to)).size });
  }
  return files;
}

/** Prometheus's meta plus the thanos section the shipper adds; an existing section keeps its other fields. */
function thanosMeta(local: BlockMeta, files: BlockFile[], opts: UploadBlockOptions): BlockMeta {
  const prev: Partial<ThanosMeta> = local.thanos ?? {};
  // Thanos's GatherFileStats: every chunk file and the index with sizes, meta.json without, sorted by path.
  const fileStats = [...files.map((f) => ({ rel_path: f.relPath, size_bytes: f.size })), { rel_path: META_FILENAME }];
  fileStats.sort((a, b) => (a.rel_path < b.rel_path ? -1 : a.rel_path > b.rel_path ? 1 : 0));
  const thanos: ThanosMeta = {
    ...prev,
    version: 1,
    labels: { ...opts.labels },
    downsample: { resolution: prev.downsample?.resolution ?? RESOLUTION_RAW },
    source: opts.source,
    segment_files: files.filter((f) => f.relPath.startsWith(`${CHUNKS_DIR}/`)).map((f) => f.relPath.slice(CHUNKS_DIR.length + 1)),
    files: fileStats,
  };
  return { ...local, thanos };
}

/** Deletes every object under `<ULID>/`; refuses if meta.json is there (then the block is complete, not partial). */
async function cleanUp(bucket: Bucket, id: string): Promise<void> {
  const names = await bucket.list(`${id}/`, { recursive: true });
  if (names.includes(`${id}/${META_FILENAME}`)) return;
  for (const name of names) await bucket.delete(name);
}
