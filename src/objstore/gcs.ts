/**
 * `type: GCS` buckets on @google-cloud/storage v7 (Thanos's gcs provider).
 *
 * Listing, metadata, uploads and deletes go through the client. Media downloads (get, getRange) use the
 * client's endpoint and credentials but Node's own fetch, because the client's download stream has two
 * failure modes a store gateway cannot live with (both reproduced against test/helpers/gcs-server.ts):
 *   - a body cut short by the server (fewer bytes than Content-Length, then the socket closes) neither ends
 *     nor errors: its transport (node-fetch 2) drops the socket's 'aborted' event, so the read hangs forever;
 *   - any failed download (an abort included) destroys the client's shared keep-alive agent, which silently
 *     stalls every other download in flight, for the same reason.
 * Fetch reports a short body as an error, takes an AbortSignal, and we check the byte count and the CRC-32C
 * ourselves, so a truncated read is never returned as if complete.
 *
 * Retries are ours (retry.ts), and the client's are switched off (`autoRetry: false`): its policy would
 * multiply with ours (3 × ours attempts), it does not know truncated bodies or our deadline, and it cannot be
 * turned down to zero otherwise (`maxRetries: 0` is read as "unset" and becomes 3).
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Storage, type File, type StorageOptions } from '@google-cloud/storage';
import { crc32c } from '@node-rs/crc32';
import { ObjectNotFoundError, type Bucket, type ListOptions, type ObjectAttributes } from './bucket.js';
import {
  ChecksumMismatchError,
  DEFAULT_RETRY_POLICY,
  HttpStatusError,
  TruncatedBodyError,
  raceSignal,
  withRetries,
  type RetryPolicy,
} from './retry.js';

export interface GcsBucketOptions {
  bucket: string;
  /** Inline service-account JSON (Thanos `service_account`); otherwise GOOGLE_APPLICATION_CREDENTIALS / ADC. */
  serviceAccount?: string;
  /** API endpoint, e.g. `http://127.0.0.1:4443` for a test server; requests to it carry no credentials. */
  endpoint?: string;
  retry?: Partial<RetryPolicy>;
  /** Objects per list page (GCS allows at most 1000 and may return fewer). */
  pageSize?: number;
}

export class GcsBucket implements Bucket {
  readonly name: string;
  readonly #storage: Storage;
  readonly #bucket: ReturnType<Storage['bucket']>;
  readonly #policy: RetryPolicy;
  readonly #pageSize: number;
  readonly #mediaBase: string;
  readonly #anonymous: boolean;

  constructor(opts: GcsBucketOptions) {
    this.name = `gcs://${opts.bucket}`;
    this.#policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
    this.#pageSize = Math.min(1000, Math.max(1, opts.pageSize ?? 1000));
    const so: StorageOptions = {
      retryOptions: { autoRetry: false },
      // The client's own per-request timeout for JSON calls; our attempt timeout is the one that counts.
      timeout: this.#policy.attemptTimeoutMs,
    };
    if (opts.endpoint) so.apiEndpoint = opts.endpoint;
    if (opts.serviceAccount) {
      const creds = JSON.parse(opts.serviceAccount) as { project_id?: string };
      so.credentials = creds as StorageOptions['credentials'];
      if (creds.project_id) so.projectId = creds.project_id;
    }
    this.#storage = new Storage(so);
    this.#bucket = this.#storage.bucket(opts.bucket);
    // Same rule as the client: a custom endpoint (option or STORAGE_EMULATOR_HOST) gets no credentials.
    this.#anonymous = this.#storage.customEndpoint && !this.#storage.useAuthWithCustomEndpoint;
    this.#mediaBase = `${this.#storage.apiEndpoint}/storage/v1/b/${encodeURIComponent(opts.bucket)}/o/`;
  }

  #retry<T>(what: string, name: string, attempt: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withRetries(`${this.name}: ${what} ${JSON.stringify(name)}`, this.#policy, attempt, signal);
  }

  async list(prefix: string, opts: ListOptions = {}, signal?: AbortSignal): Promise<string[]> {
    const out: string[] = [];
    let pageToken: string | undefined;
    do {
      // One page per attempt: a failure on page 40 retries page 40, not the whole listing.
      const query = {
        prefix,
        autoPaginate: false,
        maxResults: this.#pageSize,
        ...(opts.recursive ? {} : { delimiter: '/' }),
        ...(pageToken ? { pageToken } : {}),
      };
      const [files, next, raw] = await this.#retry('list', prefix, (s) => raceSignal(this.#bucket.getFiles(query), s), signal);
      for (const f of files) if (f.name !== prefix) out.push(f.name); // a "directory placeholder" object is not an entry
      for (const p of (raw as { prefixes?: string[] } | undefined)?.prefixes ?? []) out.push(p);
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
    } while (pageToken);
    return out.sort();
  }

  get(name: string, signal?: AbortSignal): Promise<Uint8Array> {
    return this.#retry('get', name, (s) => this.#media(name, undefined, s), signal);
  }

  async getRange(name: string, offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new RangeError(`invalid range ${offset}+${length} of ${name}`);
    }
    if (length === 0) {
      // HTTP cannot ask for zero bytes; answer as a one-byte read would, for existence and bounds.
      const { size } = await this.attributes(name, signal);
      if (offset > size) throw new RangeError(`range ${offset}+0 starts past the end of ${name} (${size} bytes)`);
      return new Uint8Array(0);
    }
    return this.#retry('get range', name, (s) => this.#media(name, [offset, offset + length - 1], s), signal);
  }

  async exists(name: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.attributes(name, signal);
      return true;
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return false;
      throw err;
    }
  }

  attributes(name: string, signal?: AbortSignal): Promise<ObjectAttributes> {
    return this.#retry(
      'attributes',
      name,
      async (s) => {
        const [m] = await raceSignal(this.#file(name).getMetadata(), s).catch(notFound(name));
        return { size: Number(m.size), lastModified: Date.parse(String(m.updated)) };
      },
      signal,
    );
  }

  upload(name: string, data: Uint8Array, signal?: AbortSignal): Promise<void> {
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    // A simple (multipart) upload: one request, so a retry re-sends the object whole; the client checks the
    // CRC-32C the server computed against the bytes it sent.
    return this.#retry('upload', name, (s) => raceSignal(this.#file(name).save(buf, { resumable: false, validation: 'crc32c' }), s), signal);
  }

  uploadFile(name: string, path: string, signal?: AbortSignal): Promise<void> {
    // Streamed from the file as one multipart request (Thanos's GCS writer streams too); a retry reads the file
    // again from the start. The client checks the CRC-32C the server computed against the bytes it streamed.
    // The attempt's signal destroys both streams (the request with them) when it fires.
    const attempt = (s: AbortSignal): Promise<void> =>
      raceSignal(pipeline(createReadStream(path), this.#file(name).createWriteStream({ resumable: false, validation: 'crc32c' }), { signal: s }), s);
    return this.#retry('upload', name, attempt, signal);
  }

  delete(name: string, signal?: AbortSignal): Promise<void> {
    return this.#retry(
      'delete',
      name,
      async (s) => {
        await raceSignal(this.#file(name).delete(), s).catch(notFound(name));
      },
      signal,
    );
  }

  async close(): Promise<void> {}

  #file(name: string): File {
    return this.#bucket.file(name);
  }

  /** One download attempt: the whole object, or bytes [start, end] (inclusive, as HTTP and GCS count). */
  async #media(name: string, range: [number, number] | undefined, signal: AbortSignal): Promise<Uint8Array> {
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    if (range) headers.Range = `bytes=${range[0]}-${range[1]}`;
    if (!this.#anonymous) Object.assign(headers, await this.#storage.authClient.getRequestHeaders());
    const res = await fetch(`${this.#mediaBase}${encodeURIComponent(name)}?alt=media`, { headers, signal });
    if (res.status === 404) {
      await res.body?.cancel();
      throw new ObjectNotFoundError(name);
    }
    if (res.status === 416) {
      const total = /\/(\d+)$/.exec(res.headers.get('content-range') ?? '')?.[1];
      await res.body?.cancel();
      throw new RangeError(`range ${range![0]}+${range![1] - range![0] + 1} starts past the end of ${name}${total ? ` (${total} bytes)` : ''}`);
    }
    if (res.status !== 200 && res.status !== 206) {
      const text = (await res.text().catch(() => '')).slice(0, 300);
      throw new HttpStatusError(res.status, `download ${name}: HTTP ${res.status}: ${text}`);
    }
    const announced = res.headers.get('content-encoding') ? undefined : Number(res.headers.get('content-length') ?? NaN);
    const body = new Uint8Array(await res.arrayBuffer());
    const what = `download ${name}`;
    if (announced !== undefined && Number.isFinite(announced) && body.length < announced) throw new TruncatedBodyError(what, body.length, announced);

    if (res.status === 206) {
      // Content-Range "bytes a-b/total" says what we were sent and how much there was to send.
      const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
      if (!range || !m || Number(m[1]) !== range[0]) throw new HttpStatusError(502, `${what}: unexpected Content-Range ${res.headers.get('content-range')}`);
      const total = m[3] === '*' ? Infinity : Number(m[3]);
      const want = Math.min(range[1] + 1, total) - range[0];
      if (body.length !== want) throw new TruncatedBodyError(what, body.length, want);
      return body;
    }
    if (range) {
      // A 200 to a ranged request carries the whole object (a server may ignore Range): cut out our part.
      if (range[0] >= body.length) throw new RangeError(`range starts past the end of ${name} (${body.length} bytes)`);
      return body.subarray(range[0], Math.min(range[1] + 1, body.length));
    }
    // x-goog-hash and the stored length describe the bytes as stored; they match what we hold only when the
    // object is stored and served as is (not gzip-transcoded, as `gsutil cp -z` objects are).
    const stored = res.headers.get('x-goog-stored-content-encoding');
    if (!res.headers.get('content-encoding') && (stored === null || stored === 'identity')) {
      checkCrc32c(what, body, res.headers.get('x-goog-hash'), res.headers.get('x-goog-stored-content-length'));
    }
    return body;
  }
}

/** Whole-object downloads: x-goog-hash `crc32c=<base64 big-endian>`; a mismatch means the bytes were damaged. */
function checkCrc32c(what: string, body: Uint8Array, xGoogHash: string | null, storedLength: string | null): void {
  if (storedLength !== null && Number(storedLength) !== body.length) throw new TruncatedBodyError(what, body.length, Number(storedLength));
  const want = /(?:^|,)\s*crc32c=([^,]+)/.exec(xGoogHash ?? '')?.[1];
  if (!want) return;
  const got = Buffer.alloc(4);
  got.writeUInt32BE(crc32c(body) >>> 0);
  if (got.toString('base64') !== want.trim()) throw new ChecksumMismatchError(`${what}: CRC-32C ${got.toString('base64')} != announced ${want}`);
}

function notFound(name: string): (err: unknown) => never {
  return (err: unknown) => {
    if ((err as { code?: unknown }).code === 404) throw new ObjectNotFoundError(name);
    throw err;
  };
}

