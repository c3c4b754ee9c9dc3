/**
 * Reusable flag parsing for the components: durations and sizes in Prometheus/Thanos syntax, repeatable
 * flags, and the common groups (HTTP, gRPC, logging, object storage). A value that does not parse is a commander
 * InvalidArgumentError, which main.ts turns into a clear message and exit code 2.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { createBucket, loadObjstoreConfig, ObjstoreConfigError, type Bucket } from '../objstore/index.js';
import { parsePromDuration } from '../promql/index.js';
import { UsageError } from './usage-error.js';

/** `30s`, `5m`, `2h`, `1h30m`, `250ms` → ms. */
export function parseDurationFlag(value: string): number {
  const ms = parsePromDuration(value.trim());
  if (ms === undefined) throw new InvalidArgumentError(`not a valid duration: ${JSON.stringify(value)} (use e.g. 30s, 5m, 1h30m)`);
  return ms;
}

/** A positive integer flag. */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`not a positive integer: ${JSON.stringify(value)}`);
  return n;
}

/** Go strconv.ParseBool for `--flag=value` booleans as kingpin accepts them. */
export function parseBoolFlag(value: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw new InvalidArgumentError(`not a boolean: ${JSON.stringify(value)}`);
}

/** `host:port` (host may be empty or a bracketed IPv6 literal). */
export function parseListenAddress(value: string): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]*):(\d{1,5})$/.exec(value);
  if (!m || Number(m[2]) > 65535) throw new InvalidArgumentError(`not a host:port address: ${JSON.stringify(value)}`);
  return value;
}

/** Splits `host:port` for listen(): an empty host means every interface. */
export function splitHostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  let host = address.slice(0, i);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host: host === '' ? '0.0.0.0' : host, port: Number(address.slice(i + 1)) };
}

/** Collector for repeatable flags. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Collector for flags that are both repeatable and comma-separated (`--query.replica-label=a,b`). */
export function collectCommaSeparated(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter((s) => s !== '')];
}

export function httpFlags(cmd: Command, defaultAddress = '0.0.0.0:10902'): Command {
  return cmd.option('--http-address <host:port>', 'listen address for HTTP (API, UI, metrics, probes)', parseListenAddress, defaultAddress);
}

export function grpcFlags(cmd: Command, defaultAddress = '0.0.0.0:10901'): Command {
  return cmd.option('--grpc-address <host:port>', 'listen address for the gRPC StoreAPI', parseListenAddress, defaultAddress);
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export function logFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option('--log.level <level>', 'log filtering level').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .addOption(new Option('--log.format <format>', 'log format (both are one JSON line per event)').choices(['logfmt', 'json']).default('logfmt'))
    // Thanos's tracing flags, accepted so manifests that set them run; we export no traces, and say so.
    .option('--tracing.config <yaml>', 'accepted for Thanos compatibility; no traces are exported (a warning says so)', tracingIgnored('--tracing.config'))
    .option('--tracing.config-file <file>', 'accepted for Thanos compatibility; no traces are exported (a warning says so)', tracingIgnored('--tracing.config-file'));
}

function tracingIgnored(flag: string): (v: string) => string {
  return (v) => {
    process.stderr.write(`promfed: warning: tracing is not implemented; ${flag} is accepted and ignored\n`);
    return v;
  };
}

/** Thanos's path-or-content pair for the objstore YAML; exactly one must be given (checked by bucketFromObjstoreFlags). */
export function objstoreFlags(cmd: Command): Command {
  return cmd
    .option('--objstore.config-file <file>', 'object store configuration (YAML)')
    .option('--objstore.config <yaml>', 'object store configuration as YAML (alternative to --objstore.config-file)');
}

/** The bucket objstoreFlags describe; a missing or unusable config is a UsageError (exit code 2). */
export function bucketFromObjstoreFlags(o: Record<string, unknown>): Promise<Bucket> {
  return bucketFromObjstoreConfig({ config: o['objstore.config'] as string | undefined, configFile: o['objstore.configFile'] as string | undefined });
}

/** The bucket of an inline or file objstore config; an unusable one is a UsageError (exit code 2). */
export async function bucketFromObjstoreConfig(source: { config?: string; configFile?: string }): Promise<Bucket> {
  try {
    return createBucket(await loadObjstoreConfig(source));
  } catch (err) {
    if (err instanceof ObjstoreConfigError) throw new UsageError(err.message, { cause: err });
    throw err;
  }
}
