/**
 * Prometheus remote-read messages (package `prometheus`, protos/prompb/) with plain protobuf encode/decode.
 * The sidecar sends them over HTTP, not gRPC: the request body is snappy(block) of a ReadRequest; a
 * streamed response is a sequence of frames `uvarint size | CRC32-C BE | ChunkedReadResponse`
 * (docs/format/storeapi.md §Remote read); framing and snappy are the sidecar's job.
 */
import type { Int64 } from './int64.js';
import { decodeMessage, encodeMessage } from './codec.js';
import type { ProtoLabel, ProtoMatchType } from './types.js';

export enum ReadResponseType {
  SAMPLES = 0,
  STREAMED_XOR_CHUNKS = 1,
}

/** prometheus.Chunk.Encoding: Prometheus chunkenc numbering (Thanos = this − 1). */
export enum PromChunkEncoding {
  UNKNOWN = 0,
  XOR = 1,
  HISTOGRAM = 2,
  FLOAT_HISTOGRAM = 3,
}

export interface ReadHints {
  step_ms: Int64;
  func: string;
  start_ms: Int64;
  end_ms: Int64;
  grouping: string[];
  by: boolean;
  range_ms: Int64;
}

export interface ReadQuery {
  start_timestamp_ms: Int64;
  end_timestamp_ms: Int64;
  matchers: { type: ProtoMatchType; name: string; value: string }[];
  hints?: Partial<ReadHints> | null;
}

export interface ReadRequest {
  queries: ReadQuery[];
  /** In order of preference. */
  accepted_response_types: ReadResponseType[];
}

export interface PromSample {
  value: number;
  timestamp: Int64;
}

export interface TimeSeries {
  labels: ProtoLabel[];
  samples: PromSample[];
}

export interface ReadResponse {
  results: { timeseries: TimeSeries[] }[];
}

export interface PromChunk {
  min_time_ms: Int64;
  max_time_ms: Int64;
  type: PromChunkEncoding;
  data: Uint8Array;
}

export interface ChunkedSeries {
  labels: ProtoLabel[];
  chunks: PromChunk[];
}

export interface ChunkedReadResponse {
  chunked_series: ChunkedSeries[];
  query_index: Int64;
}

export function encodeReadRequest(req: ReadRequest): Uint8Array {
  return encodeMessage('prometheus.ReadRequest', req);
}

export function decodeReadRequest(bytes: Uint8Array): ReadRequest {
  return decodeMessage<ReadRequest>('prometheus.ReadRequest', bytes);
}

/** The SAMPLES response body (after snappy decompression). */
export function decodeReadResponse(bytes: Uint8Array): ReadResponse {
  return decodeMessage<ReadResponse>('prometheus.ReadResponse', bytes);
}

export function encodeReadResponse(res: ReadResponse): Uint8Array {
  return encodeMessage('prometheus.ReadResponse', res);
}

/** The data of one STREAMED_XOR_CHUNKS frame (after the size and CRC are checked). */
export function decodeChunkedReadResponse(bytes: Uint8Array): ChunkedReadResponse {
  return decodeMessage<ChunkedReadResponse>('prometheus.ChunkedReadResponse', bytes);
}

export function encodeChunkedReadResponse(res: ChunkedReadResponse): Uint8Array {
  return encodeMessage('prometheus.ChunkedReadResponse', res);
}
