// Our encodings against bytes computed by hand from the protobuf wire rules:
//   tag byte(s) = varint(field << 3 | wire type); wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.
//   varint = 7-bit groups, least significant first, high bit set on every byte but the last.
//   int64 is plain two's complement as a uint64 varint (no zigzag), so a negative is always 10 bytes.
//   proto3 leaves out scalars equal to their default (0, false, '') but always writes a set sub-message,
//   even an empty one (tag + length 0). Fields are written in field-number order (Go and protobufjs alike).
import t from 'tap';
import { decodeMessage, encodeMessage, MAX_INT64, MIN_INT64 } from '../../src/storeapi/index.js';
import { StorageError } from '../../src/model/index.js';

/** Bytes from numbers and ASCII strings. */
function b(...parts: (number | string)[]): Buffer {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else for (const c of p) out.push(c.charCodeAt(0));
  }
  return Buffer.from(out);
}
const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex');

// SeriesRequest{min_time 300, max_time -2, matchers [job="api", i=~"a.*"], partial_response_strategy ABORT,
//               without_replica_labels ["replica"], response_batch_size 64}
//   min_time   field 1 varint: tag 0x08; 300 = 0b10_0101100 → 0xac (0x2c|0x80), 0x02
//   max_time   field 2 varint: tag 0x10; -2 = 0xffff_ffff_ffff_fffe → fe ff ff ff ff ff ff ff ff 01
//   matcher 1  field 3 LEN: tag 0x1a; type EQ=0 omitted; name (2) 0x12 03 "job"; value (3) 0x1a 03 "api" → 10 bytes
//   matcher 2  tag 0x1a; type (1) 0x08 02 (RE); name 0x12 01 "i"; value 0x1a 03 "a.*" → 2+3+5 = 10 bytes
//   strategy   field 7 varint: tag 7<<3 = 0x38, 0x01
//   w/o labels field 14 LEN: tag 14<<3|2 = 114 = 0x72, 7, "replica"
//   batch size field 16 varint: tag 16<<3 = 128 → varint 0x80 0x01; 64 = 0x40
const SERIES_REQUEST = b(
  0x08, 0xac, 0x02,
  0x10, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
  0x1a, 0x0a, 0x12, 0x03, 'job', 0x1a, 0x03, 'api',
  0x1a, 0x0a, 0x08, 0x02, 0x12, 0x01, 'i', 0x1a, 0x03, 'a.*',
  0x38, 0x01,
  0x72, 0x07, 'replica',
  0x80, 0x01, 0x40,
);

t.test('SeriesRequest encodes to the hand-computed bytes and decodes back', async (t) => {
  const req = {
    min_time: '300',
    max_time: '-2',
    matchers: [
      { type: 0, name: 'job', value: 'api' },
      { type: 2, name: 'i', value: 'a.*' },
    ],
    partial_response_strategy: 1,
    without_replica_labels: ['replica'],
    response_batch_size: '64',
  };
  t.equal(hex(encodeMessage('thanos.SeriesRequest', req)), hex(SERIES_REQUEST));
  const back = decodeMessage<Record<string, unknown>>('thanos.SeriesRequest', SERIES_REQUEST);
  t.match(back, req);
  t.equal(back.skip_chunks, false, 'absent bool reads as its default');
  t.equal(back.limit, '0');
  t.equal(back.hints, null, 'absent sub-message reads as null');
  t.equal(back.query_hints, null);
});

t.test('int64 extremes round-trip exactly as decimal strings', async (t) => {
  // MinInt64 = 1 followed by 63 zero bits → nine 0x80 groups then 0x01.
  // MaxInt64 = 63 one bits → eight 0xff groups then 0x7f.
  const bytes = b(0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f);
  t.equal(hex(encodeMessage('thanos.SeriesRequest', { min_time: MIN_INT64, max_time: MAX_INT64 })), hex(bytes));
  const back = decodeMessage<{ min_time: string; max_time: string }>('thanos.SeriesRequest', bytes);
  t.equal(back.min_time, '-9223372036854775808');
  t.equal(back.max_time, '9223372036854775807');
});

// SeriesResponse{series: {labels [__name__="up", job="api"],
//                         chunks [{min_time 1000, max_time 2000, raw {XOR, data 00 01 ab, hash MaxUint64}}]}}
//   label 1: 0x0a 08 "__name__" 0x12 02 "up" = 14 → in Series: 0x0a 0x0e …
//   label 2: 0x0a 03 "job" 0x12 03 "api" = 10    → 0x0a 0x0a …
//   Chunk: type XOR=0 omitted; data (2) 0x12 03 00 01 ab; hash (3) 0x18 + MaxUint64 = ff×9 01 → 5 + 11 = 16
//   AggrChunk: 1000 = 7·128 + 104 → 0xe8 (104|0x80) 0x07; 2000 = 15·128 + 80 → 0xd0 0x0f
//              0x08 e8 07 | 0x10 d0 0f | raw (3) 0x1a 0x10 <16> = 3 + 3 + 18 = 24 = 0x18
//   Series: 16 + 12 + (0x12 0x18 <24>) 26 = 54 = 0x36
//   SeriesResponse: series is field 1 of the oneof → 0x0a 0x36 <54>
const SERIES_FRAME = b(
  0x0a, 0x36,
  0x0a, 0x0e, 0x0a, 0x08, '__name__', 0x12, 0x02, 'up',
  0x0a, 0x0a, 0x0a, 0x03, 'job', 0x12, 0x03, 'api',
  0x12, 0x18,
  0x08, 0xe8, 0x07,
  0x10, 0xd0, 0x0f,
  0x1a, 0x10, 0x12, 0x03, 0x00, 0x01, 0xab, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
);

t.test('SeriesResponse series frame', async (t) => {
  const frame = {
    series: {
      labels: [
        { name: '__name__', value: 'up' },
        { name: 'job', value: 'api' },
      ],
      chunks: [{ min_time: '1000', max_time: '2000', raw: { type: 0, data: Buffer.from([0, 1, 0xab]), hash: '18446744073709551615' } }],
    },
  };
  t.equal(hex(encodeMessage('thanos.SeriesResponse', frame)), hex(SERIES_FRAME));
  const back = decodeMessage<any>('thanos.SeriesResponse', SERIES_FRAME);
  t.equal(back.result, 'series', 'oneof member is named');
  t.notOk('batch' in back && back.batch != null, 'other oneof members stay absent');
  t.notOk('warning' in back, 'warning not set');
  t.same(back.series.labels, frame.series.labels);
  const c = back.series.chunks[0];
  t.equal(c.min_time, '1000');
  t.equal(c.max_time, '2000');
  t.equal(c.raw.type, 0);
  t.equal(hex(c.raw.data), '0001ab');
  t.equal(c.raw.hash, '18446744073709551615', 'uint64 hash exact');
  t.equal(c.count, null, 'unset aggregate chunks are absent');
});

// SeriesResponse{batch: {series [{labels [a="1"]}, {labels [a="2"]}]}}
//   Label a="1": 0x0a 01 "a" 0x12 01 "1" = 6 → Series: 0x0a 0x06 <6> = 8 bytes; the same for a="2"
//   SeriesBatch: 0x0a 0x08 <8> 0x0a 0x08 <8> = 20 = 0x14
//   SeriesResponse: batch is field 4 → tag 4<<3|2 = 0x22, 0x14
const BATCH_FRAME = b(
  0x22, 0x14,
  0x0a, 0x08, 0x0a, 0x06, 0x0a, 0x01, 'a', 0x12, 0x01, '1',
  0x0a, 0x08, 0x0a, 0x06, 0x0a, 0x01, 'a', 0x12, 0x01, '2',
);

t.test('SeriesResponse batch frame', async (t) => {
  const frame = { batch: { series: [{ labels: [{ name: 'a', value: '1' }] }, { labels: [{ name: 'a', value: '2' }] }] } };
  t.equal(hex(encodeMessage('thanos.SeriesResponse', frame)), hex(BATCH_FRAME));
  const back = decodeMessage<any>('thanos.SeriesResponse', BATCH_FRAME);
  t.equal(back.result, 'batch');
  t.notOk('series' in back, 'series member absent');
  t.same(
    back.batch.series.map((s: any) => s.labels),
    frame.batch.series.map((s) => s.labels),
  );
  t.same(back.batch.series[0].chunks, [], 'absent repeated field reads as []');
});

t.test('SeriesResponse warning frame', async (t) => {
  // warning is field 2, string: 0x12, length 4, "oops"
  const bytes = b(0x12, 0x04, 'oops');
  t.equal(hex(encodeMessage('thanos.SeriesResponse', { warning: 'oops' })), hex(bytes));
  t.match(decodeMessage('thanos.SeriesResponse', bytes), { result: 'warning', warning: 'oops' });
});

// InfoResponse{label_sets [{replica="a"}], ComponentType "store", store {}, rules {}}
//   Label replica="a": 0x0a 07 "replica" 0x12 01 "a" = 12 → ZLabelSet: 0x0a 0x0c <12> = 14 → field 1: 0x0a 0x0e <14>
//   ComponentType (2): 0x12 05 "store"
//   store (3) empty: 3<<3|2 = 0x1a, length 0;  rules (4) empty: 0x22, length 0
const INFO = b(0x0a, 0x0e, 0x0a, 0x0c, 0x0a, 0x07, 'replica', 0x12, 0x01, 'a', 0x12, 0x05, 'store', 0x1a, 0x00, 0x22, 0x00);

t.test('InfoResponse: empty StoreInfo and RulesInfo are present; the rest stay absent', async (t) => {
  const msg = { label_sets: [{ labels: [{ name: 'replica', value: 'a' }] }], ComponentType: 'store', store: {}, rules: {} };
  t.equal(hex(encodeMessage('thanos.info.InfoResponse', msg)), hex(INFO));
  const back = decodeMessage<any>('thanos.info.InfoResponse', INFO);
  t.equal(back.ComponentType, 'store');
  t.type(back.store, 'object');
  t.not(back.store, null, 'empty StoreInfo is present');
  t.equal(back.store.min_time, '0');
  t.same(back.rules, {}, 'empty RulesInfo is present');
  for (const absent of ['metric_metadata', 'targets', 'exemplars', 'query', 'status']) t.equal(back[absent], null, `${absent} absent`);
  // Absent must also stay absent when re-encoded: decode → encode gives the same bytes.
  t.equal(hex(encodeMessage('thanos.info.InfoResponse', back)), hex(INFO));
  // And a message without those fields does not grow them.
  t.equal(hex(encodeMessage('thanos.info.InfoResponse', { ComponentType: 'store' })), hex(b(0x12, 0x05, 'store')));
});

// MetricMetadataResponse{metadata {metadata {"up": {metas [{type "gauge", help "Up."}]}}}} — a map is a repeated
// entry message {key = 1; value = 2}, every entry written with its key and value:
//   Meta: type (1) 0x0a 05 "gauge"; help (2) 0x12 03 "Up."; unit "" omitted → 12 bytes
//   MetricMetadataEntry: metas (2) 0x12 0x0c <12> → 14;  map entry: key 0x0a 02 "up", value 0x12 0x0e <14> → 20
//   MetricMetadata: metadata (1) 0x0a 0x14 <20> → 22;  MetricMetadataResponse: metadata (1) 0x0a 0x16 <22>
const METADATA = b(0x0a, 0x16, 0x0a, 0x14, 0x0a, 0x02, 'up', 0x12, 0x0e, 0x12, 0x0c, 0x0a, 0x05, 'gauge', 0x12, 0x03, 'Up.');

t.test('MetricMetadataResponse: a map field encodes as Go writes it and decodes to an object', async (t) => {
  const msg = { metadata: { metadata: { up: { metas: [{ type: 'gauge', help: 'Up.', unit: '' }] } } } };
  t.equal(hex(encodeMessage('thanos.MetricMetadataResponse', msg)), hex(METADATA));
  t.same(decodeMessage<Record<string, unknown>>('thanos.MetricMetadataResponse', METADATA), { ...msg, result: 'metadata' });
  t.equal(hex(encodeMessage('thanos.MetricMetadataResponse', { metadata: { metadata: {} } })), hex(b(0x0a, 0x00)), 'an empty map: the message, no entries');
});

t.test('unknown fields are skipped', async (t) => {
  // Appended to the series frame: field 5 varint (0x28, 150 = 0x96 0x01), field 6 LEN (0x32 02 ff ff),
  // field 7 fixed32 (0x3d + 4 bytes), field 8 fixed64 (0x41 + 8 bytes), field 100 varint (tag 800 = 0xa0 0x06, 0x01).
  const extra = b(0x28, 0x96, 0x01, 0x32, 0x02, 0xff, 0xff, 0x3d, 1, 2, 3, 4, 0x41, 1, 2, 3, 4, 5, 6, 7, 8, 0xa0, 0x06, 0x01);
  const withUnknown = Buffer.concat([SERIES_FRAME, extra]);
  t.same(decodeMessage('thanos.SeriesResponse', withUnknown), decodeMessage('thanos.SeriesResponse', SERIES_FRAME));
  // Thanos's StoreInfo has field 4 reserved: a peer that sent it still decodes.
  const storeInfo = decodeMessage<any>('thanos.info.StoreInfo', b(0x08, 0x01, 0x20, 0x05));
  t.equal(storeInfo.min_time, '1');
});

t.test('truncated and garbage frames give a StorageError, never a crash', async (t) => {
  let errors = 0;
  for (let n = 0; n < SERIES_FRAME.length; n++) {
    try {
      decodeMessage('thanos.SeriesResponse', SERIES_FRAME.subarray(0, n));
    } catch (err) {
      t.type(err, StorageError, `prefix of ${n} bytes`);
      errors++;
    }
  }
  // Every prefix but the empty one cuts the single outer field short.
  t.equal(errors, SERIES_FRAME.length - 1);
  // 0x2f = field 5 (unknown), wire type 7, which does not exist. (protobufjs does not check the wire type of
  // *known* fields: 0x0f 0x00 would decode as an empty `series`. Lenient, but never a crash.)
  t.throws(() => decodeMessage('thanos.SeriesResponse', b(0x2f, 0x00)), { name: 'StorageError', message: /thanos\.SeriesResponse.*wire type 7/ });
  // A length running past the end: series (0x0a) claims 5 bytes, 1 follows.
  t.throws(() => decodeMessage('thanos.SeriesResponse', b(0x0a, 0x05, 0x01)), { name: 'StorageError', message: /index out of range/ });
  // Deterministic pseudo-random garbage: only StorageError or a (meaningless) decoded message.
  let x = 12345;
  for (let i = 0; i < 2000; i++) {
    const buf = Buffer.alloc(1 + (i % 64));
    for (let j = 0; j < buf.length; j++) buf[j] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    try {
      decodeMessage('thanos.SeriesResponse', buf);
    } catch (err) {
      if (!(err instanceof StorageError)) t.fail(`garbage ${buf.toString('hex')} threw ${String(err)}`);
    }
  }
});
