/**
 * A GCS JSON-API test server: the part of Google Cloud Storage that the real `@google-cloud/storage` client
 * uses for our Bucket, answering the way real GCS does (no GCS emulator exists on this machine, peers.md §3).
 *
 *   GET    /storage/v1/b/:bucket                       bucket metadata
 *   GET    /storage/v1/b/:bucket/o                     list: prefix, delimiter, maxResults, pageToken,
 *                                                      startOffset, endOffset → items, prefixes, nextPageToken
 *   GET    /storage/v1/b/:bucket/o/:object             object metadata (size and generation as strings,
 *                                                      md5Hash and crc32c base64 as GCS sends them)
 *   GET    /storage/v1/b/:bucket/o/:object?alt=media   download; `Range: bytes=a-b` → 206 + Content-Range,
 *                                                      a range starting at or past the end → 416
 *   POST   /upload/storage/v1/b/:bucket/o              uploadType=media (name in the query) or multipart
 *   DELETE /storage/v1/b/:bucket/o/:object             204
 *
 * The same routes answer without `/storage/v1` and under `/download/storage/v1`: the client uses
 * STORAGE_EMULATOR_HOST verbatim as its base URL. `ifGenerationMatch` / `ifGenerationNotMatch` are honoured.
 *
 * Fault injection: `inject({ op: 'media', times: 2, fault: { kind: 'status', status: 503 } })` makes the next
 * two matching requests fail; faults are 503/429/any status, added latency, a truncated body (headers announce
 * the full length, fewer bytes arrive, the socket is destroyed), a reset before any answer, or one flipped byte.
 * `requests` records every request with the status answered, so tests can count attempts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { crc32c } from '@node-rs/crc32';

export type GcsOp = 'bucket' | 'list' | 'metadata' | 'media' | 'upload' | 'delete' | 'other';

export interface RecordedRequest {
  op: GcsOp;
  method: string;
  url: string;
  object?: string;
  range?: string;
  status: number;
  fault?: GcsFault['kind'];
}

export type GcsFault =
  | { kind: 'status'; status: number }
  | { kind: 'latency'; ms: number }
  /** Announce the full Content-Length, send only `bytes` bytes of the body, then destroy the socket. */
  | { kind: 'truncate'; bytes: number }
  /** Destroy the socket before answering (ECONNRESET at the client). */
  | { kind: 'reset' }
  /** Flip one byte in the middle of the body (damage in flight; headers and hashes stay those of the object). */
  | { kind: 'corrupt' };

export interface FaultRule {
  op?: GcsOp;
  object?: string | RegExp;
  /** How many matching requests get the fault (default 1). */
  times?: number;
  fault: GcsFault;
}

interface StoredObject {
  data: Buffer;
  generation: string;
  metageneration: string;
  created: Date;
  updated: Date;
  md5Hash: string;
  crc32c: string;
  contentType: string;
}

export interface GcsTestServerOptions {
  /** Largest page a list returns whatever maxResults asks (real GCS: 1000), to exercise pagination. */
  maxPageSize?: number;
  buckets?: string[];
}

export class GcsTestServer {
  readonly requests: RecordedRequest[] = [];
  readonly #buckets = new Map<string, Map<string, StoredObject>>();
  readonly #faults: FaultRule[] = [];
  readonly #maxPageSize: number;
  #generation = Date.now() * 1000;
  #server: Server;

  private constructor(server: Server, opts: GcsTestServerOptions) {
    this.#server = server;
    this.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.#maxPageSize = opts.maxPageSize ?? 1000;
    for (const b of opts.buckets ?? []) this.createBucket(b);
  }

  static async start(opts: GcsTestServerOptions = {}): Promise<GcsTestServer> {
    let self!: GcsTestServer;
    const server = createServer((req, res) => {
      self.#handle(req, res).catch((err: unknown) => {
        // A bug here must show in the test, not vanish: answer 500 with the message when still possible.
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(err));
        else res.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new GcsTestServer(server, opts);
    return self;
  }

  /** `http://127.0.0.1:<port>`: the `apiEndpoint` for the client. */
  readonly endpoint: string;

  createBucket(name: string): void {
    if (!this.#buckets.has(name)) this.#buckets.set(name, new Map());
  }

  putObject(bucket: string, name: string, data: Uint8Array | string): void {
    this.#store(bucket, name, Buffer.from(data), 'application/octet-stream');
  }

  getObject(bucket: string, name: string): Buffer | undefined {
    return this.#buckets.get(bucket)?.get(name)?.data;
  }

  inject(rule: FaultRule): void {
    this.#faults.push({ ...rule, times: rule.times ?? 1 });
  }

  /** Requests seen for `op` (and `object`, when given). */
  count(op: GcsOp, object?: string): number {
    return this.requests.filter((r) => r.op === op && (object === undefined || r.object === object)).length;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #store(bucket: string, name: string, data: Buffer, contentType: string): StoredObject {
    const objects = this.#buckets.get(bucket);
    if (!objects) throw new Error(`no bucket ${bucket}`);
    const now = new Date();
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32c(data) >>> 0); // GCS: base64 of the big-endian CRC-32C
    const obj: StoredObject = {
      data,
      generation: String(++this.#generation),
      metageneration: '1',
      created: now,
      updated: now,
      md5Hash: createHash('md5').update(data).digest('base64'),
      crc32c: crc.toString('base64'),
      contentType,
    };
    objects.set(name, obj);
    return obj;
  }

  #resource(bucket: string, name: string, o: StoredObject): Record<string, unknown> {
    const enc = encodeURIComponent(name);
    return {
      kind: 'storage#object',
      id: `${bucket}/${name}/${o.generation}`,
      selfLink: `${this.endpoint}/storage/v1/b/${bucket}/o/${enc}`,
      mediaLink: `${this.endpoint}/download/storage/v1/b/${bucket}/o/${enc}?generation=${o.generation}&alt=media`,
      name,
      bucket,
      generation: o.generation,
      metageneration: o.metageneration,
      contentType: o.contentType,
      storageClass: 'STANDARD',
      size: String(o.data.length),
      md5Hash: o.md5Hash,
      crc32c: o.crc32c,
      etag: `C${o.generation.slice(-8)}EAE=`,
      timeCreated: o.created.toISOString(),
      updated: o.updated.toISOString(),
      timeStorageClassUpdated: o.created.toISOString(),
    };
  }

  #takeFault(op: GcsOp, object: string | undefined): GcsFault | undefined {
    for (const rule of this.#faults) {
      if (rule.times! <= 0) continue;
      if (rule.op !== undefined && rule.op !== op) continue;
      if (rule.object !== undefined) {
        if (object === undefined) continue;
        if (typeof rule.object === 'string' ? rule.object !== object : !rule.object.test(object)) continue;
      }
      rule.times!--;
      return rule.fault;
    }
    return undefined;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const q = url.searchParams;
    const route = parseRoute(req.method ?? 'GET', url.pathname, q);
    const rec: RecordedRequest = { op: route.op, method: req.method ?? 'GET', url: req.url ?? '', status: 0 };
    if (route.object !== undefined) rec.object = route.object;
    if (req.headers.range) rec.range = req.headers.range;
    this.requests.push(rec);
    const body = await readBody(req);

    let truncateAt: number | undefined;
    let corrupt = false;
    const fault = this.#takeFault(route.op, route.object ?? (route.op === 'upload' ? uploadName(req, q, body) : undefined));
    if (fault) {
      rec.fault = fault.kind;
      switch (fault.kind) {
        case 'reset':
          req.socket.destroy();
          return;
        case 'latency':
          await new Promise((r) => setTimeout(r, fault.ms));
          break;
        case 'status': {
          const reason = fault.status === 429 ? 'rateLimitExceeded' : fault.status >= 500 ? 'backendError' : 'invalid';
          rec.status = fault.status;
          return sendError(res, fault.status, `injected ${fault.status}`, reason);
        }
        case 'truncate':
          truncateAt = fault.bytes;
          break;
        case 'corrupt':
          corrupt = true;
          break;
      }
    }
    const send = (status: number, headers: Record<string, string>, payload: Buffer): void => {
      rec.status = status;
      if (corrupt && payload.length > 0) {
        payload = Buffer.from(payload);
        payload[payload.length >> 1]! ^= 0xff;
      }
      res.writeHead(status, { ...headers, 'Content-Length': String(payload.length) });
      if (truncateAt !== undefined && truncateAt < payload.length) {
        // Flush what was promised so far, then cut the connection: the client sees a short body.
        res.write(payload.subarray(0, truncateAt), () => res.socket?.destroy());
        return;
      }
      res.end(payload);
    };
    const json = (status: number, v: unknown): void =>
      send(status, { 'Content-Type': 'application/json; charset=UTF-8' }, Buffer.from(JSON.stringify(v)));
    const fail = (status: number, message: string, reason: string): void => {
      rec.status = status;
      sendError(res, status, message, reason);
    };

    const objects = route.bucket !== undefined ? this.#buckets.get(route.bucket) : undefined;
    if (route.op === 'other' || route.bucket === undefined) return fail(404, `Not Found: ${req.method} ${url.pathname}`, 'notFound');
    if (!objects) return fail(404, 'The specified bucket does not exist.', 'notFound');
    const bucket = route.bucket;

    switch (route.op) {
      case 'bucket':
        return json(200, { kind: 'storage#bucket', id: bucket, name: bucket, location: 'US', storageClass: 'STANDARD' });
      case 'list':
        return json(200, this.#list(bucket, objects, q));
      case 'upload': {
        const parsed = parseUpload(req, q, body);
        if (typeof parsed === 'string') return fail(400, parsed, 'invalid');
        const existing = objects.get(parsed.name);
        const pre = precondition(q, existing);
        if (pre) return fail(412, pre, 'conditionNotMet');
        return json(200, this.#resource(bucket, parsed.name, this.#store(bucket, parsed.name, parsed.data, parsed.contentType)));
      }
      case 'metadata':
      case 'media':
      case 'delete': {
        const name = route.object!;
        const o = objects.get(name);
        if (!o) {
          const msg = `No such object: ${bucket}/${name}`;
          if (route.op !== 'media') return fail(404, msg, 'notFound');
          // Media downloads answer errors in plain text, not the JSON error envelope.
          rec.status = 404;
          res.writeHead(404, { 'Content-Type': 'text/html; charset=UTF-8' }).end(msg);
          return;
        }
        const pre = precondition(q, o);
        if (pre) return fail(412, pre, 'conditionNotMet');
        if (route.op === 'metadata') return json(200, this.#resource(bucket, name, o));
        if (route.op === 'delete') {
          objects.delete(name);
          rec.status = 204;
          res.writeHead(204).end();
          return;
        }
        return this.#media(o, req.headers.range, send, rec, res);
      }
    }
  }

  #media(
    o: StoredObject,
    rangeHeader: string | undefined,
    send: (status: number, headers: Record<string, string>, payload: Buffer) => void,
    rec: RecordedRequest,
    res: ServerResponse,
  ): void {
    const size = o.data.length;
    const headers: Record<string, string> = {
      'Content-Type': o.contentType,
      'Accept-Ranges': 'bytes',
      ETag: `"${Buffer.from(o.md5Hash, 'base64').toString('hex')}"`,
      'Last-Modified': o.updated.toUTCString(),
      'x-goog-generation': o.generation,
      'x-goog-metageneration': o.metageneration,
      'x-goog-stored-content-encoding': 'identity',
      'x-goog-stored-content-length': String(size),
      // Whole-object hashes, also on 206 answers (the client validates only full downloads).
      'x-goog-hash': `crc32c=${o.crc32c},md5=${o.md5Hash}`,
    };
    const range = parseRange(rangeHeader, size);
    if (range === 'unsatisfiable') {
      rec.status = 416;
      res
        .writeHead(416, { 'Content-Type': 'application/xml; charset=UTF-8', 'Content-Range': `bytes */${size}` })
        .end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidRange</Code><Message>The requested range cannot be satisfied.</Message></Error>');
      return;
    }
    if (range === undefined) return send(200, headers, o.data);
    const [start, end] = range;
    send(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${size}` }, o.data.subarray(start, end + 1));
  }

  #list(bucket: string, objects: Map<string, StoredObject>, q: URLSearchParams): Record<string, unknown> {
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const startOffset = q.get('startOffset') ?? '';
    const endOffset = q.get('endOffset');
    const asked = Number(q.get('maxResults') ?? '1000');
    const pageSize = Math.max(1, Math.min(this.#maxPageSize, Number.isFinite(asked) && asked > 0 ? asked : 1000));
    // The token is the last key (name or collapsed prefix) already returned; keys come in sorted order.
    const token = q.get('pageToken');
    const after = token ? Buffer.from(token, 'base64url').toString('utf8') : undefined;

    const names = [...objects.keys()].filter((n) => n.startsWith(prefix) && n >= startOffset && (endOffset === null || n < endOffset));
    names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))); // GCS orders by UTF-8 bytes
    const items: Record<string, unknown>[] = [];
    const prefixes: string[] = [];
    let last: string | undefined;
    let more = false;
    for (const n of names) {
      const cut = delimiter ? n.indexOf(delimiter, prefix.length) : -1;
      const key = cut >= 0 ? n.slice(0, cut + delimiter.length) : n;
      if (after !== undefined && Buffer.compare(Buffer.from(key), Buffer.from(after)) <= 0) continue;
      if (key === last) continue; // the same collapsed prefix again
      if (items.length + prefixes.length >= pageSize) {
        more = true;
        break;
      }
      if (cut >= 0) prefixes.push(key);
      else items.push(this.#resource(bucket, n, objects.get(n)!));
      last = key;
    }
    const out: Record<string, unknown> = { kind: 'storage#objects' };
    if (more && last !== undefined) out.nextPageToken = Buffer.from(last).toString('base64url');
    if (prefixes.length) out.prefixes = prefixes;
    if (items.length) out.items = items;
    return out;
  }
}

interface Route {
  op: GcsOp;
  bucket?: string;
  object?: string;
}

function parseRoute(method: string, pathname: string, q: URLSearchParams): Route {
  const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o\/?$/.exec(pathname);
  if (upload) return method === 'POST' ? { op: 'upload', bucket: decodeURIComponent(upload[1]!) } : { op: 'other' };
  const m = /^(?:\/download)?(?:\/storage\/v1)?\/b\/([^/]+)(?:\/o(?:\/(.+))?)?\/?$/.exec(pathname);
  if (!m) return { op: 'other' };
  const bucket = decodeURIComponent(m[1]!);
  const hasO = /\/o(\/|$)/.test(pathname.slice(pathname.indexOf('/b/') + 3 + m[1]!.length));
  if (m[2] !== undefined) {
    const object = decodeURIComponent(m[2]);
    if (method === 'GET') return { op: q.get('alt') === 'media' ? 'media' : 'metadata', bucket, object };
    if (method === 'DELETE') return { op: 'delete', bucket, object };
    return { op: 'other', bucket, object };
  }
  if (hasO) return method === 'GET' ? { op: 'list', bucket } : { op: 'other', bucket };
  return method === 'GET' ? { op: 'bucket', bucket } : { op: 'other', bucket };
}

/** [start, end] inclusive, undefined to send the whole object, or 'unsatisfiable' (416). */
export function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // malformed or multi-range: ignored, as HTTP allows
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return [Math.max(0, size - n), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Number(m[2]);
  if (end < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return [start, Math.min(end, size - 1)];
}

function precondition(q: URLSearchParams, o: StoredObject | undefined): string | undefined {
  const gen = o?.generation ?? '0';
  const match = q.get('ifGenerationMatch');
  if (match !== null && match !== gen) return 'At least one of the pre-conditions you specified did not hold.';
  const notMatch = q.get('ifGenerationNotMatch');
  if (notMatch !== null && notMatch === gen) return 'At least one of the pre-conditions you specified did not hold.';
  return undefined;
}

function sendError(res: ServerResponse, status: number, message: string, reason: string): void {
  const body = JSON.stringify({ error: { code: status, message, errors: [{ message, domain: 'global', reason }] } });
  res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': String(Buffer.byteLength(body)) }).end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const c of req) chunks.push(c as Buffer);
  } catch {
    // client went away mid-upload; answer nothing useful
  }
  return Buffer.concat(chunks);
}

function uploadName(req: IncomingMessage, q: URLSearchParams, body: Buffer): string | undefined {
  const p = parseUpload(req, q, body);
  return typeof p === 'string' ? undefined : p.name;
}

/** The object of a media or multipart upload, or an error message. */
function parseUpload(req: IncomingMessage, q: URLSearchParams, body: Buffer): { name: string; data: Buffer; contentType: string } | string {
  const type = q.get('uploadType');
  const contentType = req.headers['content-type'] ?? 'application/octet-stream';
  if (type === 'media') {
    const name = q.get('name');
    return name ? { name, data: body, contentType } : 'Required parameter: name';
  }
  if (type !== 'multipart') return `unsupported uploadType ${JSON.stringify(type)}`;
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!boundary) return 'multipart upload without a boundary';
  const parts = splitMultipart(body, boundary);
  if (parts.length !== 2) return `multipart upload with ${parts.length} parts, want 2`;
  let meta: { name?: string; contentType?: string };
  try {
    meta = JSON.parse(parts[0]!.body.toString('utf8')) as typeof meta;
  } catch {
    return 'multipart metadata is not JSON';
  }
  const name = meta.name ?? q.get('name');
  if (!name) return 'Required parameter: name';
  return { name, data: parts[1]!.body, contentType: meta.contentType ?? parts[1]!.headers['content-type'] ?? 'application/octet-stream' };
}

function splitMultipart(body: Buffer, boundary: string): { headers: Record<string, string>; body: Buffer }[] {
  const delim = Buffer.from(`--${boundary}`);
  const out: { headers: Record<string, string>; body: Buffer }[] = [];
  let pos = body.indexOf(delim);
  while (pos >= 0) {
    const start = pos + delim.length;
    if (body.subarray(start, start + 2).toString() === '--') break; // closing delimiter
    const next = body.indexOf(delim, start);
    if (next < 0) break;
    // Each part: CRLF, headers, CRLF CRLF, body, CRLF before the next delimiter.
    const part = body.subarray(start + 2, next - 2);
    const sep = part.indexOf('\r\n\r\n');
    const headers: Record<string, string> = {};
    for (const line of part.subarray(0, Math.max(0, sep)).toString('utf8').split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    out.push({ headers, body: sep >= 0 ? part.subarray(sep + 4) : Buffer.alloc(0) });
    pos = next;
  }
  return out;
}
