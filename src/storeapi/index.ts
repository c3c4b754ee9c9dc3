/**
 * storeapi: the Thanos StoreAPI on the wire — our protos (protos/) loaded once, gRPC server and clients on
 * our own gRPC-over-node:http2 transport (grpc/: message limits 2 GiB − 1, keepalive 10 s/5 s, deadlines on
 * every call, interoperable with grpc-go, grpc-js and gRPC C-core),
 * conversions between proto messages and the model, and an in-memory StoreAPI over MemoryStorage.
 * Plain protobuf encode/decode (for remote read over HTTP and hints in `Any`) comes from the same protos;
 * Series frames, the bulk of the traffic, have a hand-written codec (chunk times as numbers, hashes as
 * bigints, chunk bytes as views of the frame), and a fan-out can serialise its SeriesRequest once.
 *
 * It does not merge, deduplicate or discover stores (query/, discovery/), nor speak HTTP or snappy
 * (sidecar/). Frame layout and the empty-message presence rule: docs/format/storeapi.md.
 *
 *   const srv = await startGrpcServer('127.0.0.1:0', memoryStoreApi(db, { componentType: 'store' }));
 *   const store = new StoreClient(srv.address, { timeoutMs: 10_000 });
 *   for await (const f of store.series({ min_time: '0', max_time: MAX_INT64, matchers, response_batch_size: '64' }))
 *     if (f.result === 'batch') for (const s of f.batch.series) console.log(labelsFromProto(s.labels).toString());
 *   await srv.stop();
 */
export { MAX_INT64, MIN_INT64, int64ToMillis, millisToInt64, bigintToInt64, type Int64 } from './int64.js';
export { PROTOS_DIR, grpcPackage, protoRoot } from './protos.js';
export { encodeMessage, decodeMessage, packAny, unpackAny } from './codec.js';
export { encodeSeriesResponse, encodeLabels, SeriesFrameWriter, utf8Length } from './series-encoder.js';
export { varint32Size, writeVarint32 } from './wire-int64.js';
export { ProtoWriter } from './proto-writer.js';
export { decodeSeriesResponse } from './series-decoder.js';
export { EncodedSeriesRequest, encodeSeriesRequest } from './encoded-request.js';
export * from './types.js';
export {
  ReadResponseType,
  PromChunkEncoding,
  encodeReadRequest,
  decodeReadRequest,
  encodeReadResponse,
  decodeReadResponse,
  encodeChunkedReadResponse,
  decodeChunkedReadResponse,
  type ReadRequest,
  type ReadQuery,
  type ReadHints,
  type ReadResponse,
  type TimeSeries,
  type PromSample,
  type PromChunk,
  type ChunkedSeries,
  type ChunkedReadResponse,
} from './remote-read.js';
export {
  labelsFromProto,
  labelsToProto,
  extendLabels,
  matcherFromProto,
  matchersFromProto,
  matcherToProto,
  matchersToProto,
  thanosEncodingFromProm,
  promEncodingFromThanos,
} from './convert.js';
export { GRPC_JS_CHANNEL_OPTIONS, MAX_MESSAGE_BYTES, KEEPALIVE_TIME_MS, KEEPALIVE_TIMEOUT_MS, DEFAULT_CALL_TIMEOUT_MS, DEFAULT_INFO_TIMEOUT_MS } from './options.js';
export { StoreApiCallError, statusFromError } from './status.js';
export {
  startGrpcServer,
  type RunningGrpcServer,
  type StoreApiServices,
  type StoreService,
  type InfoService,
  type RulesService,
  type MetadataService,
  type ExemplarsService,
  type CallContext,
  type FrameSink,
  type SeriesFrame,
} from './server.js';
export { StoreClient, InfoClient, RulesClient, MetadataClient, ExemplarsClient, GrpcChannel, type ClientOptions, type CallOptions } from './client.js';
export { Code as GrpcCode, GrpcStatusError } from './grpc/codes.js';
export { memoryStoreApi, type MemoryStoreApiOptions } from './memory-server.js';
