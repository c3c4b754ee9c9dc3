/**
 * Thanos objstore YAML (`--objstore.config` inline or `--objstore.config-file`) → a Bucket.
 *
 *   type: GCS                          type: FILESYSTEM
 *   config:                            config:
 *     bucket: my-blocks                  directory: /data/bucket
 *     service_account: |-              prefix: tenant-a            # optional, any type
 *       {"type": "service_account", …}
 *     endpoint: http://127.0.0.1:4443  # promfed extra (test servers): no credentials are sent
 *
 * The type is matched case-insensitively, as Thanos does. Fields Thanos accepts for GCS but that do not apply
 * to us (use_grpc, grpc_conn_pool_size, http_config, chunk_size_bytes) are accepted and ignored, so Thanos
 * manifests work unchanged; `max_retries` caps attempts (Thanos: the Go client's max attempts). Anything else
 * unknown is an error — a typo should not silently fall back to a default.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { assertNever } from '../model/index.js';
import type { Bucket } from './bucket.js';
import { FilesystemBucket } from './filesystem.js';
import { GcsBucket, type GcsBucketOptions } from './gcs.js';
import { PrefixedBucket } from './prefixed.js';

/** The objstore configuration is unusable; the CLIs exit with code 2 on it. */
export class ObjstoreConfigError extends Error {
  override name = 'ObjstoreConfigError';
}

export type ObjstoreConfig =
  | { type: 'GCS'; prefix: string; gcs: GcsBucketOptions }
  | { type: 'FILESYSTEM'; prefix: string; directory: string };

const THANOS_TYPES = ['GCS', 'S3', 'AZURE', 'SWIFT', 'COS', 'ALIYUNOSS', 'BOS', 'OCI', 'OBS', 'FILESYSTEM'];
const GCS_IGNORED = new Set(['use_grpc', 'grpc_conn_pool_size', 'http_config', 'chunk_size_bytes']);

/** Parses objstore YAML; `source` names it in errors (a file path, or "--objstore.config"). */
export function parseObjstoreConfig(text: string, source = 'objstore config'): ObjstoreConfig {
  const fail = (msg: string): never => {
    throw new ObjstoreConfigError(`${source}: ${msg}`);
  };
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    return fail(`invalid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return fail('empty configuration');
  if (!isMap(doc)) return fail('expected a mapping with "type" and "config"');
  for (const k of Object.keys(doc)) if (k !== 'type' && k !== 'config' && k !== 'prefix') fail(`unknown field ${JSON.stringify(k)}`);
  if (typeof doc.type !== 'string' || doc.type === '') return fail('missing "type" (GCS or FILESYSTEM)');
  const type = doc.type.toUpperCase();
  const prefix = doc.prefix ?? '';
  if (typeof prefix !== 'string') return fail('"prefix" must be a string');
  const config = doc.config ?? {};
  if (!isMap(config)) return fail('"config" must be a mapping');

  const str = (key: string, required: boolean): string | undefined => {
    const v = config[key];
    if (v === undefined || v === null || v === '') return required ? fail(`${type}: missing config.${key}`) : undefined;
    if (typeof v !== 'string') return fail(`${type}: config.${key} must be a string`);
    return v;
  };

  switch (type) {
    case 'FILESYSTEM': {
      for (const k of Object.keys(config)) if (k !== 'directory') fail(`FILESYSTEM: unknown field config.${k}`);
      return { type: 'FILESYSTEM', prefix, directory: str('directory', true)! };
    }
    case 'GCS': {
      for (const k of Object.keys(config)) {
        if (!['bucket', 'service_account', 'endpoint', 'max_retries'].includes(k) && !GCS_IGNORED.has(k)) fail(`GCS: unknown field config.${k}`);
      }
      const gcs: GcsBucketOptions = { bucket: str('bucket', true)! };
      const sa = str('service_account', false);
      if (sa !== undefined) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(sa);
        } catch (err) {
          fail(`GCS: config.service_account is not JSON: ${(err as Error).message}`);
        }
        if (!isMap(parsed) || typeof parsed.client_email !== 'string' || typeof parsed.private_key !== 'string') {
          fail('GCS: config.service_account must be a service-account key (JSON with client_email and private_key)');
        }
        gcs.serviceAccount = sa;
      }
      const endpoint = str('endpoint', false);
      if (endpoint !== undefined) {
        if (!/^https?:\/\/[^/]+/.test(endpoint)) fail(`GCS: config.endpoint must be an http(s) URL, got ${JSON.stringify(endpoint)}`);
        gcs.endpoint = endpoint;
      }
      const maxRetries = config.max_retries;
      if (maxRetries !== undefined && maxRetries !== null) {
        if (typeof maxRetries !== 'number' || !Number.isInteger(maxRetries) || maxRetries < 0) fail('GCS: config.max_retries must be a non-negative integer');
        if ((maxRetries as number) > 0) gcs.retry = { maxAttempts: maxRetries as number };
      }
      return { type: 'GCS', prefix, gcs };
    }
    default:
      return fail(
        THANOS_TYPES.includes(type)
          ? `objstore type ${type} is not supported by promfed (supported: GCS, FILESYSTEM)`
          : `unknown objstore type ${JSON.stringify(doc.type)} (supported: GCS, FILESYSTEM)`,
      );
  }
}

/**
 * The config from the flag pair, as Thanos's path-or-content flags: exactly one of them must be set.
 */
export async function loadObjstoreConfig(flags: { config?: string; configFile?: string }): Promise<ObjstoreConfig> {
  const hasInline = flags.config !== undefined && flags.config !== '';
  const hasFile = flags.configFile !== undefined && flags.configFile !== '';
  if (hasInline && hasFile) throw new ObjstoreConfigError('both --objstore.config and --objstore.config-file are set; use one');
  if (hasInline) return parseObjstoreConfig(flags.config!, '--objstore.config');
  if (!hasFile) throw new ObjstoreConfigError('no object storage configured: set --objstore.config-file or --objstore.config');
  let text: string;
  try {
    text = await readFile(flags.configFile!, 'utf8');
  } catch (err) {
    throw new ObjstoreConfigError(`--objstore.config-file ${flags.configFile}: ${(err as Error).message}`, { cause: err });
  }
  return parseObjstoreConfig(text, flags.configFile);
}

export function createBucket(config: ObjstoreConfig): Bucket {
  let bucket: Bucket;
  switch (config.type) {
    case 'FILESYSTEM':
      bucket = new FilesystemBucket(config.directory);
      break;
    case 'GCS':
      bucket = new GcsBucket(config.gcs);
      break;
    default:
      return assertNever(config, 'objstore config');
  }
  return config.prefix.replace(/\//g, '') === '' ? bucket : new PrefixedBucket(bucket, config.prefix);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
