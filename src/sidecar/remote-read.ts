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
import type { IncomingMessage } from 'node:http';
import snappy from 'snappyjs';
import { StorageError, throwIfAborted, type Matcher } from '../model/index.js';
import { decodeReadResponse, encodeReadRequest, matchersToProto, millisToInt64, ReadResponseType } from '../storeapi/index.js';
import { decodeChunkedFrame, type RemoteSeries } from './chunked-decoder.js';
import { DEFAULT_FRAME_LIMIT_BYTES, readFrames } from './frames.js';
import type { PrometheusHttp } from './prometheus-http.js';
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
    const body = snappy.compress(
      encodeReadRequest({
        queries: [
          {
            start_timestamp_ms: millisToInt64(q.mint),
            end_timestamp_ms: millisToInt64(q.maxt),
            matchers: matchersToProto(q.matchers),
            hints: { start_ms: millisToInt64(q.mint), end_ms: millisToInt64(q.maxt) },
          },
        ],
        accepted_response_types: [ReadResponseType.STREAMED_XOR_CHUNKS, ReadResponseType.SAMPLES],
      }),
    );
    const res = await this.prom.post('api/v1/read', body, READ_REQUEST_HEADERS, signal);
    try {
      const type = (res.headers['content-type'] ?? '').toLowerCase();
      if (type.startsWith('application/x-streamed-protobuf')) {
        if (!type.includes('proto=prometheus.chunkedreadresponse')) {
          throw new StorageError(`remote read: unexpected streamed message type in content type ${JSON.stringify(type)}`);
        }
        yield* this.streamed(res, signal);
      } else if (type.startsWith(SAMPLES_CONTENT_TYPE)) {
        yield* await this.samples(res, signal);
      } else {
        throw new StorageError(`remote read: unexpected response content type ${JSON.stringify(type)}`);
      }
    } finally {
      // Normal end: already drained. Early exit or error: drop the connection rather than read the rest.
      if (!res.complete) res.destroy();
    }
  }

  private async *streamed(res: IncomingMessage, signal?: AbortSignal): AsyncGenerator<RemoteSeries> {
    let frames;
    try {
      frames = readFrames(bodyOf(res, signal), this.frameLimit);
      for await (const frame of frames) {
        const msg = decodeChunkedFrame(frame);
        if (msg.queryIndex !== 0) throw new StorageError(`remote read: frame for query ${msg.queryIndex}, but only query 0 was asked`);
        for (const s of msg.series) yield s;
      }
    } catch (err) {
      throwIfAborted(signal, 'remote read');
      throw err;
    }
  }

  private async samples(res: IncomingMessage, signal?: AbortSignal): Promise<RemoteSeries[]> {
    const parts: Buffer[] = [];
    let n = 0;
    for await (const chunk of bodyOf(res, signal)) {
      n += chunk.length;
      if (n > this.maxSamplesBody) throw new StorageError(`remote read: SAMPLES response larger than ${this.maxSamplesBody} bytes`);
      parts.push(chunk as Buffer);
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

/** The response body as Buffers; a broken connection becomes a StorageError saying so. */
async function* bodyOf(res: IncomingMessage, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) yield chunk;
  } catch (err) {
    throwIfAborted(signal, 'remote read');
    if (err instanceof StorageError) throw err;
    throw new StorageError(`remote read: response stream broken: ${(err as Error).message}`, { cause: err });
  }
  // Node ends the stream without an error when a chunked body is cut short in some cases; `complete` tells.
  if (!res.complete) throw new StorageError('remote read: response stream ended before the body was complete');
}
