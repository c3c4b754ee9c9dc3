// The hand-written SeriesRequest encoder against the generic one it stands in for (canonical.ts + protobufjs):
// the same bytes for every request, whether the hand writer takes it or passes it on; the same error for one
// that cannot be encoded.
import t from 'tap';
import { BadDataError } from '../../src/model/index.js';
import { encodeCanonical } from '../../src/storeapi/canonical.js';
import { encodeSeriesRequestBytes } from '../../src/storeapi/encoded-request.js';
import { encodeSeriesRequest, grpcPackage, MAX_INT64, MIN_INT64, protoRoot } from '../../src/storeapi/index.js';

const generic = (v: object): string => Buffer.from(encodeCanonical(protoRoot().lookupType('thanos.SeriesRequest'), v as Record<string, unknown>)).toString('hex');
const hand = (v: object): string => encodeSeriesRequestBytes(v).toString('hex');

const cases: Record<string, object> = {
  empty: {},
  'as the querier sends it': {
    min_time: '1704067200000',
    max_time: '1704074385000',
    matchers: [{ type: 2, name: '__name__', value: 'sc_.*' }],
    partial_response_strategy: 0,
    response_batch_size: '64',
  },
  'every field': {
    min_time: MIN_INT64,
    max_time: MAX_INT64,
    matchers: [
      { type: 0, name: '__name__', value: 'up' },
      { type: 1, name: 'job', value: '' },
      { type: 3, name: 'é', value: 'ü'.repeat(100) },
      { type: 0, name: '', value: '' },
    ],
    max_resolution_window: 300000,
    aggregates: [1, 2, 5, 0],
    partial_response_disabled: true,
    partial_response_strategy: 1,
    skip_chunks: true,
    hints: { type_url: 'type.googleapis.com/hintspb.SeriesRequestHints', value: Buffer.from([0x0a, 0x02, 0x0a, 0x00]) },
    step: '15000',
    range: '-1',
    query_hints: { step_millis: '30000', func: { name: 'rate' }, grouping: { by: true, labels: ['job'] }, range: { millis: '300000' } },
    shard_info: { shard_index: '1', total_shards: '4', by: true, labels: ['pod'] },
    without_replica_labels: ['replica', '', 'rule_replica'],
    limit: '1000',
    response_batch_size: 64,
  },
  'defaults given': { min_time: '0', max_time: 0, matchers: [], aggregates: [], partial_response_disabled: false, skip_chunks: false, without_replica_labels: [], hints: null, limit: '0' },
  'empty sub-messages are written': { hints: {}, query_hints: {}, shard_info: {} },
  'negative enums (ten bytes)': { matchers: [{ type: -1, name: 'a', value: 'b' }], aggregates: [-3], partial_response_strategy: -2 },
  'int64 beyond 2^53': { min_time: '-999999999999999999', max_time: '999999999999999999', limit: 9007199254740991 },
  // What the hand writer passes on to the generic path:
  'enums by name': { matchers: [{ type: 'RE', name: 'a', value: 'b' }], aggregates: ['SUM'], partial_response_strategy: 'ABORT' },
  'bigint int64': { min_time: -5n, max_time: 2n ** 62n },
  'int64 strings it does not read': { min_time: '-0', max_time: '007', limit: '9223372036854775807' },
  'fractional, unsafe and NaN numbers': { min_time: 1.5, max_time: 2 ** 60, limit: NaN },
  'a bool as a number': { skip_chunks: 1 },
};

t.test('the same bytes as canonical.ts + protobufjs', async (t) => {
  for (const [name, v] of Object.entries(cases)) t.equal(hand(v), generic(v), name);
});

t.test('random requests: the same bytes', async (t) => {
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const strings = ['', 'a', 'job', '__name__', 'é', 'ü'.repeat(70), 'x'.repeat(200), 'h.*:9090', '🚀'];
  const int64s = ['0', '1', '-1', '15000', '1704067200000', '-9223372036854775808', '9223372036854775807', '4294967296', '-4294967297', 0, 1, -1, 2 ** 40, -(2 ** 53 - 1), undefined];
  const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)];
  for (let i = 0; i < 2000; i++) {
    const req: Record<string, unknown> = {};
    for (const f of ['min_time', 'max_time', 'max_resolution_window', 'step', 'range', 'limit', 'response_batch_size']) if (rnd(2)) req[f] = pick(int64s);
    if (rnd(2)) req.matchers = Array.from({ length: rnd(5) }, () => ({ type: rnd(5) - 1, name: pick(strings), value: pick(strings) }));
    if (rnd(3) === 0) req.aggregates = Array.from({ length: rnd(4) }, () => rnd(7) - 1);
    if (rnd(2)) req.partial_response_disabled = rnd(2) === 1;
    if (rnd(2)) req.partial_response_strategy = rnd(3);
    if (rnd(2)) req.skip_chunks = rnd(2) === 1;
    if (rnd(4) === 0) req.without_replica_labels = Array.from({ length: rnd(3) }, () => pick(strings));
    if (rnd(8) === 0) req.shard_info = { shard_index: String(rnd(4)), total_shards: '4', by: true, labels: ['pod'] };
    if (hand(req) !== generic(req)) {
      t.fail(`request ${i}: ${JSON.stringify(req)}`);
      return;
    }
  }
  t.pass('2000 random requests');
});

t.test('a request that cannot be encoded: the generic error', async (t) => {
  for (const bad of [{ min_time: 'abc' }, { query_hints: { step_millis: 'x' } }, { matchers: [{ type: 'NOPE', name: 'a', value: 'b' }] }, { matchers: 'x' }]) {
    let want = '';
    try {
      generic(bad);
    } catch (err) {
      want = (err as Error).message;
    }
    t.not(want, '', `${JSON.stringify(bad)} is refused by the generic path`);
    t.throws(() => encodeSeriesRequestBytes(bad), { message: want });
    t.throws(() => encodeSeriesRequest(bad as object), BadDataError);
  }
});

t.test('the gRPC client serialises plain requests and EncodedSeriesRequests with it', async (t) => {
  const m = (grpcPackage()['thanos.Store'] as Record<string, { requestSerialize: (v: object) => Buffer }>).Series;
  const req = cases['as the querier sends it'];
  t.equal(m.requestSerialize(req).toString('hex'), generic(req));
  t.equal(m.requestSerialize(encodeSeriesRequest(req)).toString('hex'), generic(req));
});
