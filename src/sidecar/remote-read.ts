/**
 * Prometheus remote read as a client (format: docs/format/remote-read.md): one query per request, asking
 * for STREAMED_XOR_CHUNKS first and SAMPLES second, as the Thanos sidecar does. Yields Prometheus's
 * series one at a time, in the order they arrive, with chunks as Prometheus encoded them (decoded by
 * chunked-decoder.ts straight into Labels and numbers).
 *
 * The streamed answer is consumed frame by frame as the body arrives (frames.ts), so memory is bounded by
 * one frame plus what the caller keeps. A SAMPLES answer (old Prometheus, or a remote-read server that
 * only speaks that) is one snappy block that has to be read whole; it is bounded by `maxSamplesBodyBytes`
 * and re-encoded into XOR chunks (samples.ts).
 */
import snappy from 'snappyjs';
import { StorageError, throwIfAborted, type Matcher } from '../model/index.js';
import { decodeReadResponse } from '../storeapi/index.js';
import { decodeChunkedFrame, type RemoteSeries } from './chunked-decoder.js';
import { DEFAULT_FRAME_LIMIT_BYTES, FrameSplitter } from './frames.js';
import type { StreamedResponse } from './http1/client.js';
import type { PrometheusHttp } from './prometheus-http.js';
import { readRequestBody } from './read-request.js';
import { remoteSeriesFromSamples } from './samples.js';

export const STREAMED_CONTENT_TYPE = 'application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse';
export const SAMPLES_CONTENT_TYPE = 'application/x-protobuf';

/** Request headers as the Thanos sidecar sends them. */
export const READ_REQUEST_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/x-stream-protobuf',
  'content-encoding': 'snappy',
  'x-prometheus-remote-read-version': '0.1.0',
  'user-agent': 'promfed-sidecar',
};

/** A piece of a remote-read answer (RemoteReadClient.readParts): frames as they arrive, or decoded SAMPLES series. */
export type ReadPart = { frames: Uint8Array[]; series?: undefined } | { series: RemoteSeries[]; frames?: undefined };

export interface RemoteReadQuery {
  mint: number;
  maxt: number;
  matchers: readonly Matcher[];
}

export interface RemoteReadOptions {
  frameLimitBytes?: number;
  /** Bound on a whole SAMPLES body, compressed and uncompressed (default 1 GiB). */
  maxSamplesBodyBytes?: number;
}

export class RemoteReadClient {
  private readonly frameLimit: number;
  private readonly maxSamplesBody: number;

  constructor(
    private readonly prom: PrometheusHttp,
    opts: RemoteReadOptions = {},
  ) {
    this.frameLimit = opts.frameLimitBytes ?? DEFAULT_FRAME_LIMIT_BYTES;
    this.maxSamplesBody = opts.maxSamplesBodyBytes ?? 1024 * 1024 * 1024;
  }

  /** The series of one query. Breaking out of the loop (or `signal`) closes the HTTP response. */
  async *read(q: RemoteReadQuery, signal?: AbortSignal): AsyncGenerator<RemoteSeries> {
    for await (const part of this.readParts(q, signal)) {
      if (part.series !== undefined) {
        for (const s of part.series) yield s;
        continue;
      }
      for (const frame of part.frames) {
        const msg = decodeChunkedFrame(frame);
        if (msg.queryIndex !== 0) throw new StorageError(`remote read: frame for query ${msg.queryIndex}, but only query 0 was asked`);
        for (const s of msg.series) yield s;
      }
    }
  }

  /**
   * The answer to one query as it arrives, undecoded where it can be: groups of CRC-checked frames (each a
   * `prometheus.ChunkedReadResponse`, views of the received bytes) for a streamed answer, or all series of a
   * SAMPLES answer at once. Breaking out of the loop (or `signal`) closes the HTTP response.
   */
  async *readParts(q: RemoteReadQuery, signal?: AbortSignal): AsyncGenerator<ReadPart> {
    const body = readRequestBody(q.mint, q.maxt, q.matchers);
    const res = await this.prom.post('api/v1/read', body, READ_REQUEST_HEADERS, signal);
    try {
      const type = (res.headers.get('content-type') ?? '').toLowerCase();
      if (type.startsWith('application/x-streamed-protobuf')) {
        if (!type.includes('proto=prometheus.chunkedreadresponse')) {
          throw new StorageError(`remote read: unexpected streamed message type in content type ${JSON.stringify(type)}`);
        }
        yield* this.streamed(res, signal);
      } else if (type.startsWith(SAMPLES_CONTENT_TYPE)) {
        yield { series: await this.samples(res, signal) };
      } else {
        throw new StorageError(`remote read: unexpected response content type ${JSON.stringify(type)}`);
      }
    } finally {
      // Normal end: already drained. Early exit or error: drop the connection rather than read the rest.
      if (!res.complete) res.destroy();
    }
  }

  private async *streamed(res: StreamedResponse, signal?: AbortSignal): AsyncGenerator<ReadPart> {
    try {
      const splitter = new FrameSplitter(this.frameLimit);
      for await (const group of bodyGroups(res, signal)) {
        const frames: Uint8Array[] = [];
        for (const chunk of group) splitter.push(chunk, frames);
        if (frames.length > 0) yield { frames };
      }
      splitter.end();
    } catch (err) {
      throwIfAborted(signal, 'remote read');
      throw err;
    }
  }

  private async samples(res: StreamedResponse, signal?: AbortSignal): Promise<RemoteSeries[]> {
    const parts: Buffer[] = [];
    let n = 0;
    for await (const group of bodyGroups(res, signal)) {
      for (const chunk of group) {
        n += chunk.length;
        if (n > this.maxSamplesBody) throw new StorageError(`remote read: SAMPLES response larger than ${this.maxSamplesBody} bytes`);
        parts.push(chunk);
      }
    }
    let raw: Uint8Array;
    try {
      raw = snappy.uncompress(Buffer.concat(parts), this.maxSamplesBody);
    } catch (err) {
      throw new StorageError(`remote read: SAMPLES response is not valid snappy: ${(err as Error).message}`, { cause: err });
    }
    const msg = decodeReadResponse(raw);
    if (msg.results.length === 0) return [];
    if (msg.results.length > 1) throw new StorageError(`remote read: ${msg.results.length} results for one query`);
    return remoteSeriesFromSamples(msg.results[0].timeseries);
  }
}

/**
 * The response body in groups: the pieces that arrived since the last group (views of the socket's reads,
 * one per HTTP chunk — about one frame each, as Prometheus flushes per frame). A broken or cut connection
 * becomes a StorageError saying so.
 */
async function* bodyGroups(res: StreamedResponse, signal?: AbortSignal): AsyncGenerator<Buffer[]> {
  try {
    yield* res.body();
  } catch (err) {
    throwIfAborted(signal, 'remote read');
    throw new StorageError(`remote read: response stream broken: ${(err as Error).message}`, { cause: err });
  }
}
