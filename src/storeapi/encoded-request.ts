/**
 * A SeriesRequest serialised once, for a fan-out that sends the same request to many stores: the querier
 * would otherwise copy and encode it once per store per select (canonical.ts + protobufjs, tens of µs each).
 * StoreClient.series takes it in place of the plain object; grpc-js copies the bytes into each call's frame,
 * so one Buffer serves every call.
 *
 *   const encoded = encodeSeriesRequest(req);
 *   for (const store of stores) streams.push(store.series(encoded, { signal }));
 */
import { BadDataError } from '../model/index.js';
import { encodeCanonical } from './canonical.js';
// protos.ts imports this module too (to recognise the class): use only its functions, and only at call time.
import { protoRoot } from './protos.js';
import type { SeriesRequest } from './types.js';

export class EncodedSeriesRequest {
  /** The request as sent: kept for handlers and tests that look at it. */
  readonly request: Readonly<Partial<SeriesRequest>>;
  /** The proto3-canonical bytes of `request`. Not to be mutated: every call sends them. */
  readonly bytes: Buffer;

  constructor(request: Partial<SeriesRequest>) {
    this.request = request;
    let b: Uint8Array;
    try {
      b = encodeCanonical(protoRoot().lookupType('thanos.SeriesRequest'), request as Record<string, unknown>);
    } catch (err) {
      throw new BadDataError(`encode thanos.SeriesRequest: ${(err as Error).message}`, { cause: err });
    }
    this.bytes = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  }
}

/** Serialises `req` once (BadDataError if it cannot be encoded). */
export function encodeSeriesRequest(req: Partial<SeriesRequest>): EncodedSeriesRequest {
  return new EncodedSeriesRequest(req);
}
