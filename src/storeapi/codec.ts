/**
 * Plain protobuf encode/decode of any message in protos/ by its full name, outside gRPC: remote read over
 * HTTP, hints packed in `google.protobuf.Any`, tests that compare bytes. Decoded objects have the same
 * shape as gRPC-decoded ones (LOADER_OPTIONS, loader-options.ts), so one set of types serves both.
 *
 * Frame layouts, encoding numbers and the empty-message presence rule: docs/format/storeapi.md.
 */
import type protobuf from 'protobufjs';
import { BadDataError, StorageError } from '../model/index.js';
import { encodeCanonical } from './canonical.js';
import { LOADER_OPTIONS } from './loader-options.js';
import { protoRoot } from './protos.js';

const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String,
  enums: Number,
  defaults: LOADER_OPTIONS.defaults,
  oneofs: LOADER_OPTIONS.oneofs,
  arrays: LOADER_OPTIONS.arrays,
};

const types = new Map<string, protobuf.Type>();

function messageType(fullName: string): protobuf.Type {
  let t = types.get(fullName);
  if (t === undefined) {
    try {
      t = protoRoot().lookupType(fullName);
    } catch (err) {
      throw new BadDataError(`unknown protobuf message type ${JSON.stringify(fullName)}`, { cause: err });
    }
    types.set(fullName, t);
  }
  return t;
}

/** Encodes a plain object (snake_case fields, int64 as decimal strings) as the named message, proto3-canonically. */
export function encodeMessage(fullName: string, value: object): Uint8Array {
  const t = messageType(fullName);
  try {
    return encodeCanonical(t, value as Record<string, unknown>);
  } catch (err) {
    throw new BadDataError(`encode ${fullName}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Decodes bytes as the named message. Unknown fields are skipped (forward compatibility); truncated or
 * malformed bytes throw StorageError naming the message, never a bare RangeError.
 */
export function decodeMessage<T>(fullName: string, bytes: Uint8Array): T {
  const t = messageType(fullName);
  let msg: protobuf.Message;
  try {
    msg = t.decode(bytes);
  } catch (err) {
    throw new StorageError(`decode ${fullName} (${bytes.length} bytes): ${(err as Error).message}`, { cause: err });
  }
  return t.toObject(msg, TO_OBJECT) as T;
}

/** Packs a message into `google.protobuf.Any` with the type URL Thanos uses for hints. */
export function packAny(fullName: string, value: object): { type_url: string; value: Uint8Array } {
  return { type_url: `type.googleapis.com/${fullName}`, value: encodeMessage(fullName, value) };
}

/** Unpacks `google.protobuf.Any`; undefined when its type URL names another message. */
export function unpackAny<T>(fullName: string, any: { type_url: string; value: Uint8Array }): T | undefined {
  const slash = any.type_url.lastIndexOf('/');
  if (any.type_url.slice(slash + 1) !== fullName) return undefined;
  return decodeMessage<T>(fullName, any.value);
}
