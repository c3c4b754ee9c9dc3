/**
 * The body of the sidecar's remote-read POST: snappy(block) of a `prometheus.ReadRequest` with one query
 * (its matchers, start and end, the same as hints) asking for STREAMED_XOR_CHUNKS, then SAMPLES.
 *
 * Written by hand, byte for byte what `encodeReadRequest` (protobufjs) gives: this runs once per Series call
 * between the querier's request and Prometheus's first byte, while both wait, and there protobufjs's
 * conversion and snappyjs's compressor (a 16 K-entry hash table per call) cost ~60 µs of cold code. The
 * snappy block holds the message as one literal: valid snappy that every decoder reads; a request of a few
 * hundred bytes has nothing worth compressing.
 */
import type { Matcher } from '../model/index.js';
import { millisToInt64, ReadResponseType, toWords, utf8Length, varint32Size, varint64Size, WORDS, writeVarint32, writeVarint64 } from '../storeapi/index.js';

const ACCEPTED = [ReadResponseType.STREAMED_XOR_CHUNKS, ReadResponseType.SAMPLES];

export function readRequestBody(mint: number, maxt: number, matchers: readonly Matcher[]): Buffer {
  // int64 fields as millisToInt64 makes them (NaN refused, clamped to the int64 range), then their words.
  const [sLo, sHi, sSet] = words(mint);
  const [eLo, eHi, eSet] = words(maxt);
  const times = (sSet ? 1 + varint64Size(sLo, sHi) : 0) + (eSet ? 1 + varint64Size(eLo, eHi) : 0);
  const sizes = matchers.map((m) => {
    const n = utf8Length(m.name);
    const v = utf8Length(m.value);
    return { n, v, size: (m.type !== 0 ? 1 + varint32Size(m.type) : 0) + (n > 0 ? field(n) : 0) + (v > 0 ? field(v) : 0) };
  });
  // Query: start (1), end (2), matchers (3), hints (4) = ReadHints{start_ms (3), end_ms (4)}: the same times.
  const query = times + sizes.reduce((a, s) => a + field(s.size), 0) + field(times);
  const message = field(query) + field(ACCEPTED.length);
  const literalHead = message <= 60 ? 1 : message <= 0x100 ? 2 : message <= 0x10000 ? 3 : message <= 0x1000000 ? 4 : 5;
  const out = Buffer.allocUnsafe(varint32Size(message) + literalHead + message);
  // Snappy block: the uncompressed length, then one literal element (tag 0: length − 1 in the top six bits,
  // or 60–63 there and the length − 1 in the next 1–4 bytes, little-endian).
  let p = writeVarint32(out, 0, message);
  if (literalHead === 1) out[p++] = (message - 1) << 2;
  else {
    out[p++] = (58 + literalHead) << 2;
    for (let i = 0, v = message - 1; i < literalHead - 1; i++, v >>>= 8) out[p++] = v & 0xff;
  }
  out[p++] = 0x0a;
  p = writeVarint32(out, p, query);
  const writeTimes = (startTag: number, endTag: number): void => {
    if (sSet) {
      out[p++] = startTag;
      p = writeVarint64(out, p, sLo, sHi);
    }
    if (eSet) {
      out[p++] = endTag;
      p = writeVarint64(out, p, eLo, eHi);
    }
  };
  writeTimes(0x08, 0x10);
  matchers.forEach((m, i) => {
    const s = sizes[i];
    out[p++] = 0x1a;
    p = writeVarint32(out, p, s.size);
    if (m.type !== 0) {
      out[p++] = 0x08;
      p = writeVarint32(out, p, m.type);
    }
    if (s.n > 0) p = writeString(out, p, 0x12, m.name, s.n);
    if (s.v > 0) p = writeString(out, p, 0x1a, m.value, s.v);
  });
  out[p++] = 0x22;
  p = writeVarint32(out, p, times);
  writeTimes(0x18, 0x20);
  out[p++] = 0x12; // accepted_response_types, packed (proto3), each a one-byte varint
  out[p++] = ACCEPTED.length;
  for (const t of ACCEPTED) out[p++] = t;
  if (p !== out.length) throw new Error(`readRequestBody: wrote ${p} of ${out.length} bytes`); // a bug
  return out;
}

function words(ms: number): [lo: number, hi: number, set: boolean] {
  const set = toWords(millisToInt64(ms), false);
  return [WORDS[0], WORDS[1], set];
}

/** Bytes of a length-delimited field of n payload bytes (one-byte tag). */
function field(n: number): number {
  return 1 + varint32Size(n) + n;
}

function writeString(out: Buffer, p: number, tag: number, s: string, n: number): number {
  out[p++] = tag;
  p = writeVarint32(out, p, n);
  return p + out.write(s, p, n, 'utf8');
}
