/**
 * How decoded StoreAPI messages look: proto-loader's options for gRPC (protos.ts), which codec.ts's plain
 * protobuf decoding and the hand-written decoders (series-decoder.ts, series-request-decoder.ts) match, so one
 * set of types (types.ts) serves all of them. A module of its own so that they can import it without importing
 * protos.ts, which imports them.
 *
 * Options and why:
 *   keepCase   field names as in the .proto (`min_time`, Thanos's capitalised `ComponentType`).
 *   longs      String: exact int64/uint64 (MaxInt64 sentinels, uint64 hashes); int64.ts converts. Series
 *              frames have their own codec (series-encoder.ts, series-decoder.ts): numbers for times,
 *              bigints for hashes.
 *   enums      Number: the wire numbers, which our TS enums mirror (LabelMatcher.Type = model MatchType).
 *   defaults   true: absent scalars read as their proto3 default and absent repeated fields as [], so
 *              callers need no `?? 0`; an absent *message* field reads as null while a present one, even
 *              empty (`RulesInfo {}`), reads as an object. That null/object split is how Thanos
 *              advertises APIs, so keep it (tested in test/storeapi/wire.test.ts).
 *   oneofs     true: adds the name of the set member (`result: 'series'`) beside it.
 */
export const LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: Number,
  defaults: true,
  oneofs: true,
  arrays: true,
} as const;
