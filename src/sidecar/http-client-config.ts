/**
 * Thanos's `--prometheus.http-client[-file]` YAML (its HTTP client config), the parts that decide whether the
 * sidecar can talk to Prometheus at all — what prometheus-operator sets when Prometheus serves TLS:
 *
 *   basic_auth: {username, password | password_file}
 *   bearer_token | bearer_token_file
 *   tls_config: {ca_file, cert_file, key_file, server_name, insecure_skip_verify}
 *   transport_config: {…}      Go transport tuning: accepted, no effect
 *   proxy_url                  refused: not supported
 *
 * Any other key is refused, as Thanos's strict YAML parsing refuses it. Files are read once, at start.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';

export interface PrometheusClientConfig {
  /** The Authorization header for every request, if any. */
  authorization?: string;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; servername?: string; rejectUnauthorized: boolean };
}

const TOP = new Set(['basic_auth', 'bearer_token', 'bearer_token_file', 'tls_config', 'transport_config', 'proxy_url']);
const BASIC = new Set(['username', 'password', 'password_file']);
const TLS = new Set(['ca_file', 'cert_file', 'key_file', 'server_name', 'insecure_skip_verify']);

/** Throws an Error naming the problem (the CLI turns it into a usage error, exit 2). */
export async function parsePrometheusClientConfig(text: string): Promise<PrometheusClientConfig> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new Error(`not YAML: ${(err as Error).message}`, { cause: err });
  }
  if (doc === null || doc === undefined) return {};
  const top = section(doc, 'the configuration', TOP);
  if (top.proxy_url !== undefined && top.proxy_url !== '') throw new Error('proxy_url: not supported by promfed');
  const out: PrometheusClientConfig = {};

  const basic = top.basic_auth === undefined ? undefined : section(top.basic_auth, 'basic_auth', BASIC);
  const bearer = str(top.bearer_token, 'bearer_token') || (top.bearer_token_file !== undefined ? (await file(top.bearer_token_file, 'bearer_token_file')).toString('utf8').trim() : '');
  if (basic !== undefined && bearer !== '') throw new Error('basic_auth and a bearer token are mutually exclusive');
  if (basic !== undefined) {
    if (basic.password !== undefined && basic.password_file !== undefined) throw new Error('basic_auth: give password or password_file, not both');
    const password = basic.password_file !== undefined ? (await file(basic.password_file, 'basic_auth.password_file')).toString('utf8').trim() : str(basic.password, 'basic_auth.password');
    out.authorization = `Basic ${Buffer.from(`${str(basic.username, 'basic_auth.username')}:${password}`).toString('base64')}`;
  } else if (bearer !== '') out.authorization = `Bearer ${bearer}`;

  if (top.tls_config !== undefined) {
    const t = section(top.tls_config, 'tls_config', TLS);
    if ((t.cert_file === undefined) !== (t.key_file === undefined)) throw new Error('tls_config: cert_file and key_file go together');
    const skip = t.insecure_skip_verify ?? false;
    if (typeof skip !== 'boolean') throw new Error('tls_config.insecure_skip_verify: true or false');
    // Only the keys given: they are spread over the connection's own options (its server name among them).
    out.tls = { rejectUnauthorized: !skip };
    if (t.ca_file !== undefined) out.tls.ca = await file(t.ca_file, 'tls_config.ca_file');
    if (t.cert_file !== undefined) out.tls.cert = await file(t.cert_file, 'tls_config.cert_file');
    if (t.key_file !== undefined) out.tls.key = await file(t.key_file, 'tls_config.key_file');
    const serverName = str(t.server_name, 'tls_config.server_name');
    if (serverName !== '') out.tls.servername = serverName;
  }
  return out;
}

function section(v: unknown, what: string, known: Set<string>): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what}: a mapping expected`);
  for (const k of Object.keys(v)) if (!known.has(k)) throw new Error(`${what}: unknown field ${JSON.stringify(k)}`);
  return v as Record<string, unknown>;
}

function str(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new Error(`${what}: a string expected`);
  return v;
}

async function file(v: unknown, what: string): Promise<Buffer> {
  const path = str(v, what);
  try {
    return await readFile(path);
  } catch (err) {
    throw new Error(`${what}: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}
