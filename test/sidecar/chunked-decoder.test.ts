// The direct ChunkedReadResponse decoder against the generic protobufjs one (storeapi, the reference) and
// hand-built bytes: negative and large int64s, unknown fields, unsorted labels, malformed input.
import t from 'tap';
import { decodeChunkedFrame } from '../../src/sidecar/index.js';
import { decodeChunkedReadResponse, encodeChunkedReadResponse, type ChunkedReadResponse } from '../../src/storeapi/index.js';

function viaReference(bytes: Uint8Array): unknown {
  const r = decodeChunkedReadResponse(bytes);
  return {
    queryIndex: Number(r.query_index),
    series: r.chunked_series.map((s) => ({
      labels: s.labels.map((l) => `${l.name}=${l.value}`).sort(),
      chunks: s.chunks.map((c) => ({ minTime: Number(c.min_time_ms), maxTime: Number(c.max_time_ms), type: c.type, data: Buffer.from(c.data).toString('hex') })),
    })),
  };
}

function viaDirect(bytes: Uint8Array): unknown {
  const r = decodeChunkedFrame(bytes);
  return {
    queryIndex: r.queryIndex,
    series: r.series.map((s) => {
      const labels: string[] = [];
      s.labels.forEach((n, v) => labels.push(`${n}=${v}`));
      return { labels, chunks: s.chunks.map((c) => ({ ...c, data: Buffer.from(c.data).toString('hex') })) };
    }),
  };
}

t.test('agrees with the reference decoder, int64 edge values included', async (t) => {
  const msg: ChunkedReadResponse = {
    query_index: '3',
    chunked_series: [
      {
        labels: [{ name: '__name__', value: 'up' }, { name: 'job', value: 'ünï' }],
        chunks: [
          { min_time_ms: '-1', max_time_ms: '0', type: 1, data: Buffer.from([0, 1, 2]) },
          { min_time_ms: '-62167219200000', max_time_ms: '9007199254740991', type: 2, data: Buffer.alloc(0) },
          { min_time_ms: '1704067215000', max_time_ms: '4294967296', type: 3, data: Buffer.alloc(300, 7) },
        ],
      },
      { labels: [], chunks: [] },
    ],
  };
  const bytes = encodeChunkedReadResponse(msg);
  t.same(viaDirect(bytes), viaReference(bytes));
  t.same((viaDirect(bytes) as { series: { chunks: { minTime: number }[] }[] }).series[0].chunks.map((c) => c.minTime), [-1, -62167219200000, 1704067215000]);
});

t.test('hand-built bytes: unknown fields skipped, unsorted labels sorted, data is a view', async (t) => {
  // ChunkedSeries: labels (1) {name "b", value "2"}, labels (1) {name "a", value "1"}, unknown field 7 varint 5,
  // chunks (2) {min 1 (08 01), max 2 (10 02), type XOR (18 01), data "xy" (22 02 78 79), unknown fixed32 (2d ....)}
  const label = (n: string, v: string): number[] => [0x0a, 6, 0x0a, 1, n.charCodeAt(0), 0x12, 1, v.charCodeAt(0)];
  const chunk = [0x12, 15, 0x08, 1, 0x10, 2, 0x18, 1, 0x22, 2, 0x78, 0x79, 0x2d, 0, 0, 0, 0];
  const series = [...label('b', '2'), ...label('a', '1'), 0x38, 5, ...chunk];
  const bytes = Buffer.from([0x0a, series.length, ...series, 0x10, 0]);
  const r = decodeChunkedFrame(bytes);
  t.equal(r.series.length, 1);
  t.equal(r.series[0].labels.toString(), '{a="1", b="2"}');
  t.same(r.series[0].chunks.map((c) => [c.minTime, c.maxTime, c.type, Buffer.from(c.data).toString()]), [[1, 2, 1, 'xy']]);
  t.equal(r.series[0].chunks[0].data.buffer, bytes.buffer, 'no copy of chunk data');
});

t.test('malformed input is a StorageError, never a hang or a RangeError', async (t) => {
  t.throws(() => decodeChunkedFrame(Buffer.from([0x0a, 5, 0x0a])), { name: 'StorageError', message: /length 5 past the end/ });
  t.throws(() => decodeChunkedFrame(Buffer.from([0x10, 0xff])), { name: 'StorageError', message: /truncated varint/ });
  t.throws(() => decodeChunkedFrame(Buffer.from([0x0b])), { name: 'StorageError', message: /unsupported wire type 3/ });
  t.throws(() => decodeChunkedFrame(Buffer.from([0x19, 1, 2])), { name: 'StorageError', message: /truncated fixed-width field/ });
});
