/**
 * objstore: object storage for blocks — the Bucket interface (list, get, ranged get, exists, attributes,
 * upload, delete) with GCS and local-directory implementations, configured by Thanos's objstore YAML.
 *
 * It knows nothing of TSDB blocks; tsdb/ and store/ read through it, the shipper writes through it.
 *
 *   const bucket = new FilesystemBucket('/data/bucket');
 *   const names = await bucket.list('');                      // ['01HX…/', …]
 *   const toc = await bucket.getRange('01HX…/index', size - 52, 52);
 */
export { ObjectNotFoundError, type Bucket, type ListOptions, type ObjectAttributes } from './bucket.js';
export { FilesystemBucket } from './filesystem.js';
