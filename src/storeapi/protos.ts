/**
 * Loading our .proto files (protos/, one include root) once, for two consumers:
 *
 *  - gRPC: a proto-loader package definition (`grpcPackage()`), with LOADER_OPTIONS;
 *  - plain protobuf over HTTP (remote read, tests): the protobufjs Root (`protoRoot()`), see codec.ts.
 *
 * Both come from the same Root, so there is one parse and one set of options.
 *
 * The options both read objects with, and why: loader-options.ts.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import protobuf from 'protobufjs';
import * as protoLoader from '@grpc/proto-loader';
import { encodeCanonical } from './canonical.js';
import { EncodedSeriesRequest, encodeSeriesRequestBytes } from './encoded-request.js';
import { LOADER_OPTIONS } from './loader-options.js';
import { decodeSeriesResponse } from './series-decoder.js';
import { decodeSeriesRequest } from './series-request-decoder.js';
import { encodeSeriesResponse } from './series-encoder.js';
import type { SeriesRequest, SeriesResponse } from './types.js';

/** The include root: protos/ at the package root (two levels up from src/storeapi and dist/storeapi). */
export const PROTOS_DIR = fileURLToPath(new URL('../../protos/', import.meta.url));

/** Entry files; their imports pull in the rest. */
const FILES = [
  'store/storepb/rpc.proto',
  'store/hintspb/hints.proto',
  'info/infopb/rpc.proto',
  'rules/rulespb/rpc.proto',
  'metadata/metadatapb/rpc.proto',
  'exemplars/exemplarspb/rpc.proto',
  'prompb/remote.proto',
];

let root: protobuf.Root | undefined;
let pkg: protoLoader.PackageDefinition | undefined;

/** The parsed, resolved protobufjs Root of all our protos. */
export function protoRoot(): protobuf.Root {
  if (root === undefined) {
    const r = new protobuf.Root();
    // google/protobuf/{any,timestamp,duration}.proto resolve to protobufjs's bundled copies by name.
    r.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : path.join(PROTOS_DIR, target));
    r.loadSync(FILES, { keepCase: true });
    r.resolveAll();
    root = r;
  }
  return root;
}

/** The proto-loader package definition for @grpc/grpc-js (`thanos.Store`, `thanos.info.Info`, …). */
export function grpcPackage(): protoLoader.PackageDefinition {
  if (pkg === undefined) {
    const r = protoRoot();
    const def = protoLoader.fromJSON(r.toJSON(), LOADER_OPTIONS);
    // proto-loader serializes with protobufjs fromObject+encode, which writes default scalars; swap in the
    // canonical encoder so gRPC frames carry the bytes Go would (canonical.ts). Decoding stays proto-loader's.
    for (const [name, svc] of Object.entries(def)) {
      if (!isService(svc)) continue;
      const service = r.lookupService(name);
      for (const method of service.methodsArray) {
        const m = svc[method.name];
        const reqType = r.lookupType(method.requestType);
        const resType = r.lookupType(method.responseType);
        m.requestSerialize = (v: object) => toBuffer(encodeCanonical(reqType, v as Record<string, unknown>));
        m.responseSerialize = (v: object) => toBuffer(encodeCanonical(resType, v as Record<string, unknown>));
      }
    }
    // Series frames are the bulk of all StoreAPI traffic: hand-written codec both ways (series-encoder.ts,
    // series-decoder.ts), requests a fan-out serialised once (encoded-request.ts) and read by hand
    // (series-request-decoder.ts: on the path to a store's first byte).
    const series = (def['thanos.Store'] as protoLoader.ServiceDefinition).Series;
    series.requestDeserialize = decodeSeriesRequest as (b: Buffer) => object;
    series.requestSerialize = (v: object) => (v instanceof EncodedSeriesRequest ? v.bytes : encodeSeriesRequestBytes(v as Partial<SeriesRequest>));
    series.responseSerialize = (v: object) => (v instanceof Uint8Array ? toBuffer(v) : encodeSeriesResponse(v as SeriesResponse));
    series.responseDeserialize = decodeSeriesResponse as (b: Buffer) => object;
    pkg = def;
  }
  return pkg;
}

function isService(x: unknown): x is protoLoader.ServiceDefinition {
  // Message and enum entries carry `format`; service entries are maps of method definitions.
  return typeof x === 'object' && x !== null && !('format' in x);
}

function toBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
