// The hand-written SeriesResponse codec (series-encoder.ts, series-decoder.ts) against protobufjs, the
// reference it replaces: random frames must encode to the same bytes as encodeMessage (canonical.ts +
// protobufjs), and decode to the same values as decodeMessage — with times as numbers where protobufjs gives
// decimal strings, and hashes as bigints. Unknown fields come from protobufjs itself, through extended copies
// of the messages (EXTENDED below) that carry extra fields of every wire type at every level.
import t from 'tap';
import protobuf from 'protobufjs';
import { StorageError } from '../../src/model/index.js';
import {
  decodeMessage,
  decodeSeriesResponse,
  encodeMessage,
  encodeSeriesResponse,
  int64ToMillis,
  MAX_INT64,
  MIN_INT64,
  type ProtoLabel,
  type ProtoSeries,
  type SeriesResponse,
} from '../../src/storeapi/index.js';
import { encodeLabels, SeriesFrameWriter } from '../../src/storeapi/series-encoder.js';
import { randomFrame, Rng } from './random-frames.js';

const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex');
const big = (_: string, v: unknown): unknown => (typeof v === 'bigint' ? `${v}n` : v);

/** A decoded frame in one representation: times via int64ToMillis, hashes as bigint, bytes as hex. */
function normal(f: any): unknown {
  const chunk = (c: any) => (c == null ? null : { type: c.type, data: hex(c.data), hash: BigInt(c.hash) });
  const series = (s: any) => ({
    labels: s.labels.map((l: any) => [l.name, l.value]),
    chunks: s.chunks.map((c: any) => ({
      min: int64ToMillis(c.min_time),
      max: int64ToMillis(c.max_time),
      ...Object.fromEntries(['raw', 'count', 'sum', 'min', 'max', 'counter'].map((k) => [k, chunk(c[k])])),
    })),
  });
  switch (f.result) {
    case 'series':
      return { series: series(f.series) };
    case 'batch':
      return { batch: f.batch.series.map(series) };
    case 'warning':
      return { warning: f.warning };
    case 'hints':
      return { hints: [f.hints.type_url, hex(f.hints.value)] };
    default:
      return { none: Object.keys(f) };
  }
}

t.test('random frames: the fast encoder writes the bytes protobufjs writes, both decoders read them alike', async (t) => {
  const rng = new Rng(1);
  let checked = 0;
  for (let i = 0; i < 3000; i++) {
    const frame = randomFrame(rng);
    const want = encodeMessage('thanos.SeriesResponse', frame);
    const got = encodeSeriesResponse(frame);
    if (hex(got) !== hex(want)) {
      t.equal(hex(got), hex(want), `frame ${i}: ${JSON.stringify(frame, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
      return;
    }
    const fast = normal(decodeSeriesResponse(got));
    const ref = normal(decodeMessage('thanos.SeriesResponse', got));
    if (JSON.stringify(fast, big) !== JSON.stringify(ref, big)) {
      t.same(fast, ref, `frame ${i} decodes alike`);
      return;
    }
    checked++;
  }
  t.equal(checked, 3000);
});

// Extended copies of the Series messages: the same fields plus unknown ones of each wire type (varint,
// fixed64, length-delimited, fixed32, and a high field number), as a newer peer would send.
const EXTENDED = protobuf.parse(`
  syntax = "proto3";
  package x;
  message Extra { uint64 v = 20; fixed64 f64 = 21; bytes b = 22; fixed32 f32 = 23; int32 far = 100000; }
  message Label { string name = 1; string value = 2; uint64 v = 20; fixed64 f64 = 21; bytes b = 22; fixed32 f32 = 23; int32 far = 100000; }
  message Chunk { int32 type = 1; bytes data = 2; uint64 hash = 3; uint64 v = 20; fixed64 f64 = 21; bytes b = 22; fixed32 f32 = 23; int32 far = 100000; }
  message AggrChunk { int64 min_time = 1; int64 max_time = 2; Chunk raw = 3; Chunk count = 4; Chunk sum = 5; Chunk min = 6; Chunk max = 7; Chunk counter = 8;
                      uint64 v = 20; fixed64 f64 = 21; bytes b = 22; fixed32 f32 = 23; int32 far = 100000; }
  message Series { repeated Label labels = 1; repeated AggrChunk chunks = 2; uint64 v = 20; fixed64 f64 = 21; bytes b = 22; fixed32 f32 = 23; Extra far = 100000; }
  message SeriesBatch { repeated Series series = 1; uint64 v = 20; bytes b = 22; }
  message Any { string type_url = 1; bytes value = 2; fixed32 f32 = 23; }
  message SeriesResponse { oneof result { Series series = 1; string warning = 2; Any hints = 3; SeriesBatch batch = 4; }
                           uint64 v = 20; fixed64 f64 = 21; bytes b = 22; fixed32 f32 = 23; Extra far = 100000; }
`, { keepCase: true }).root;

/** Sets random values on the extra fields (numbers ≥ 20) of `obj` and every message under it. */
function withUnknown(rng: Rng, obj: Record<string, any>, type: protobuf.Type): void {
  for (const f of type.fieldsArray) {
    f.resolve();
    const v = obj[f.name];
    if (f.id < 20) {
      if (f.resolvedType instanceof protobuf.Type && v != null) {
        const child = f.resolvedType;
        if (f.repeated) for (const x of v) withUnknown(rng, x, child);
        else withUnknown(rng, v, child);
      }
      continue;
    }
    if (rng.int(2) === 0) continue;
    if (f.type === 'uint64') obj[f.name] = rng.int(2) ? '18446744073709551615' : String(rng.int(1000));
    else if (f.type === 'fixed64') obj[f.name] = '1234567890123';
    else if (f.type === 'bytes') obj[f.name] = rng.bytes(rng.int(20));
    else if (f.type === 'fixed32') obj[f.name] = rng.int(1 << 30);
    else if (f.type === 'int32') obj[f.name] = -1 - rng.int(5); // a negative int32: a 10-byte varint
    else obj[f.name] = { v: '7', b: rng.bytes(3) }; // an unknown sub-message
  }
}

t.test('random frames with unknown fields at every level decode as without them', async (t) => {
  const rng = new Rng(2);
  const type = EXTENDED.lookupType('x.SeriesResponse');
  for (let i = 0; i < 1500; i++) {
    const frame = randomFrame(rng);
    const plain = encodeSeriesResponse(frame);
    // protobufjs's own reading of the frame (int64s as strings) is what its fromObject takes.
    const extended = decodeMessage<Record<string, any>>('thanos.SeriesResponse', plain);
    withUnknown(rng, extended, type);
    const bytes = type.encode(type.fromObject(extended)).finish();
    if (bytes.length === plain.length) continue; // nothing added
    const want = JSON.stringify(normal(decodeSeriesResponse(plain)), big);
    const fast = JSON.stringify(normal(decodeSeriesResponse(bytes)), big);
    const ref = JSON.stringify(normal(decodeMessage('thanos.SeriesResponse', bytes)), big);
    if (fast !== want || ref !== want) {
      t.same({ fast, ref }, { fast: want, ref: want }, `frame ${i} (${hex(bytes)})`);
      return;
    }
  }
  t.pass('1500 frames');
});

// The hand-computed frame of wire.test.ts: series {__name__="up", job="api"}, one chunk [1000, 2000],
// raw {XOR, data 00 01 ab, hash MaxUint64}.
const SERIES_FRAME = Buffer.from(
  '0a360a0e0a085f5f6e616d655f5f120275700a0a0a036a6f6212036170691218' + '08e80710d00f1a10120300 01ab18ffffffffffffffffff01'.replace(/ /g, ''),
  'hex',
);

t.test('hand-computed frame: numbers, a uint64 hash above 2^53 exact, data a view of the frame', async (t) => {
  const f = decodeSeriesResponse(SERIES_FRAME);
  t.equal(f.result, 'series');
  if (f.result !== 'series') return;
  t.same(f.series.labels, [
    { name: '__name__', value: 'up' },
    { name: 'job', value: 'api' },
  ]);
  const c = f.series.chunks[0];
  t.equal(c.min_time, 1000);
  t.equal(c.max_time, 2000);
  t.equal(c.raw?.hash, 18446744073709551615n, 'MaxUint64, not rounded to a double');
  t.equal(hex(c.raw!.data), '0001ab');
  t.equal(c.raw!.data.buffer, SERIES_FRAME.buffer, 'the chunk bytes are not copied');
  t.equal(c.raw!.data.byteOffset, SERIES_FRAME.byteOffset + 42, 'at its offset in the frame');
  t.equal(c.count, null, 'unset aggregates are null, as proto-loader gives them');
  t.equal(hex(encodeSeriesResponse(f)), hex(SERIES_FRAME), 'and back to the same bytes');
});

t.test('int64 sentinels: MaxInt64/MinInt64 read as int64ToMillis reads them, and written back exactly', async (t) => {
  const frame = { series: { labels: [], chunks: [{ min_time: MIN_INT64, max_time: MAX_INT64, raw: { type: 0, data: new Uint8Array(), hash: '1' } }] } };
  const bytes = encodeSeriesResponse(frame);
  t.equal(hex(bytes), hex(encodeMessage('thanos.SeriesResponse', frame)));
  const back = decodeSeriesResponse(bytes) as Extract<SeriesResponse, { series: unknown }>;
  const c = back.series.chunks[0];
  t.equal(c.min_time, int64ToMillis(MIN_INT64));
  t.equal(c.min_time, -(2 ** 63));
  t.equal(c.max_time, int64ToMillis(MAX_INT64));
  t.equal(c.max_time, 2 ** 63);
  t.equal(hex(encodeSeriesResponse(back)), hex(bytes), 'the numbers ±2^63 go back out as the sentinels');
  // Largest and smallest doubles short of ±2^63, and 2^53 + 2 (exact as a double, beyond safe integers).
  for (const v of [2 ** 63 - 1024, -(2 ** 63) + 1024, 2 ** 53 + 2, -(2 ** 53) - 2, -1, 2 ** 32, -(2 ** 32)]) {
    const f = { series: { labels: [], chunks: [{ min_time: v, max_time: BigInt(v).toString() }] } };
    const b = encodeSeriesResponse(f);
    t.equal(hex(b), hex(encodeMessage('thanos.SeriesResponse', { series: { labels: [], chunks: [{ min_time: BigInt(v).toString(), max_time: BigInt(v).toString() }] } })), `${v}`);
    const d = decodeSeriesResponse(b) as Extract<SeriesResponse, { series: unknown }>;
    t.equal(d.series.chunks[0].min_time, v, `${v} read back exactly`);
  }
});

t.test('senders may give int64s as strings, numbers or bigints, enums by name; all encode alike', async (t) => {
  const forms = [
    { min_time: '1700000000000', max_time: '-5', raw: { type: 1, data: new Uint8Array([1]), hash: '12345678901234567890' } },
    { min_time: 1700000000000, max_time: -5, raw: { type: 1, data: new Uint8Array([1]), hash: 12345678901234567890n } },
    { min_time: 1700000000000n, max_time: -5n, raw: { type: 'HISTOGRAM', data: new Uint8Array([1]), hash: '12345678901234567890' } },
  ];
  const bytes = forms.map((c) => hex(encodeSeriesResponse({ series: { labels: [], chunks: [c as any] } })));
  t.equal(bytes[1], bytes[0]);
  t.equal(bytes[2], bytes[0]);
  t.equal(bytes[0], hex(encodeMessage('thanos.SeriesResponse', { series: { labels: [], chunks: [forms[0]] } })));
});

t.test('empty sub-messages are written and read as present; absent ones stay absent', async (t) => {
  // series {} → 0a 00; batch {} → 22 00; batch with one empty series → 22 02 0a 00; hints {} → 1a 00;
  // warning '' (a oneof member, so written although default) → 12 00; a chunk with an empty raw → 12 02 1a 00.
  const cases: [SeriesResponse, string][] = [
    [{ series: { labels: [], chunks: [] } }, '0a00'],
    [{ batch: { series: [] } }, '2200'],
    [{ batch: { series: [{ labels: [], chunks: [] }] } }, '22020a00'],
    [{ hints: { type_url: '', value: new Uint8Array() } }, '1a00'],
    [{ warning: '' }, '1200'],
    [{ series: { labels: [{ name: '', value: '' }], chunks: [{ min_time: 0, max_time: '0', raw: {} as any }] } }, '0a060a0012021a00'],
  ];
  for (const [frame, want] of cases) {
    t.equal(hex(encodeSeriesResponse(frame)), want, JSON.stringify(frame));
    t.equal(hex(encodeMessage('thanos.SeriesResponse', frame)), want, 'protobufjs agrees');
    t.same(normal(decodeSeriesResponse(Buffer.from(want, 'hex'))), normal(decodeMessage('thanos.SeriesResponse', Buffer.from(want, 'hex'))));
  }
  const c = (decodeSeriesResponse(Buffer.from('0a060a0012021a00', 'hex')) as any).series.chunks[0];
  t.same([c.raw.type, c.raw.data.length, c.raw.hash, c.sum], [0, 0, 0n, null], 'empty raw: defaults; unset sum: null');
  t.same(decodeSeriesResponse(new Uint8Array()), {}, 'an empty frame has no member, as with proto-loader');
});

t.test('bad input to the encoder is a TypeError naming the problem', async (t) => {
  const chunk = (c: object) => ({ series: { labels: [], chunks: [c as any] } });
  t.throws(() => encodeSeriesResponse(chunk({ min_time: NaN })), TypeError);
  t.throws(() => encodeSeriesResponse(chunk({ min_time: '1.5' })), { name: 'TypeError', message: /not an integer/ });
  t.throws(() => encodeSeriesResponse(chunk({ min_time: 'x'.repeat(20) })), { name: 'TypeError', message: /not an integer/ });
  t.throws(() => encodeSeriesResponse(chunk({ raw: { type: 'NOPE' } })), { name: 'TypeError', message: /unknown enum value "NOPE"/ });
  t.throws(() => encodeSeriesResponse(chunk({ raw: { data: [1, 2] } })), { name: 'TypeError', message: /bytes expected/ });
  t.throws(() => encodeSeriesResponse({ series: { labels: 'a', chunks: [] } as any }), { name: 'TypeError', message: /Series\.labels: array expected/ });
  t.throws(() => encodeSeriesResponse({ series: { labels: [{ name: 1, value: 'a' }], chunks: [] } as any }), { name: 'TypeError', message: /string expected/ });
  t.throws(() => encodeSeriesResponse({ batch: { series: [null] } } as any), { name: 'TypeError', message: /Series: object expected/ });
  // And after a failed frame the next one is whole (no scratch state left behind).
  t.equal(hex(encodeSeriesResponse({ warning: 'ok' })), '12026f6b');
});

t.test('non-ASCII strings: UTF-8 both ways, lone surrogates as U+FFFD', async (t) => {
  const labels = [
    { name: 'é', value: 'naïve ✓' },
    { name: 'emoji', value: '😀 and 𝄞' },
    { name: 'long', value: 'ü'.repeat(100) },
  ];
  const bytes = encodeSeriesResponse({ series: { labels, chunks: [] } });
  t.equal(hex(bytes), hex(encodeMessage('thanos.SeriesResponse', { series: { labels, chunks: [] } })));
  t.same((decodeSeriesResponse(bytes) as any).series.labels, labels);
  const lone = encodeSeriesResponse({ warning: 'a\ud800b' });
  t.equal(hex(lone), hex(Buffer.concat([Buffer.from([0x12, 5]), Buffer.from('a\ufffdb')])));
  // Invalid UTF-8 on the wire reads as U+FFFD, as protobufjs (Node's decoder) reads it.
  const bad = Buffer.from('1203ff6162', 'hex');
  t.equal((decodeSeriesResponse(bad) as any).warning, (decodeMessage('thanos.SeriesResponse', bad) as any).warning);
});

t.test('interned label strings: strings alike where the intern slot looks are told apart', async (t) => {
  // The decoder's intern table keys strings by length and first and last 4 bytes: build strings that share
  // those and differ elsewhere (middle bytes of long ones, every byte of 1–8-byte ones), ASCII and not, and
  // decode them in mixed orders, so each lookup meets a slot another of them filled.
  const values: string[] = [];
  for (const mid of ['', 'x', 'xy', 'xyz', 'x'.repeat(40)]) for (const c of 'abé\u0000') values.push(`head${mid}${c}${mid}tail`);
  for (const c of 'abcé') values.push(c, `${c}z`, `y${c}z`, `wx${c}z`, `vwx${c}z`, `uvwx${c}z`, `tuvwx${c}z`, `stuvwx${c}z`);
  values.push('héad', 'h\u00e9ad', '\u00ffbcd', 'ÿbcd', 'a'.repeat(64), 'a'.repeat(63) + 'b', 'a'.repeat(65));
  const rng = new Rng(7);
  for (let round = 0; round < 50; round++) {
    const series: ProtoSeries[] = [];
    for (let i = 0; i < 20; i++) {
      const labels: ProtoLabel[] = [];
      for (let j = 0; j < 4; j++) labels.push({ name: values[rng.int(values.length)], value: values[rng.int(values.length)] });
      series.push({ labels, chunks: [] });
    }
    const bytes = encodeSeriesResponse({ batch: { series } });
    const got = (decodeSeriesResponse(bytes) as any).batch.series.map((s: any) => s.labels);
    const want = (decodeMessage('thanos.SeriesResponse', bytes) as any).batch.series.map((s: any) => s.labels);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      t.same(got, want, `round ${round}`);
      return;
    }
    t.same(got, series.map((s) => s.labels), `round ${round}: as written`);
  }
  // Invalid UTF-8 in a short string next to its valid look-alike: each reads as protobufjs reads it.
  for (const h of ['0a090a070a0161120261ff', '0a090a070a016112026161', '0a090a070a0161120261ff']) {
    const b = Buffer.from(h, 'hex');
    t.same((decodeSeriesResponse(b) as any).series.labels, (decodeMessage('thanos.SeriesResponse', b) as any).series.labels, h);
  }
});

t.test('malformed input: StorageError with the offset, never another error or a hang', async (t) => {
  const cases: [string, RegExp][] = [
    ['0a05', /length 5 runs past the end at offset 2/],
    ['0f00', /wrong wire type 7|invalid wire type 7/], // series (1) with wire type 7
    ['0800', /field 1 with wrong wire type 0/], // series as a varint: gogo refuses, so do we
    ['0a020a05', /runs past the end/], // a label claiming more bytes than its series has
    ['0a021001', /field 2 with wrong wire type 0/], // chunks (2) inside a series as a varint
    ['0a04120208ff', /unexpected end of input|runs past/], // a varint cut by its message's end
    ['28' + 'ff'.repeat(10) + '01', /varint longer than 10 bytes/],
    ['0000', /field number 0/],
    ['2d0102', /runs past the end/], // unknown fixed32 cut short
  ];
  for (const [h, re] of cases) t.throws(() => decodeSeriesResponse(Buffer.from(h, 'hex')), { name: 'StorageError', message: re }, h);
  t.throws(() => decodeSeriesResponse(Buffer.from('0a05', 'hex')), { message: /^decode thanos\.SeriesResponse \(2 bytes\)/ });
});

t.test('truncated frames fail unless cut at a frame field boundary; garbage never crashes', async (t) => {
  const rng = new Rng(3);
  let failures = 0;
  for (let i = 0; i < 300; i++) {
    const bytes = encodeSeriesResponse(randomFrame(rng));
    for (let n = 0; n < bytes.length; n++) {
      const cut = bytes.subarray(0, n);
      let fast: unknown;
      try {
        fast = normal(decodeSeriesResponse(cut));
      } catch (err) {
        if (!(err instanceof StorageError)) t.fail(`prefix ${hex(cut)} threw ${String(err)}`);
        failures++;
        continue;
      }
      // A prefix that decodes ends at a top-level field boundary, so it is a frame protobufjs reads alike.
      t.same(fast, normal(decodeMessage('thanos.SeriesResponse', cut)), `prefix ${hex(cut)}`);
    }
  }
  t.ok(failures > 1000, `${failures} truncations refused`);
  for (let i = 0; i < 5000; i++) {
    const buf = rng.bytes(1 + (i % 80));
    try {
      decodeSeriesResponse(buf);
    } catch (err) {
      if (!(err instanceof StorageError)) t.fail(`garbage ${hex(buf)} threw ${String(err)}`);
    }
  }
});

// SeriesFrameWriter: frames from pre-encoded labels and chunk views must be the bytes encodeSeriesResponse
// (and protobufjs) write for the same content as objects.
const LABEL_WORDS = ['', '__name__', 'job', 'api', 'instance', 'host-17.example:9100', 'é', 'naïve ✓', '😀 𝄞', 'x'.repeat(130), 'ü'.repeat(70)];

interface WriterChunk {
  min: number;
  max: number;
  enc: number;
  data: Uint8Array;
  hash?: bigint;
}

function randomTime(rng: Rng): number {
  switch (rng.int(6)) {
    case 0:
      return 0;
    case 1:
      return rng.int(300);
    case 2:
      return 1_700_000_000_000 + rng.next();
    case 3:
      return -1 - rng.int(1 << 30);
    case 4:
      return (rng.int(2) ? 1 : -1) * (2 ** 53 + 2 * rng.int(1000)); // beyond safe integers, still exact
    default:
      return (rng.int(2) ? 1 : -1) * (2 ** 62 + rng.int(1 << 20) * 2 ** 32); // large, below 2^63
  }
}

function randomChunk(rng: Rng): WriterChunk {
  let data: Uint8Array = new Uint8Array(0);
  const k = rng.int(4);
  if (k === 1) data = rng.bytes(1 + rng.int(20));
  if (k === 2) data = rng.bytes(200 + rng.int(300)).subarray(3, 180); // a view at an offset, length > 127
  // Hashes as uint64 or as the int64 of the same bits (a wasm i64, negative half the time).
  const hash = rng.pick([undefined, 0n, BigInt(rng.int(100)), rng.u64(), 0xffffffffffffffffn, -1n, -(2n ** 63n), BigInt.asIntN(64, rng.u64())]);
  return { min: randomTime(rng), max: randomTime(rng), enc: rng.pick([0, 0, 1, 2, 5, 300]), data, hash };
}

function randomLabels(rng: Rng): ProtoLabel[] {
  return Array.from({ length: rng.int(6) }, () => ({ name: rng.pick(LABEL_WORDS), value: rng.pick(LABEL_WORDS) }));
}

/** Writes one series into w, its labels split into random pieces of both kinds. */
function writeSeries(rng: Rng, w: SeriesFrameWriter, labels: ProtoLabel[], chunks: WriterChunk[]): void {
  w.beginSeries();
  for (let i = 0; i < labels.length; ) {
    if (rng.int(2) === 0) {
      w.label(Buffer.from(labels[i]!.name), Buffer.from(labels[i]!.value));
      i++;
    } else {
      const n = 1 + rng.int(labels.length - i);
      const entries = encodeLabels(labels.slice(i, i + n));
      if (rng.int(2) === 0) w.labels(entries);
      else {
        // The same entries as a range of a larger buffer.
        const buf = new Uint8Array(3 + entries.length + rng.int(4)).fill(0xee);
        buf.set(entries, 3);
        w.labels(buf, 3, 3 + entries.length);
      }
      i += n;
    }
  }
  if (labels.length > 0 && rng.int(4) === 0) w.labels(new Uint8Array(0)); // an empty piece adds nothing
  for (const c of chunks) {
    const how = rng.int(3);
    if (how === 0) w.chunk(c.min, c.max, c.enc, c.data, c.hash);
    else if (how === 1) {
      // Times as a remote-read Chunk carries them (fields 1 and 2, zeros left out), the data right after,
      // the hash as words.
      const times = [...timeField(0x08, c.min), ...timeField(0x10, c.max)];
      const buf = new Uint8Array(2 + times.length + c.data.length + rng.int(3)).fill(0xee);
      buf.set(times, 2);
      buf.set(c.data, 2 + times.length);
      const h = BigInt.asUintN(64, c.hash ?? 0n);
      const start = 2 + times.length;
      w.chunkEncodedTimes(buf, 2, start, c.enc, start, start + c.data.length, Number(h & 0xffffffffn), Number(h >> 32n));
    } else {
      // The same bytes inside a larger buffer, given by range.
      const pad = rng.int(9);
      const buf = new Uint8Array(pad + c.data.length + rng.int(9)).fill(0xee);
      buf.set(c.data, pad);
      w.chunkRange(c.min, c.max, c.enc, buf, pad, pad + c.data.length, c.hash);
    }
  }
}

/** An int64 field by the protobuf rules: tag, varint of the 64-bit two's complement; nothing for 0. */
function timeField(tag: number, v: number): number[] {
  let u = BigInt.asUintN(64, BigInt(v));
  if (u === 0n) return [];
  const out = [tag];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return out;
}

function asProto(labels: ProtoLabel[], chunks: WriterChunk[]): ProtoSeries {
  return {
    labels,
    chunks: chunks.map((c) => ({ min_time: String(BigInt(c.min)), max_time: String(BigInt(c.max)), raw: { type: c.enc, data: c.data, hash: String(BigInt.asUintN(64, c.hash ?? 0n)) } })),
  };
}

t.test('SeriesFrameWriter: random series and batch frames are the bytes of encodeSeriesResponse and protobufjs', async (t) => {
  const rng = new Rng(4);
  const w = new SeriesFrameWriter(); // one writer for every frame: a frame leaves nothing behind
  let checked = 0;
  const kept: [Buffer, Buffer][] = [];
  for (let i = 0; i < 2000; i++) {
    const n = i % 2 === 0 ? 1 : rng.int(12);
    const series: ProtoSeries[] = [];
    for (let s = 0; s < n; s++) {
      const labels = randomLabels(rng);
      const chunks = Array.from({ length: rng.int(5) }, () => randomChunk(rng));
      writeSeries(rng, w, labels, chunks);
      series.push(asProto(labels, chunks));
    }
    if (w.seriesCount !== n) {
      t.equal(w.seriesCount, n, `frame ${i}: series counted`);
      return;
    }
    const single = i % 4 === 0;
    const frame: SeriesResponse = single ? { series: series[0]! } : { batch: { series } };
    const predicted = w.byteLength;
    const got = single ? w.seriesFrame() : w.batchFrame();
    const want = encodeSeriesResponse(frame);
    if (hex(got) !== hex(want) || hex(want) !== hex(encodeMessage('thanos.SeriesResponse', frame))) {
      t.same({ got: hex(got), ref: hex(encodeMessage('thanos.SeriesResponse', frame)) }, { got: hex(want), ref: hex(want) }, `frame ${i}: ${JSON.stringify(frame, big)}`);
      return;
    }
    if (!single && predicted !== got.length) {
      t.equal(predicted, got.length, `frame ${i}: byteLength predicted the batch frame's size`);
      return;
    }
    checked++;
    kept.push([got, want]);
  }
  t.equal(checked, 2000);
  // Frames share the writer's slabs: each is still its own bytes once the ones after it are made.
  t.ok(kept.some(([a], i) => i > 0 && a.buffer === kept[i - 1]![0].buffer), 'frames cut from one slab');
  t.equal(kept.filter(([got, want]) => !got.equals(want)).length, 0, 'no frame overwritten by a later one');
  t.equal(w.seriesCount, 0, 'empty after the last frame');
  t.equal(hex(w.batchFrame()), '2200', 'a batch of no series');
});

t.test('SeriesFrameWriter: times and hashes as the encoder takes them (clamped, truncated), a 2 MiB frame', async (t) => {
  const w = new SeriesFrameWriter();
  const times = [2 ** 63, -(2 ** 63), Infinity, -Infinity, 1.7, -1.7, -0, 2 ** 64];
  for (const v of times) {
    w.beginSeries();
    w.chunk(v, -v, 0, new Uint8Array([1]), 2n ** 64n + 5n);
    const want = encodeSeriesResponse({ series: { labels: [], chunks: [{ min_time: v, max_time: -v, raw: { type: 0, data: new Uint8Array([1]), hash: 2n ** 64n + 5n } }] } });
    t.equal(hex(w.seriesFrame()), hex(want), String(v));
  }
  t.throws(() => w.chunk(1, 2, 0, new Uint8Array(0)), /before beginSeries/);
  w.beginSeries();
  t.throws(() => w.chunk(NaN, 2, 0, new Uint8Array(0)), TypeError);
  t.throws(() => w.chunk(1, 2, 0.5, new Uint8Array(0)), /not an enum number/);
  t.throws(() => w.chunk(1, 2, 0, [1, 2] as any), /bytes expected/);
  t.throws(() => w.chunkRange(1, 2, 0, new Uint8Array(4), 2, 5), /outside its 4 bytes/);
  t.throws(() => w.chunkRange(1, 2, 0, new Uint8Array(4), 3, 2), RangeError);
  t.throws(() => w.chunkEncodedTimes(new Uint8Array(4), 0, 5, 0, 0, 1, 0, 0), /outside its 4 bytes/);
  t.throws(() => w.chunkEncodedTimes(new Uint8Array(4), 0, 1, 0, 2, 5, 0, 0), /outside its 4 bytes/);
  t.throws(() => w.chunkEncodedTimes(new Uint8Array(4), 2, 1, 0, 2, 3, 0, 0), RangeError);
  w.beginSeries();
  t.throws(() => w.labels(new Uint8Array(4), 1, 5), /outside their 4 bytes/);
  w.chunk(1, 2, 0, new Uint8Array(0));
  t.throws(() => w.labels(encodeLabels([{ name: 'a', value: 'b' }])), /labels after chunks/);
  w.beginSeries();
  t.throws(() => w.seriesFrame(), /seriesFrame\(\) with 3 series/);
  t.equal(w.seriesCount, 0, 'a refused frame empties the writer too');

  // Many series with chunks of 4 KiB: lengths beyond 2^21 (4-byte varints) and internal arrays grown.
  const series: ProtoSeries[] = [];
  const labels = [{ name: '__name__', value: 'up' }];
  const enc = encodeLabels(labels);
  for (let s = 0; s < 600; s++) {
    const data = new Uint8Array(4096).fill(s & 0xff);
    w.beginSeries();
    w.labels(enc);
    w.chunk(s, s + 1, 0, data, BigInt(s));
    series.push({ labels, chunks: [{ min_time: s, max_time: s + 1, raw: { type: 0, data, hash: BigInt(s) } }] });
  }
  const got = w.batchFrame();
  t.ok(got.length > 2 ** 21);
  t.equal(Buffer.compare(got, encodeSeriesResponse({ batch: { series } })), 0);
});

t.test('encodeLabels: the Series.labels entries the encoder writes', async (t) => {
  const labels = [
    { name: '__name__', value: 'up' },
    { name: 'job', value: 'api' },
  ];
  // The labels part of the hand-computed frame above.
  t.equal(hex(encodeLabels(labels)), hex(SERIES_FRAME.subarray(2, 30)));
  t.equal(hex(encodeLabels([])), '');
  t.equal(hex(encodeLabels([{ name: '', value: '' }])), '0a00');
});

t.test('decoder: labels near the one-byte-lengths shape read as protobufjs reads them, or fail as malformed', async (t) => {
  // Series { labels = 1 } holding one hand-made Label payload; the frame is SeriesResponse { series = 1 }.
  const field1 = (payload: Buffer): Buffer => {
    const head = [0x0a];
    for (let n = payload.length; ; n >>>= 7) {
      if (n < 0x80) {
        head.push(n);
        break;
      }
      head.push((n & 0x7f) | 0x80);
    }
    return Buffer.concat([Buffer.from(head), payload]);
  };
  const frame = (label: string): Buffer => field1(field1(Buffer.from(label, 'hex')));
  const name = '0a03' + Buffer.from('job').toString('hex');
  const value = '1202' + Buffer.from('up').toString('hex');
  const decodes: [string, string][] = [
    ['the shape itself', name + value],
    ['value before name', value + name],
    ['name only', name],
    ['value only', value],
    ['name twice, the last wins', '0a0178' + name + value],
    ['an unknown field after the value', name + value + '1801'],
    ['an unknown field before the name', '1801' + name + value],
    ['empty name', '0a00' + value],
    ['empty value', name + '1200'],
    ['a two-byte length', '0a8101' + 'aa'.repeat(129) + value],
  ];
  for (const [what, hex] of decodes) {
    const f = frame(hex);
    t.same(normal(decodeSeriesResponse(f)), normal(decodeMessage('thanos.SeriesResponse', f)), what);
  }
  const refused: [string, string][] = [
    ['value length past the label', name + '1205' + Buffer.from('up').toString('hex')],
    ['name length past the label', '0a09' + Buffer.from('job').toString('hex')],
    ['value tag without a length', name + '12'],
  ];
  for (const [what, hex] of refused) t.throws(() => decodeSeriesResponse(frame(hex)), { name: 'StorageError' }, what);
});

t.test('decoder: AggrChunks near the shape stores send (read in one pass) decode as protobufjs reads them, or fail as malformed', async (t) => {
  const varint = (v: bigint): string => {
    let out = '';
    let x = BigInt.asUintN(64, v);
    for (;;) {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      if (x === 0n) return out + b.toString(16).padStart(2, '0');
      out += (b | 0x80).toString(16);
    }
  };
  const len = (hex: string): string => varint(BigInt(hex.length / 2)) + hex;
  // SeriesResponse { series = 1 { labels = 1 {job=up}, chunks = 2 <payload> } }
  const frame = (aggr: string): Buffer => Buffer.from('0a' + len('0a' + len('0a036a6f62120275 70'.replace(/ /g, '')) + '12' + len(aggr)), 'hex');
  const t0 = 1_700_000_000_000n;
  const times = '08' + varint(t0) + '10' + varint(t0 + 7_185_000n);
  const data = 'ab'.repeat(40);
  const raw = (chunk: string): string => '1a' + len(chunk);
  const decodes: [string, string][] = [
    ['the shape itself', times + raw('12' + len(data) + '18' + varint(0x1234_5678_9abc_def0n))],
    ['a hash above 2^63', times + raw('12' + len(data) + '18' + varint(2n ** 64n - 1n))],
    ['no hash', times + raw('12' + len(data))],
    ['an encoding number', times + raw('0801' + '12' + len(data) + '1807')],
    ['encoding 127', times + raw('087f' + '12' + len(data))],
    ['encoding 128 (two bytes)', times + raw('088001' + '12' + len(data))],
    ['a negative encoding (ten bytes)', times + raw('08' + varint(-1n) + '12' + len(data))],
    ['data with a two-byte length', times + raw('12' + len('cd'.repeat(200)) + '1801')],
    ['empty data', times + raw('1200' + '1801')],
    ['no data', times + raw('1801')],
    ['an empty raw chunk', times + '1a00'],
    ['no times', raw('12' + len(data))],
    ['min_time 2^49 − 1 (seven bytes)', '08' + varint(2n ** 49n - 1n) + '10' + varint(2n ** 49n - 1n) + raw('12' + len(data))],
    ['min_time 2^49 (eight bytes)', '08' + varint(2n ** 49n) + '10' + varint(2n ** 49n + 5n) + raw('12' + len(data))],
    ['a negative min_time (ten bytes)', '08' + varint(-5_000n) + '10' + varint(t0) + raw('12' + len(data))],
    ['a padded time varint', '088000' + '10' + varint(t0) + raw('12' + len(data))],
    ['max_time before min_time', '10' + varint(t0) + '08' + varint(t0 - 1n) + raw('12' + len(data))],
    ['min_time twice, the last wins', '0801' + times + raw('12' + len(data))],
    ['raw before the times', raw('12' + len(data)) + times],
    ['a count chunk after raw', times + raw('12' + len(data)) + '22' + len('12' + len('ee'))],
    ['raw twice, the last wins', times + raw('12' + len('ee')) + raw('12' + len(data))],
    ['hash before data', times + raw('1809' + '12' + len(data))],
    ['an unknown field in the chunk', times + raw('12' + len(data) + '2001')],
    ['an unknown field after raw', times + raw('12' + len(data)) + 'a00101'],
  ];
  for (const [what, hex] of decodes) {
    const f = frame(hex);
    t.same(normal(decodeSeriesResponse(f)), normal(decodeMessage('thanos.SeriesResponse', f)), what);
  }
  const refused: [string, string][] = [
    ['a time varint not ended in the chunk', '08ffff'],
    ['data past the raw chunk', times + '1a03' + '1205aabb' + 'ccddee'],
    ['a hash varint running past the raw chunk', times + '1a03' + '18ffff' + 'ff01'],
    ['a raw length past the AggrChunk', times + '1a09' + '1201aa'],
  ];
  for (const [what, hex] of refused) t.throws(() => decodeSeriesResponse(frame(hex)), { name: 'StorageError' }, what);
});
