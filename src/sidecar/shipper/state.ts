/**
 * The shipper's state file, `<tsdb.path>/thanos.shipper.json`, in Thanos's format so a sidecar can be swapped
 * for Thanos's (or back) without re-uploading anything:
 *
 *   {
 *   	"version": 1,
 *   	"uploaded": ["01HX…", …]
 *   }
 *
 * It is a cache, not the truth: a block missing from it is still checked against the bucket (`<ULID>/meta.json`)
 * before uploading, so a lost or unreadable state file costs one `exists` call per block, never a duplicate.
 * That is why a bad file is reported and treated as empty rather than stopping the shipper.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isULID } from '../../tsdb/index.js';

export const STATE_FILENAME = 'thanos.shipper.json';
export const STATE_VERSION = 1;

export interface ShipperState {
  /** ULIDs uploaded (or found in the bucket) that still exist locally. */
  uploaded: string[];
}

/** What reading the state file found; `problem` explains why the file was ignored, if it was. */
export interface ReadStateResult {
  state: ShipperState;
  problem?: string;
}

export async function readState(tsdbPath: string): Promise<ReadStateResult> {
  const path = join(tsdbPath, STATE_FILENAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: { uploaded: [] } };
    return { state: { uploaded: [] }, problem: `read ${path}: ${(err as Error).message}` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { state: { uploaded: [] }, problem: `${path} is not JSON: ${(err as Error).message}` };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { state: { uploaded: [] }, problem: `${path} is not a JSON object` };
  const o = raw as Record<string, unknown>;
  // Thanos refuses any other version ("unexpected meta file version"); we read that as "no state".
  if (o.version !== STATE_VERSION) return { state: { uploaded: [] }, problem: `${path}: version ${JSON.stringify(o.version)}, want ${STATE_VERSION}` };
  // Go writes a nil slice as null.
  if (o.uploaded === null || o.uploaded === undefined) return { state: { uploaded: [] } };
  if (!Array.isArray(o.uploaded)) return { state: { uploaded: [] }, problem: `${path}: "uploaded" is not an array` };
  const uploaded = o.uploaded.filter(isULID);
  const dropped = o.uploaded.length - uploaded.length;
  return dropped > 0 ? { state: { uploaded }, problem: `${path}: ignored ${dropped} entries that are not ULIDs` } : { state: { uploaded } };
}

/**
 * Writes the state atomically: a temp file, fsync, rename over the old one, fsync the directory. A crash
 * leaves either the old file or the new one, never half of one.
 */
export async function writeState(tsdbPath: string, state: ShipperState): Promise<void> {
  const path = join(tsdbPath, STATE_FILENAME);
  const tmp = `${path}.tmp`;
  // Go's json.Encoder with SetIndent("", "\t"): tab indents and a trailing newline.
  const text = JSON.stringify({ version: STATE_VERSION, uploaded: state.uploaded }, null, '\t') + '\n';
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dirname(path));
}

/** fsync a directory so a rename inside it survives a power loss; not every platform allows it. */
async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // EISDIR/EPERM on some platforms: the rename is still atomic, only not yet durable.
  } finally {
    await fh?.close();
  }
}
