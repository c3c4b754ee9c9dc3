/**
 * A SeriesRequest serialised once, for a fan-out that sends the same request to many stores: the querier
 * would otherwise copy and encode it once per store per select. StoreClient.series takes it in place of the
 * plain object, and one Buffer serves every call.
 *
 *   const encoded = encodeSeriesRequest(req);
 *   for (const store of stores) streams.push(store.series(encoded, { signal }));
 *
 * The bytes are written by hand (encodeSeriesRequestBytes), the same as protobufjs through canonical.ts gives:
 * that generic path took ~80 µs of cold code per query, before any store was asked anything. What the hand
 * writer does not take as it is (an enum by name, an int64 it would have to round or wrap, anything odd) goes
 * the generic way, which also gives the error message for a request that cannot be encoded.
 */
import { BadDataError } from '../model/index.js';
import { encodeCanonical } from './canonical.js';
// protos.ts imports this module too (to recognise the class): use only its functions, and only at call time.
import { protoRoot } from './protos.js';
import { ProtoWriter } from './proto-writer.js';
import type { SeriesRequest } from './types.js';

export class EncodedSeriesRequest {
  /** The request as sent: kept for handlers and tests that look at it. */
  readonly request: Readonly<Partial<SeriesRequest>>;
  /** The proto3-canonical bytes of `request`. Not to be mutated: every call sends them. */
  readonly bytes: Buffer;

  constructor(request: Partial<SeriesRequest>) {
    this.request = request;
    try {
      this.bytes = encodeSeriesRequestBytes(request);
    } catch (err) {
      throw new BadDataError(`encode thanos.SeriesRequest: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** Serialises `req` once (BadDataError if it cannot be encoded). */
export function encodeSeriesRequest(req: Partial<SeriesRequest>): EncodedSeriesRequest {
  return new EncodedSeriesRequest(req);
}

/** The proto3-canonical bytes of a SeriesRequest; throws (TypeError) on a value that cannot be encoded. */
export function encodeSeriesRequestBytes(req: Partial<SeriesRequest>): Buffer {
  let bytes: Buffer | undefined;
  try {
    bytes = handWritten(req);
  } catch {
    // a sub-message the generic path refuses: let it say why
  }
  if (bytes !== undefined) return bytes;
  const b = encodeCanonical(protoRoot().lookupType('thanos.SeriesRequest'), req as Record<string, unknown>);
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

// Field tags of thanos.SeriesRequest (storepb/rpc.proto), in field order: protobufjs writes them so.
// response_batch_size = 16 takes a two-byte tag (16 << 3 = 128: 0x80 0x01).
const INT64_TAGS = { min_time: 0x08, max_time: 0x10, max_resolution_window: 0x20, step: 0x50, range: 0x58, limit: 0x78, response_batch_size: 0x80 } as const;
/** An int64 as a decimal string the hand writer takes: one canonical.ts reads the same way ("-0", "007": not). */
const PLAIN_INT64 = /^(?:0|-?[1-9][0-9]{0,17})$/;

/** The request by hand, or undefined to take the generic path. */
function handWritten(req: Partial<SeriesRequest>): Buffer | undefined {
  if (typeof req !== 'object' || req === null) return undefined;
  const w = new ProtoWriter();
  const int64 = (tag: number, v: unknown): boolean => {
    if (v === undefined || v === null) return true;
    if (typeof v === 'number' ? !Number.isSafeInteger(v) : typeof v === 'string' ? !PLAIN_INT64.test(v) : true) return false;
    w.int64(tag, v as number | string);
    return true;
  };
  const bool = (tag: number, v: unknown): boolean => {
    if (v === undefined || v === null || v === false) return true;
    if (v !== true) return false;
    w.varint(tag);
    w.varint(1);
    return true;
  };
  /** A sub-message present (even empty) is written, by the generic path: they are rare and small. */
  const subMessage = (tag: number, type: string, v: unknown): void => {
    if (v !== undefined && v !== null) w.bytes(tag, encodeCanonical(protoRoot().lookupType(type), v as Record<string, unknown>));
  };
  if (!int64(INT64_TAGS.min_time, req.min_time) || !int64(INT64_TAGS.max_time, req.max_time)) return undefined;
  if (!repeated(req.matchers)) return undefined;
  for (const m of req.matchers ?? []) {
    if (typeof m !== 'object' || m === null || !isEnumNumber(m.type) || typeof m.name !== 'string' || typeof m.value !== 'string') return undefined;
    w.matcher(0x1a, m);
  }
  if (!int64(INT64_TAGS.max_resolution_window, req.max_resolution_window)) return undefined;
  if (!repeated(req.aggregates)) return undefined;
  const aggregates = req.aggregates ?? [];
  if (aggregates.length > 0) {
    if (!aggregates.every(isEnumNumber)) return undefined;
    w.message(0x2a, () => aggregates.forEach((a) => w.enumValue(a))); // packed
  }
  if (!bool(0x30, req.partial_response_disabled)) return undefined;
  const strategy = req.partial_response_strategy;
  if (strategy !== undefined && strategy !== null) {
    if (!isEnumNumber(strategy)) return undefined;
    if (strategy !== 0) {
      w.varint(0x38);
      w.enumValue(strategy);
    }
  }
  if (!bool(0x40, req.skip_chunks)) return undefined;
  subMessage(0x4a, 'google.protobuf.Any', req.hints);
  if (!int64(INT64_TAGS.step, req.step) || !int64(INT64_TAGS.range, req.range)) return undefined;
  subMessage(0x62, 'thanos.QueryHints', req.query_hints);
  subMessage(0x6a, 'thanos.ShardInfo', req.shard_info);
  if (!repeated(req.without_replica_labels)) return undefined;
  for (const name of req.without_replica_labels ?? []) {
    if (typeof name !== 'string') return undefined;
    w.string(0x72, name, true);
  }
  if (!int64(INT64_TAGS.limit, req.limit)) return undefined;
  if (!int64(INT64_TAGS.response_batch_size, req.response_batch_size)) return undefined;
  return w.take();
}

function repeated(v: unknown): boolean {
  return v === undefined || v === null || Array.isArray(v);
}

function isEnumNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff;
}
