// Prometheus remote-read messages against hand-computed bytes (wire rules: see wire.test.ts header).
import t from 'tap';
import {
  ReadResponseType,
  decodeChunkedReadResponse,
  decodeReadRequest,
  decodeReadResponse,
  encodeReadRequest,
  encodeReadResponse,
} from '../../src/storeapi/index.js';

function b(...parts: (number | string)[]): Buffer {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else for (const c of p) out.push(c.charCodeAt(0));
  }
  return Buffer.from(out);
}
const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex');

// ReadRequest{queries [{start 1000, end 2000, matchers [__name__="up"]}], accepted_response_types [STREAMED_XOR_CHUNKS, SAMPLES]}
//   matcher: type EQ omitted; name (2) 0x12 08 "__name__"; value (3) 0x1a 02 "up" = 14
//   Query: 0x08 e8 07 (1000) | 0x10 d0 0f (2000) | matchers (3) 0x1a 0x0e <14> = 22 = 0x16
//   ReadRequest: queries (1) 0x0a 0x16 <22>; accepted_response_types (2) is a proto3 repeated enum → packed:
//                0x12, length 2, 0x01 0x00
const READ_REQUEST = b(0x0a, 0x16, 0x08, 0xe8, 0x07, 0x10, 0xd0, 0x0f, 0x1a, 0x0e, 0x12, 0x08, '__name__', 0x1a, 0x02, 'up', 0x12, 0x02, 0x01, 0x00);

t.test('ReadRequest as the sidecar sends it', async (t) => {
  const req = {
    queries: [{ start_timestamp_ms: '1000', end_timestamp_ms: '2000', matchers: [{ type: 0, name: '__name__', value: 'up' }] }],
    accepted_response_types: [ReadResponseType.STREAMED_XOR_CHUNKS, ReadResponseType.SAMPLES],
  };
  t.equal(hex(encodeReadRequest(req)), hex(READ_REQUEST));
  const back = decodeReadRequest(READ_REQUEST);
  t.match(back, req);
  t.equal(back.queries[0].hints, null);
});

t.test('ReadHints fields 1-7', async (t) => {
  // hints (4) in a Query: step_ms (1) 0x08 0x0f; func (2) 0x12 04 "rate"; start_ms (3) 0x18 01; end_ms (4) 0x20 02;
  // grouping (5) 0x2a 01 "a"; by (6) 0x30 01; range_ms (7) 0x38 05 → 2+6+2+2+3+2+2 = 19 = 0x13
  const bytes = b(0x0a, 0x15, 0x22, 0x13, 0x08, 0x0f, 0x12, 0x04, 'rate', 0x18, 0x01, 0x20, 0x02, 0x2a, 0x01, 'a', 0x30, 0x01, 0x38, 0x05);
  const req = {
    queries: [{ start_timestamp_ms: '0', end_timestamp_ms: '0', matchers: [], hints: { step_ms: '15', func: 'rate', start_ms: '1', end_ms: '2', grouping: ['a'], by: true, range_ms: '5' } }],
    accepted_response_types: [],
  };
  t.equal(hex(encodeReadRequest(req)), hex(bytes));
  t.match(decodeReadRequest(bytes), req);
});

t.test('ReadResponse (SAMPLES) with a double sample', async (t) => {
  // Sample{value 1.5, timestamp 1000}: value (1) fixed64: 0x09 + 1.5 = 0x3ff8000000000000 little-endian
  //   → 00 00 00 00 00 00 f8 3f; timestamp (2) 0x10 e8 07 → 9 + 3 = 12
  // TimeSeries: labels (1) 0x0a 06 [0x0a 01 "a" 0x12 01 "1"]; samples (2) 0x12 0x0c <12> → 8 + 14 = 22 = 0x16
  // QueryResult: timeseries (1) 0x0a 0x16 <22> = 24 = 0x18; ReadResponse: results (1) 0x0a 0x18 <24>
  const bytes = b(
    0x0a, 0x18, 0x0a, 0x16,
    0x0a, 0x06, 0x0a, 0x01, 'a', 0x12, 0x01, '1',
    0x12, 0x0c, 0x09, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0x10, 0xe8, 0x07,
  );
  const res = { results: [{ timeseries: [{ labels: [{ name: 'a', value: '1' }], samples: [{ value: 1.5, timestamp: '1000' }] }] }] };
  t.equal(hex(encodeReadResponse(res)), hex(bytes));
  t.same(decodeReadResponse(bytes), res);
});

t.test('ChunkedReadResponse decodes from hand-computed bytes', async (t) => {
  // Chunk{min 1000, max 2000, type XOR (1), data 00 00}: 0x08 e8 07 | 0x10 d0 0f | 0x18 01 | 0x22 02 00 00 = 12
  // ChunkedSeries: labels 0x0a 06 [a="1"] | chunks (2) 0x12 0x0c <12> = 22 = 0x16
  // ChunkedReadResponse: chunked_series (1) 0x0a 0x16 <22> | query_index (2) 0x10 01
  const bytes = b(
    0x0a, 0x16,
    0x0a, 0x06, 0x0a, 0x01, 'a', 0x12, 0x01, '1',
    0x12, 0x0c, 0x08, 0xe8, 0x07, 0x10, 0xd0, 0x0f, 0x18, 0x01, 0x22, 0x02, 0x00, 0x00,
    0x10, 0x01,
  );
  const res = decodeChunkedReadResponse(bytes);
  t.equal(res.query_index, '1');
  t.same(res.chunked_series[0].labels, [{ name: 'a', value: '1' }]);
  const c = res.chunked_series[0].chunks[0];
  t.match(c, { min_time_ms: '1000', max_time_ms: '2000', type: 1 });
  t.equal(hex(c.data), '0000');
  t.throws(() => decodeChunkedReadResponse(bytes.subarray(0, 10)), { name: 'StorageError', message: /prometheus\.ChunkedReadResponse/ });
});
