// The hand-written SeriesRequest decoder against protobufjs + proto-loader's conversion (decodeMessage with
// LOADER_OPTIONS), the reference it replaces on the gRPC server: the same object for bytes written by
// protobufjs — every field, extreme int64s, packed and unpacked enums, sub-messages, unknown fields — and an
// error, not a half-read request, for malformed bytes.
import t from 'tap';
import protobuf from 'protobufjs';
import { decodeMessage, encodeMessage, grpcPackage, MAX_INT64, MIN_INT64, protoRoot } from '../../src/storeapi/index.js';
import { decodeSeriesRequest } from '../../src/storeapi/series-request-decoder.js';

const type = () => protoRoot().lookupType('thanos.SeriesRequest');
/** Bytes as protobufjs writes them (defaults included where given, unlike our canonical encoder). */
const pbjs = (v: object): Uint8Array => type().encode(type().fromObject(v)).finish();
const reference = (b: Uint8Array): unknown => decodeMessage('thanos.SeriesRequest', b);

const cases: Record<string, object> = {
  empty: {},
  querier: {
    min_time: MIN_INT64,
    max_time: MAX_INT64,
    matchers: [
      { type: 0, name: '__name__', value: 'up' },
      { type: 1, name: 'job', value: '' },
      { type: 2, name: 'instance', value: 'h.*:9090' },
      { type: 3, name: 'é', value: 'ü'.repeat(100) },
    ],
    max_resolution_window: '300000',
    aggregates: [1, 2, 5],
    partial_response_disabled: true,
    partial_response_strategy: 1,
    skip_chunks: true,
    step: '15000',
    range: '-1',
    without_replica_labels: ['replica', 'rule_replica'],
    limit: '1000',
    response_batch_size: '64',
  },
  'sub-messages': {
    min_time: '1704067200000',
    max_time: '1704074385000',
    matchers: [{ type: 0, name: 'a', value: 'b' }],
    hints: { type_url: 'type.googleapis.com/hintspb.SeriesRequestHints', value: Buffer.from([0x0a, 0x02, 0x0a, 0x00]) },
    query_hints: { step_millis: '30000', func: { name: 'rate' }, grouping: { by: true, labels: ['job'] }, range: { millis: '300000' }, projection_labels: ['x'], projection_include: true, series_hash_label_name: '__cf_series_hash__' },
    shard_info: { shard_index: '1', total_shards: '4', by: true, labels: ['pod'] },
  },
  'large int64': { min_time: '9007199254740993', max_time: '-9007199254740993', limit: '4294967296' },
};

t.test('decodes what protobufjs writes to what proto-loader makes of it', async (t) => {
  for (const [name, v] of Object.entries(cases)) {
    const bytes = pbjs(v);
    t.same(decodeSeriesRequest(bytes), reference(bytes), name);
    const canonical = encodeMessage('thanos.SeriesRequest', v);
    t.same(decodeSeriesRequest(canonical), reference(canonical), `${name}, canonical bytes`);
  }
});

t.test('the gRPC server decodes Series requests with it', async (t) => {
  const m = (grpcPackage()['thanos.Store'] as Record<string, { requestDeserialize: unknown }>).Series;
  t.equal(m.requestDeserialize, decodeSeriesRequest);
});

t.test('unpacked aggregates and unknown fields of every wire type', async (t) => {
  const w = protobuf.Writer.create();
  w.uint32(0x28).int32(1); // aggregates, unpacked
  w.uint32(0x28).int32(-1); // negative enum: ten bytes
  w.uint32((99 << 3) | 0).uint64(12345);
  w.uint32((100 << 3) | 1).fixed64(7);
  w.uint32((101 << 3) | 2).bytes(Buffer.from('skip me'));
  w.uint32((102 << 3) | 5).fixed32(9);
  w.uint32(0x1a).fork().uint32(0x08).int32(2).uint32((9 << 3) | 2).string('unknown in a matcher').uint32(0x12).string('n').ldelim();
  w.uint32(16 << 3).uint64(7); // field 16: a two-byte tag
  const bytes = w.finish();
  const got = decodeSeriesRequest(bytes);
  t.same(got, reference(bytes));
  t.same(got.aggregates, [1, -1]);
  t.same(got.matchers, [{ type: 2, name: 'n', value: '' }]);
  t.equal(got.response_batch_size, '7');
});

t.test('malformed bytes: an error naming the message, never a partial request', async (t) => {
  const good = pbjs({ matchers: [{ type: 0, name: 'a', value: 'bcdef' }] });
  for (const [name, bytes] of Object.entries({
    truncated: good.subarray(0, good.length - 3),
    'length past the end': Buffer.from([0x1a, 0x40, 0x08]),
    'varint longer than 10 bytes': Buffer.from([0x08, ...new Array(11).fill(0xff), 0x01]),
    'field 0': Buffer.from([0x00, 0x01]),
    'known field, wrong wire type': Buffer.from([0x0a, 0x00]),
    'invalid wire type': Buffer.from([0x0e]),
    'matcher running into its parent': Buffer.from([0x1a, 0x02, 0x12, 0x05, 0x61]),
  })) {
    t.throws(() => decodeSeriesRequest(bytes), /decode thanos\.SeriesRequest \(\d+ bytes\): .+ at offset \d+/, name);
  }
});
