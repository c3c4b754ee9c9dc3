/**
 * Finding the blocks in a Prometheus data directory (`--storage.tsdb.path`): directories named by a ULID
 * holding a meta.json, oldest first (by minTime, as Thanos's shipper orders them).
 *
 * A running Prometheus keeps more there — `wal/`, `chunks_head/`, `lock`, `queries.active`, blocks being written
 * (`<ULID>.tmp-for-creation`) or deleted (`<ULID>.tmp-for-deletion`), and our own `thanos/upload/` — none of
 * which has a bare ULID name, so the name test alone keeps them out. Prometheus renames a block into place only
 * once complete, so a ULID directory with a meta.json is a whole block.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { META_FILENAME, isULID, parseMeta, type BlockMeta } from '../../tsdb/index.js';

export interface LocalBlock {
  dir: string;
  meta: BlockMeta;
}

/** A ULID directory whose meta.json could not be used: skipped, logged and counted by the shipper. */
export interface CorruptBlock {
  dir: string;
  ulid: string;
  error: string;
}

export interface ScanResult {
  blocks: LocalBlock[];
  corrupt: CorruptBlock[];
}

/** Throws only when `tsdbPath` itself cannot be listed. */
export async function scanBlocks(tsdbPath: string): Promise<ScanResult> {
  const entries = await readdir(tsdbPath, { withFileTypes: true });
  const blocks: LocalBlock[] = [];
  const corrupt: CorruptBlock[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || !isULID(e.name)) continue;
    const dir = join(tsdbPath, e.name);
    let bytes: Buffer;
    try {
      bytes = await readFile(join(dir, META_FILENAME));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Gone between readdir and here (Prometheus deleted it after a compaction), or never a block.
      if (code === 'ENOENT') continue;
      corrupt.push({ dir, ulid: e.name, error: `read ${META_FILENAME}: ${(err as Error).message}` });
      continue;
    }
    try {
      const meta = parseMeta(bytes);
      if (meta.ulid !== e.name) throw new Error(`meta.json ulid ${meta.ulid} does not match the directory name`);
      blocks.push({ dir, meta });
    } catch (err) {
      corrupt.push({ dir, ulid: e.name, error: (err as Error).message });
    }
  }
  // ULIDs break ties so the order is the same on every run.
  blocks.sort((a, b) => a.meta.minTime - b.meta.minTime || (a.meta.ulid < b.meta.ulid ? -1 : a.meta.ulid > b.meta.ulid ? 1 : 0));
  return { blocks, corrupt };
}
