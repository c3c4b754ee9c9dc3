/**
 * meta.json of a block in a bucket. Absent → undefined: Thanos uploads meta.json last, so a block without
 * one is still being uploaded (or was abandoned), not corrupt. Present but invalid → the parser's
 * StorageError, prefixed with the object name.
 */
import { ObjectNotFoundError, type Bucket } from '../objstore/index.js';
import { StorageError } from '../model/index.js';
import { META_FILENAME, parseMeta, type BlockMeta } from './meta.js';

export async function readBlockMeta(bucket: Bucket, blockId: string, signal?: AbortSignal): Promise<BlockMeta | undefined> {
  const name = `${blockId}/${META_FILENAME}`;
  let bytes: Uint8Array;
  try {
    bytes = await bucket.get(name, signal);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return undefined;
    throw err;
  }
  let meta: BlockMeta;
  try {
    meta = parseMeta(bytes);
  } catch (err) {
    throw new StorageError(`${name}: ${(err as Error).message}`, { cause: err });
  }
  if (meta.ulid !== blockId) throw new StorageError(`${name}: ulid ${meta.ulid} does not match the block directory ${blockId}`);
  return meta;
}
