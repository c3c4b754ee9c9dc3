/**
 * The object storage seam (Thanos objstore.Bucket): what the store gateway, the shipper and the bucket tools
 * need from GCS or a local directory, and nothing more. Object names use `/` separators, no leading slash.
 */

export interface ObjectAttributes {
  size: number;
  /** Last modification, ms since the epoch. */
  lastModified: number;
}

export interface ListOptions {
  /**
   * false (default): list one level under `prefix` — objects, and "directories" as names ending in `/`
   * (GCS delimiter `/`). true: every object below `prefix`, recursively, no directory entries.
   */
  recursive?: boolean;
}

/** Thrown (or rejected) when an object does not exist; every implementation maps its own 404 to this. */
export class ObjectNotFoundError extends Error {
  override name = 'ObjectNotFoundError';
  constructor(readonly objectName: string) {
    super(`object not found: ${objectName}`);
  }
}

export interface Bucket {
  /** For logs and errors: e.g. `gcs://my-bucket` or `file:///data/bucket`. */
  readonly name: string;
  /** Names under `prefix` (which should end in `/` unless empty), sorted. */
  list(prefix: string, opts?: ListOptions, signal?: AbortSignal): Promise<string[]>;
  /** The whole object. ObjectNotFoundError when missing. */
  get(name: string, signal?: AbortSignal): Promise<Uint8Array>;
  /**
   * `length` bytes from `offset` (fewer at the end of the object; a range starting past the end is an error,
   * as GCS's 416). ObjectNotFoundError when missing.
   */
  getRange(name: string, offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array>;
  exists(name: string, signal?: AbortSignal): Promise<boolean>;
  attributes(name: string, signal?: AbortSignal): Promise<ObjectAttributes>;
  /** Creates or replaces the object. */
  upload(name: string, data: Uint8Array, signal?: AbortSignal): Promise<void>;
  /**
   * Creates or replaces the object with the contents of a local file, streamed: a block's chunk segments are
   * up to 512 MiB each, too much to hold in memory to upload.
   */
  uploadFile(name: string, path: string, signal?: AbortSignal): Promise<void>;
  /** Deletes the object; deleting a missing object is ObjectNotFoundError. */
  delete(name: string, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
