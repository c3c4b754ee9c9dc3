/**
 * objstore: object storage for blocks — the Bucket interface (list, get, ranged get, exists, attributes,
 * upload, delete) with GCS (@google-cloud/storage) and local-directory implementations, configured by
 * Thanos's objstore YAML (`type: GCS | FILESYSTEM`, optional `prefix`). GCS calls retry transient failures
 * (429, 5xx, resets, truncated bodies) with backoff within a deadline; 404 is ObjectNotFoundError, never retried.
 *
 * It knows nothing of TSDB blocks; tsdb/ and store/ read through it, the shipper writes through it. It has no
 * caches (store/ owns those) and no S3/Azure providers.
 *
 *   const bucket = createBucket(await loadObjstoreConfig({ configFile: 'bucket.yml' }));
 *   const names = await bucket.list('');                      // ['01HX…/', …]
 *   const toc = await bucket.getRange('01HX…/index', size - 52, 52);
 *   // ObjstoreConfigError from loadObjstoreConfig → exit code 2
 */
export { ObjectNotFoundError, type Bucket, type ListOptions, type ObjectAttributes } from './bucket.js';
export { FilesystemBucket } from './filesystem.js';
export { GcsBucket, type GcsBucketOptions } from './gcs.js';
export { PrefixedBucket } from './prefixed.js';
export { ObjstoreConfigError, createBucket, loadObjstoreConfig, parseObjstoreConfig, type ObjstoreConfig } from './config.js';
export { DEFAULT_RETRY_POLICY, TruncatedBodyError, isTransient, type RetryPolicy } from './retry.js';
