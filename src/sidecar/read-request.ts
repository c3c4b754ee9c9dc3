/**
 * The body of the sidecar's remote-read POST: snappy(block) of a `prometheus.ReadRequest` with one query
 * (its matchers, start and end, the same as hints) asking for STREAMED_XOR_CHUNKS, then SAMPLES.
 *
 * Written by hand (ProtoWriter), byte for byte what `encodeReadRequest` (protobufjs) gives: this runs once per
 * Series call between the querier's request and Prometheus's first byte, while both wait, and there
 * protobufjs's conversion and snappyjs's compressor (a 16 K-entry hash table per call) took ~105 µs of cold
 * code, the hand writer ~35. The
 * snappy block holds the message as one literal: valid snappy that every decoder reads; a request of a few
 * hundred bytes has nothing worth compressing.
 */
import type { Matcher } from '../model/index.js';
import { millisToInt64, ProtoWriter, ReadResponseType, varint32Size, writeVarint32 } from '../storeapi/index.js';

const ACCEPTED = [ReadResponseType.STREAMED_XOR_CHUNKS, ReadResponseType.SAMPLES];

export function readRequestBody(mint: number, maxt: number, matchers: readonly Matcher[]): Buffer {
  const w = new ProtoWriter();
  // int64 fields as millisToInt64 makes them (NaN refused, clamped to the int64 range); 0 is left out.
  const start = millisToInt64(mint);
  const end = millisToInt64(maxt);
  // Query: start (1), end (2), matchers (3), hints (4) = ReadHints{start_ms (3), end_ms (4)}: the same times.
  w.message(0x0a, () => {
    w.int64(0x08, start);
    w.int64(0x10, end);
    for (const m of matchers) w.matcher(0x1a, m);
    w.message(0x22, () => {
      w.int64(0x18, start);
      w.int64(0x20, end);
    });
  });
  w.message(0x12, () => ACCEPTED.forEach((t) => w.enumValue(t))); // accepted_response_types, packed (proto3)
  const message = w.take();
  // Snappy block: the uncompressed length, then one literal element (tag 0: length − 1 in the top six bits,
  // or 60–63 there and the length − 1 in the next 1–4 bytes, little-endian).
  const n = message.length;
  const literalHead = n <= 60 ? 1 : n <= 0x100 ? 2 : n <= 0x10000 ? 3 : n <= 0x1000000 ? 4 : 5;
  const out = Buffer.allocUnsafe(varint32Size(n) + literalHead + n);
  let p = writeVarint32(out, 0, n);
  if (literalHead === 1) out[p++] = (n - 1) << 2;
  else {
    out[p++] = (58 + literalHead) << 2;
    for (let i = 0, v = n - 1; i < literalHead - 1; i++, v >>>= 8) out[p++] = v & 0xff;
  }
  out.set(message, p);
  return out;
}
