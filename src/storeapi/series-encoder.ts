/**
 * Hand-written encoder of thanos.SeriesResponse frames (`series`, `batch`, `warning`, `hints`): the hot
 * path of every store, sidecar and querier answering Series. Byte for byte what canonical.ts + protobufjs
 * write for the same object (proto3-canonical: default scalars left out, fields in number order, empty
 * sub-messages kept), without canonical's copy of every message, protobufjs's per-field closures and its
 * Long conversions. Layout: docs/format/storeapi.md.
 *
 * Two passes over the frame: the first measures every message and string and notes the lengths (pre-order)
 * and each int64's words in scratch arrays; the second writes into one buffer of the exact size, reading
 * those notes back in the same order. Nothing is allocated per field.
 *
 * Accepts what our types allow: int64s as decimal strings, numbers or bigints (numbers truncated and
 * clamped as millisToInt64), enums as numbers or their names. Unknown properties are ignored. Deliberate
 * differences from protobufjs, both on input it mis-encodes: an int64 given as −0 is left out (protobufjs
 * writes a 0), and numbers past ±2^63 are clamped (protobufjs wraps 2^63 — MaxInt64 read as a number — to
 * MinInt64).
 *
 * SeriesFrameWriter: the same bytes for `series` and `batch` frames, from parts a store or sidecar already
 * holds — no ProtoSeries/ProtoLabel/AggrChunk objects and nothing allocated per field:
 *   - labels as the bytes of Series' repeated `labels` entries (tag 0x0a, length, Label message), made once
 *     by encodeLabels and cached/concatenated by the caller, or one label from its name/value UTF-8 bytes;
 *     the writer copies them in the order given: callers put them sorted by name, external labels merged in
 *     (external wins on a clash), as Thanos sends them;
 *   - raw chunks as numbers and a view: min/max time (ms), thanos.Chunk.Encoding number, data, optional
 *     xxhash64 as a bigint (0n/undefined: not written). Data views are copied when the frame is made, so
 *     they need to stay valid only until then.
 * Sizes are added up as parts are given; seriesFrame()/batchFrame() write one buffer of the exact size, which
 * a Series handler sends as it is (SeriesFrame, server.ts). Import from this file ('storeapi/series-encoder.js').
 *
 *   const ext = encodeLabels([{ name: 'replica', value: 'a' }]);      // once
 *   const w = new SeriesFrameWriter();                                  // reusable
 *   w.beginSeries();
 *   w.labels(encodeLabels([{ name: '__name__', value: 'up' }]));        // cached per series by the caller;
 *                                                                       // or labels(buf, start, end): a range
 *   w.labels(ext);
 *   w.chunk(1000, 2000, ThanosChunkEncoding.XOR, data, hash);         // or chunkRange(…, buf, start, end, hash)
 *   await send(w.batchFrame());   // or w.seriesFrame() for exactly one series; the writer is then empty
 */
import { ThanosChunkEncoding, type ProtoAggrChunk, type ProtoAny, type ProtoChunk, type ProtoLabel, type ProtoSeries, type SeriesResponse } from './types.js';
import { toWords, varint32Size, varint64Size, WORDS, writeVarint32, writeVarint64 as varint64 } from './wire-int64.js';

// Scratch notes of pass 1, consumed in order by pass 2. Grown, never shrunk (a frame's worth of numbers).
let lens = new Int32Array(4096);
let nLens = 0;
let rLens = 0;
let words = new Uint32Array(4096);
let nWords = 0;
let rWords = 0;

function noteLen(n: number): void {
  if (nLens === lens.length) {
    const g = new Int32Array(lens.length * 2);
    g.set(lens);
    lens = g;
  }
  lens[nLens++] = n;
}

function noteWords(lo: number, hi: number): void {
  if (nWords + 2 > words.length) {
    const g = new Uint32Array(words.length * 2);
    g.set(words);
    words = g;
  }
  words[nWords++] = lo;
  words[nWords++] = hi;
}

const CHUNK_ENCODINGS = ThanosChunkEncoding as unknown as Record<string, number>;

/** Encodes one SeriesResponse frame into a new Buffer. Throws TypeError on a value our types do not allow. */
export function encodeSeriesResponse(frame: SeriesResponse): Buffer {
  nLens = rLens = nWords = rWords = 0;
  const size = sizeFrame(frame as FrameFields);
  const out = Buffer.allocUnsafe(size);
  const end = writeFrame(out, 0, frame as FrameFields);
  if (end !== size) throw new Error(`SeriesResponse encoder: wrote ${end} of ${size} bytes`); // a bug, not input
  return out;
}

/** The frame with every member optional: callers may hand over objects with several (all are written). */
interface FrameFields {
  series?: ProtoSeries | null;
  warning?: string | null;
  hints?: ProtoAny | null;
  batch?: { series?: ProtoSeries[] | null } | null;
}

// ---- pass 1: sizes -------------------------------------------------------------------------------------

/** Size of a length-delimited field whose payload is `n` bytes, tag of one byte included. */
function field(n: number): number {
  return 1 + varint32Size(n) + n;
}

function sizeFrame(f: FrameFields): number {
  let n = 0;
  if (f.series != null) n += field(sizeSeries(f.series));
  // Oneof members are written even when default: `warning: ''` is a (empty) warning frame.
  if (f.warning != null) n += field(sizeString(f.warning));
  if (f.hints != null) n += field(sizeAny(f.hints));
  if (f.batch != null) {
    const at = reserve();
    let b = 0;
    const list = repeated(f.batch.series, 'SeriesBatch.series');
    for (let i = 0; i < list.length; i++) b += field(sizeSeries(list[i]));
    n += field((lens[at] = b));
  }
  return n;
}

/** A slot for a message length known only after its children are measured (pre-order). */
function reserve(): number {
  noteLen(0);
  return nLens - 1;
}

function sizeSeries(s: ProtoSeries): number {
  obj(s, 'Series');
  const at = reserve();
  let n = 0;
  const labels = repeated(s.labels, 'Series.labels');
  for (let i = 0; i < labels.length; i++) n += field(sizeLabel(labels[i]));
  const chunks = repeated(s.chunks, 'Series.chunks');
  for (let i = 0; i < chunks.length; i++) n += field(sizeAggrChunk(chunks[i]));
  return (lens[at] = n);
}

function sizeLabel(l: ProtoLabel): number {
  obj(l, 'Label');
  const at = reserve();
  let n = 0;
  if (l.name != null && l.name !== '') n += field(sizeString(l.name));
  if (l.value != null && l.value !== '') n += field(sizeString(l.value));
  return (lens[at] = n);
}

function sizeAggrChunk(c: ProtoAggrChunk): number {
  obj(c, 'AggrChunk');
  const at = reserve();
  let n = 0;
  n += sizeInt64(c.min_time, false);
  n += sizeInt64(c.max_time, false);
  if (c.raw != null) n += field(sizeChunk(c.raw));
  if (c.count != null) n += field(sizeChunk(c.count));
  if (c.sum != null) n += field(sizeChunk(c.sum));
  if (c.min != null) n += field(sizeChunk(c.min));
  if (c.max != null) n += field(sizeChunk(c.max));
  if (c.counter != null) n += field(sizeChunk(c.counter));
  return (lens[at] = n);
}

function sizeChunk(c: ProtoChunk): number {
  obj(c, 'Chunk');
  const at = reserve();
  let n = 0;
  const t = enumNumber(c.type);
  noteLen(t);
  if (t !== 0) n += 1 + (t < 0 ? 10 : varint32Size(t));
  if (c.data != null && c.data.length > 0) n += field(bytes(c.data).length);
  n += sizeInt64(c.hash, true);
  return (lens[at] = n);
}

function sizeAny(a: ProtoAny): number {
  obj(a, 'Any');
  const at = reserve();
  let n = 0;
  if (a.type_url != null && a.type_url !== '') n += field(sizeString(a.type_url));
  if (a.value != null && a.value.length > 0) n += field(bytes(a.value).length);
  return (lens[at] = n);
}

/** Tag + varint of an int64/uint64 field, or 0 when it is the default; notes the words (or 0,0). */
function sizeInt64(v: unknown, unsigned: boolean): number {
  if (v == null || !toWords(v as string | number | bigint, unsigned)) {
    noteWords(0, 0);
    return 0;
  }
  const lo = WORDS[0];
  const hi = WORDS[1];
  noteWords(lo, hi);
  return 1 + varint64Size(lo, hi);
}

/** UTF-8 length of a string, noted for pass 2. */
function sizeString(s: string): number {
  if (typeof s !== 'string') throw new TypeError(`string expected, got ${typeof s}`);
  const n = utf8Length(s);
  noteLen(n);
  return n;
}

/** The UTF-8 length of `s`; lone surrogates count as U+FFFD (3 bytes), as Buffer writes them. */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if ((c & 0xfc00) === 0xd800 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: 2 UTF-16 units, 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

function enumNumber(v: unknown): number {
  if (v == null) return 0;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new TypeError(`Chunk.type: not an enum number: ${v}`);
    return v | 0;
  }
  const n = typeof v === 'string' ? CHUNK_ENCODINGS[v] : undefined;
  if (typeof n !== 'number') throw new TypeError(`Chunk.type: unknown enum value ${JSON.stringify(v)}`);
  return n;
}

function obj(v: unknown, what: string): void {
  if (typeof v !== 'object' || v === null) throw new TypeError(`thanos.${what}: object expected, got ${String(v)}`);
}

const NONE: never[] = [];

function repeated<T>(v: T[] | null | undefined, what: string): T[] {
  if (v == null) return NONE;
  if (!Array.isArray(v)) throw new TypeError(`thanos.${what}: array expected`);
  return v;
}

function bytes(v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`bytes expected, got ${typeof v}`);
  return v;
}

// ---- pass 2: bytes -------------------------------------------------------------------------------------

function writeFrame(out: Buffer, p: number, f: FrameFields): number {
  if (f.series != null) p = writeSeries(out, p, 0x0a, f.series);
  if (f.warning != null) p = writeString(out, p, 0x12, f.warning);
  if (f.hints != null) p = writeAny(out, p, 0x1a, f.hints);
  if (f.batch != null) {
    out[p++] = 0x22;
    p = writeVarint32(out, p, lens[rLens++]);
    const list = repeated(f.batch.series, '');
    for (let i = 0; i < list.length; i++) p = writeSeries(out, p, 0x0a, list[i]);
  }
  return p;
}

function writeSeries(out: Buffer, p: number, tag: number, s: ProtoSeries): number {
  out[p++] = tag;
  p = writeVarint32(out, p, lens[rLens++]);
  const labels = repeated(s.labels, '');
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    out[p++] = 0x0a;
    p = writeVarint32(out, p, lens[rLens++]);
    if (l.name != null && l.name !== '') p = writeString(out, p, 0x0a, l.name);
    if (l.value != null && l.value !== '') p = writeString(out, p, 0x12, l.value);
  }
  const chunks = repeated(s.chunks, '');
  for (let i = 0; i < chunks.length; i++) p = writeAggrChunk(out, p, chunks[i]);
  return p;
}

function writeAggrChunk(out: Buffer, p: number, c: ProtoAggrChunk): number {
  out[p++] = 0x12;
  p = writeVarint32(out, p, lens[rLens++]);
  p = writeInt64(out, p, 0x08);
  p = writeInt64(out, p, 0x10);
  if (c.raw != null) p = writeChunk(out, p, 0x1a, c.raw);
  if (c.count != null) p = writeChunk(out, p, 0x22, c.count);
  if (c.sum != null) p = writeChunk(out, p, 0x2a, c.sum);
  if (c.min != null) p = writeChunk(out, p, 0x32, c.min);
  if (c.max != null) p = writeChunk(out, p, 0x3a, c.max);
  if (c.counter != null) p = writeChunk(out, p, 0x42, c.counter);
  return p;
}

function writeChunk(out: Buffer, p: number, tag: number, c: ProtoChunk): number {
  out[p++] = tag;
  p = writeVarint32(out, p, lens[rLens++]);
  const t = lens[rLens++];
  if (t !== 0) {
    out[p++] = 0x08;
    // A negative enum is an int32 sign-extended to 64 bits: 10 bytes.
    p = t < 0 ? varint64(out, p, t >>> 0, 0xffffffff) : writeVarint32(out, p, t);
  }
  if (c.data != null && c.data.length > 0) p = writeBytes(out, p, 0x12, c.data);
  return writeInt64(out, p, 0x18);
}

function writeAny(out: Buffer, p: number, tag: number, a: ProtoAny): number {
  out[p++] = tag;
  p = writeVarint32(out, p, lens[rLens++]);
  if (a.type_url != null && a.type_url !== '') p = writeString(out, p, 0x0a, a.type_url);
  if (a.value != null && a.value.length > 0) p = writeBytes(out, p, 0x12, a.value);
  return p;
}

/** The next noted int64, if not default. */
function writeInt64(out: Buffer, p: number, tag: number): number {
  const lo = words[rWords++];
  const hi = words[rWords++];
  if (lo === 0 && hi === 0) return p;
  out[p++] = tag;
  return varint64(out, p, lo, hi);
}

function writeBytes(out: Buffer, p: number, tag: number, b: Uint8Array): number {
  out[p++] = tag;
  p = writeVarint32(out, p, b.length);
  out.set(b, p);
  return p + b.length;
}

function writeString(out: Buffer, p: number, tag: number, s: string): number {
  const n = lens[rLens++];
  out[p++] = tag;
  p = writeVarint32(out, p, n);
  if (n === s.length) {
    // ASCII (UTF-8 length = UTF-16 length only then): a JS loop beats a call into C++ for short labels.
    for (let i = 0; i < n; i++) out[p + i] = s.charCodeAt(i);
  } else out.write(s, p, n, 'utf8');
  return p + n;
}

// ---- SeriesFrameWriter: frames from encoded labels and chunk views -------------------------------------------

/** Payload size of a raw thanos.Chunk {type, data, hash} (hash words lo, hi). */
function rawChunkSize(encoding: number, dataLen: number, hashLo: number, hashHi: number): number {
  let n = 0;
  if (encoding !== 0) n += 1 + (encoding < 0 ? 10 : varint32Size(encoding));
  if (dataLen > 0) n += field(dataLen);
  if (hashLo !== 0 || hashHi !== 0) n += 1 + varint64Size(hashLo, hashHi);
  return n;
}

/** Payload size of a Series.labels entry's Label from name and value UTF-8 lengths. */
function labelSize(nameLen: number, valueLen: number): number {
  return (nameLen > 0 ? field(nameLen) : 0) + (valueLen > 0 ? field(valueLen) : 0);
}

/**
 * The bytes of Series' repeated `labels` entries for these labels, in the order given (callers sort them):
 * what the writer's labels() takes. Empty names/values are left out, as proto3 writes them.
 */
export function encodeLabels(labels: readonly ProtoLabel[]): Uint8Array {
  nLens = rLens = 0;
  let n = 0;
  for (let i = 0; i < labels.length; i++) n += field(sizeLabel(labels[i]!));
  const out = Buffer.allocUnsafe(n);
  let p = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    out[p++] = 0x0a;
    p = writeVarint32(out, p, lens[rLens++]);
    if (l.name != null && l.name !== '') p = writeString(out, p, 0x0a, l.name);
    if (l.value != null && l.value !== '') p = writeString(out, p, 0x12, l.value);
  }
  if (p !== n) throw new Error(`encodeLabels: wrote ${p} of ${n} bytes`);
  return out;
}

/**
 * Builds `series` and `batch` SeriesResponse frames from encoded labels and raw chunk views (header above).
 * Per series: beginSeries(), its labels (labels()/label(), any number of pieces), then its chunks (chunk()).
 * Reusable: making a frame empties it and drops its references to the views it was given.
 */
export class SeriesFrameWriter {
  // Label pieces: bytes [start, end) of entries (kind 0), or one label as name then value UTF-8 (kinds 1, 2).
  #pieces: (Uint8Array | undefined)[] = [];
  #kinds = new Uint8Array(256);
  #rangeStart = new Int32Array(256);
  #rangeEnd = new Int32Array(256);
  #nPieces = 0;
  // Chunks: words (min lo, hi, max lo, hi, hash lo, hi), encoding, data [start, end) of a buffer, AggrChunk payload size.
  #words = new Uint32Array(6 * 256);
  #enc = new Int32Array(256);
  #data: (Uint8Array | undefined)[] = [];
  #dataStart = new Int32Array(256);
  #dataEnd = new Int32Array(256);
  // Times given encoded (chunkEncodedTimes): bytes [start, end) of the chunk's buffer; start −1 when given as numbers.
  #timesStart = new Int32Array(256);
  #timesEnd = new Int32Array(256);
  #aggrSize = new Int32Array(256);
  #nChunks = 0;
  // Series: payload size, first piece, first chunk.
  #size = new Int32Array(64);
  #pieceStart = new Int32Array(64);
  #chunkStart = new Int32Array(64);
  #nSeries = 0;
  /** Whether the last series still takes labels (no chunk given yet). */
  #labelsOpen = false;
  /** Sum of the fields (tag, length, payload) of every series but the last. */
  #closedBytes = 0;
  /**
   * Frames are cut from this in turn (#frameBuffer), not allocated one by one: a frame is a view of it, and
   * a full slab is left to the frames still in flight.
   */
  #slab = EMPTY_BUFFER;
  #slabUsed = 0;

  /** Series begun since the last frame. */
  get seriesCount(): number {
    return this.#nSeries;
  }

  /** Bytes the batch frame would take now (for callers that flush by size). */
  get byteLength(): number {
    return field(this.#batchPayload());
  }

  /** Starts the next series. */
  beginSeries(): void {
    const s = this.#nSeries;
    if (s > 0) this.#closedBytes += field(this.#size[s - 1]!);
    if (s === this.#size.length) {
      this.#size = grow32(this.#size);
      this.#pieceStart = grow32(this.#pieceStart);
      this.#chunkStart = grow32(this.#chunkStart);
    }
    this.#size[s] = 0;
    this.#pieceStart[s] = this.#nPieces;
    this.#chunkStart[s] = this.#nChunks;
    this.#nSeries = s + 1;
    this.#labelsOpen = true;
  }

  /**
   * Appends encoded `labels` entries (encodeLabels, or a concatenation of its outputs) to the current series:
   * bytes [start, end) of `entries` (default all), so a caller may assemble many series' labels in one buffer.
   */
  labels(entries: Uint8Array, start = 0, end = entries?.length): void {
    if (!(start >= 0 && start <= end && end <= entries?.length) || !Number.isInteger(start) || !Number.isInteger(end)) {
      throw new RangeError(`labels [${start}, ${end}) outside their ${entries?.length} bytes`);
    }
    this.#piece(entries, 0, start, end);
    this.#size[this.#nSeries - 1] += end - start;
  }

  /** Appends one label given as its name and value UTF-8 bytes (views are fine) to the current series. */
  label(name: Uint8Array, value: Uint8Array): void {
    this.#piece(name, 1, 0, name?.length);
    this.#piece(value, 2, 0, value?.length);
    this.#size[this.#nSeries - 1] += field(labelSize(name.length, value.length));
  }

  /**
   * Appends a raw chunk to the current series: AggrChunk {min_time, max_time, raw: {type: encoding, data,
   * hash}}. Times are int64 milliseconds as numbers (truncated and clamped as the encoder does them).
   */
  chunk(minTime: number, maxTime: number, encoding: number, data: Uint8Array, hash?: bigint): void {
    this.chunkRange(minTime, maxTime, encoding, data, 0, data?.length, hash);
  }

  /** chunk() with the data given as bytes [start, end) of `buf`: no view to make per chunk. */
  chunkRange(minTime: number, maxTime: number, encoding: number, buf: Uint8Array, start: number, end: number, hash?: bigint): void {
    this.#checkChunkBytes(buf);
    if (!(start >= 0 && start <= end && end <= buf.length) || !Number.isInteger(start) || !Number.isInteger(end)) {
      throw new RangeError(`chunk data [${start}, ${end}) outside its ${buf.length} bytes`);
    }
    if (!Number.isInteger(encoding)) throw new TypeError(`Chunk.type: not an enum number: ${encoding}`);
    const c = this.#nextChunk();
    this.#timesStart[c] = -1;
    const w = this.#words;
    const o = c * 6;
    let n = 0;
    if (toWords(minTime, false)) n += 1 + varint64Size(WORDS[0]!, WORDS[1]!);
    w[o] = WORDS[0]!;
    w[o + 1] = WORDS[1]!;
    if (toWords(maxTime, false)) n += 1 + varint64Size(WORDS[0]!, WORDS[1]!);
    w[o + 2] = WORDS[0]!;
    w[o + 3] = WORDS[1]!;
    if (hash !== undefined && toWords(hash, true)) {
      w[o + 4] = WORDS[0]!;
      w[o + 5] = WORDS[1]!;
    } else w[o + 4] = w[o + 5] = 0;
    this.#endChunk(c, n, encoding | 0, buf, start, end);
  }

  /**
   * chunkRange() for a chunk whose times arrive encoded, as a remote-read Chunk begins: bytes
   * [timesStart, timesEnd) of `buf` are exactly its `min_time = 1` and `max_time = 2` int64 fields (each left
   * out when 0), which AggrChunk has with the same numbers and encoding — so they are copied, not decoded and
   * encoded again. The caller has read them as such. The hash comes as its two uint32 words (0, 0: none).
   */
  chunkEncodedTimes(buf: Uint8Array, timesStart: number, timesEnd: number, encoding: number, start: number, end: number, hashLo: number, hashHi: number): void {
    this.#checkChunkBytes(buf);
    if (
      !(timesStart >= 0 && timesStart <= timesEnd && timesEnd <= buf.length && start >= 0 && start <= end && end <= buf.length) ||
      !Number.isInteger(timesStart) || !Number.isInteger(timesEnd) || !Number.isInteger(start) || !Number.isInteger(end)
    ) {
      throw new RangeError(`chunk times [${timesStart}, ${timesEnd}) or data [${start}, ${end}) outside its ${buf.length} bytes`);
    }
    const c = this.#nextChunk();
    this.#timesStart[c] = timesStart;
    this.#timesEnd[c] = timesEnd;
    const o = c * 6;
    this.#words[o + 4] = hashLo;
    this.#words[o + 5] = hashHi;
    this.#endChunk(c, timesEnd - timesStart, encoding | 0, buf, start, end);
  }

  /** A chunk needs a series begun and its bytes in a Uint8Array. */
  #checkChunkBytes(buf: Uint8Array): void {
    if (this.#nSeries === 0) throw new Error('SeriesFrameWriter: chunk() before beginSeries()');
    if (!(buf instanceof Uint8Array)) throw new TypeError(`bytes expected, got ${typeof buf}`);
  }

  /** The index of a new chunk of the current series, the arrays grown if full. */
  #nextChunk(): number {
    this.#labelsOpen = false;
    const c = this.#nChunks;
    if (c === this.#enc.length) {
      const g = new Uint32Array(this.#words.length * 2);
      g.set(this.#words);
      this.#words = g;
      this.#enc = grow32(this.#enc);
      this.#aggrSize = grow32(this.#aggrSize);
      this.#dataStart = grow32(this.#dataStart);
      this.#dataEnd = grow32(this.#dataEnd);
      this.#timesStart = grow32(this.#timesStart);
      this.#timesEnd = grow32(this.#timesEnd);
    }
    return c;
  }

  /** Completes chunk c, whose time fields take `timeBytes`: data, encoding, sizes. Its hash words are set. */
  #endChunk(c: number, timeBytes: number, e: number, buf: Uint8Array, start: number, end: number): void {
    const n = timeBytes + field(rawChunkSize(e, end - start, this.#words[c * 6 + 4]!, this.#words[c * 6 + 5]!));
    this.#enc[c] = e;
    this.#aggrSize[c] = n;
    this.#data[c] = buf;
    this.#dataStart[c] = start;
    this.#dataEnd[c] = end;
    this.#nChunks = c + 1;
    this.#size[this.#nSeries - 1] += field(n);
  }

  /** The `series` frame of the one series begun; empties the writer. */
  seriesFrame(): Buffer {
    if (this.#nSeries !== 1) {
      const n = this.#nSeries;
      this.clear();
      throw new Error(`SeriesFrameWriter: seriesFrame() with ${n} series`);
    }
    const size = this.#size[0]!;
    const out = this.#frameBuffer(field(size));
    out[0] = 0x0a;
    const end = this.#writeSeries(out, writeVarint32(out, 1, size), 0);
    this.clear();
    if (end !== out.length) throw new Error(`SeriesFrameWriter: wrote ${end} of ${out.length} bytes`); // a bug
    return out;
  }

  /** The `batch` frame of every series begun (`22 00` if none); empties the writer. */
  batchFrame(): Buffer {
    const inner = this.#batchPayload();
    const out = this.#frameBuffer(field(inner));
    out[0] = 0x22;
    let p = writeVarint32(out, 1, inner);
    for (let s = 0; s < this.#nSeries; s++) {
      out[p++] = 0x0a;
      p = this.#writeSeries(out, writeVarint32(out, p, this.#size[s]!), s);
    }
    this.clear();
    if (p !== out.length) throw new Error(`SeriesFrameWriter: wrote ${p} of ${out.length} bytes`); // a bug
    return out;
  }

  /**
   * n bytes for a frame: the rest of the slab if it has room, else a new slab's start. Slabs start small (a
   * one-frame answer should not cost a big allocation) and double while the answer goes on.
   */
  #frameBuffer(n: number): Buffer {
    if (n > this.#slab.length - this.#slabUsed) {
      if (n > FRAME_SLAB_BYTES / 4) return Buffer.allocUnsafe(n); // a big frame: a slab would hold few
      this.#slab = Buffer.allocUnsafeSlow(Math.min(FRAME_SLAB_BYTES, Math.max(4 * n, 2 * this.#slab.length, 16 * 1024)));
      this.#slabUsed = 0;
    }
    const out = this.#slab.subarray(this.#slabUsed, this.#slabUsed + n);
    this.#slabUsed += n;
    return out;
  }

  #batchPayload(): number {
    const s = this.#nSeries;
    return s === 0 ? 0 : this.#closedBytes + field(this.#size[s - 1]!);
  }

  #piece(bytes: Uint8Array, kind: number, start: number, end: number): void {
    if (!this.#labelsOpen) throw new Error('SeriesFrameWriter: labels after chunks, or before beginSeries()');
    if (!(bytes instanceof Uint8Array)) throw new TypeError(`bytes expected, got ${typeof bytes}`);
    const i = this.#nPieces;
    if (i === this.#kinds.length) {
      const k = new Uint8Array(i * 2);
      k.set(this.#kinds);
      this.#kinds = k;
      this.#rangeStart = grow32(this.#rangeStart);
      this.#rangeEnd = grow32(this.#rangeEnd);
    }
    this.#kinds[i] = kind;
    this.#rangeStart[i] = start;
    this.#rangeEnd[i] = end;
    this.#pieces[i] = bytes;
    this.#nPieces = i + 1;
  }

  /** Writes series s's payload (its labels, then its chunks) at p. */
  #writeSeries(out: Buffer, p: number, s: number): number {
    const last = s + 1 === this.#nSeries;
    const pieceEnd = last ? this.#nPieces : this.#pieceStart[s + 1]!;
    const pieces = this.#pieces;
    const kinds = this.#kinds;
    for (let i = this.#pieceStart[s]!; i < pieceEnd; i++) {
      const b = pieces[i]!;
      if (kinds[i] === 0) {
        p = copy(out, p, b, this.#rangeStart[i]!, this.#rangeEnd[i]!);
        continue;
      }
      const v = pieces[++i]!;
      out[p++] = 0x0a;
      p = writeVarint32(out, p, labelSize(b.length, v.length));
      if (b.length > 0) p = writeBytes(out, p, 0x0a, b);
      if (v.length > 0) p = writeBytes(out, p, 0x12, v);
    }
    const chunkEnd = last ? this.#nChunks : this.#chunkStart[s + 1]!;
    const w = this.#words;
    for (let c = this.#chunkStart[s]!; c < chunkEnd; c++) {
      const o = c * 6;
      out[p++] = 0x12;
      p = writeVarint32(out, p, this.#aggrSize[c]!);
      const ts = this.#timesStart[c]!;
      if (ts >= 0) p = copy(out, p, this.#data[c]!, ts, this.#timesEnd[c]!);
      else {
        if (w[o] !== 0 || w[o + 1] !== 0) {
          out[p++] = 0x08;
          p = varint64(out, p, w[o]!, w[o + 1]!);
        }
        if (w[o + 2] !== 0 || w[o + 3] !== 0) {
          out[p++] = 0x10;
          p = varint64(out, p, w[o + 2]!, w[o + 3]!);
        }
      }
      const e = this.#enc[c]!;
      const from = this.#dataStart[c]!;
      const n = this.#dataEnd[c]! - from;
      const hlo = w[o + 4]!;
      const hhi = w[o + 5]!;
      out[p++] = 0x1a;
      p = writeVarint32(out, p, rawChunkSize(e, n, hlo, hhi));
      if (e !== 0) {
        out[p++] = 0x08;
        // A negative enum is an int32 sign-extended to 64 bits: 10 bytes.
        p = e < 0 ? varint64(out, p, e >>> 0, 0xffffffff) : writeVarint32(out, p, e);
      }
      if (n > 0) {
        out[p++] = 0x12;
        p = copy(out, writeVarint32(out, p, n), this.#data[c]!, from, from + n);
      }
      if (hlo !== 0 || hhi !== 0) {
        out[p++] = 0x18;
        p = varint64(out, p, hlo, hhi);
      }
    }
    return p;
  }

  /**
   * Empties the writer (what was begun and not framed too); the views it held are dropped so they can be
   * collected. Making a frame does this; call it to reuse a writer whose last series were given up.
   */
  clear(): void {
    this.#pieces.fill(undefined, 0, this.#nPieces);
    this.#data.fill(undefined, 0, this.#nChunks);
    this.#nPieces = this.#nChunks = this.#nSeries = this.#closedBytes = 0;
    this.#labelsOpen = false;
  }
}

const EMPTY_BUFFER = Buffer.alloc(0);
/** Largest frame slab: a few batches of 64 typical series; a frame over a quarter of it gets its own buffer. */
const FRAME_SLAB_BYTES = 256 * 1024;

/** Copies src[from, to) to out at p; returns the end. */
function copy(out: Buffer, p: number, src: Uint8Array, from: number, to: number): number {
  const n = to - from;
  // Short runs by hand: TypedArray.set of a fresh subarray costs more than the loop.
  if (n <= 64) for (let i = 0; i < n; i++) out[p + i] = src[from + i]!;
  else out.set(from === 0 && to === src.length ? src : src.subarray(from, to), p);
  return p + n;
}

function grow32(a: Int32Array): Int32Array<ArrayBuffer> {
  const g = new Int32Array(a.length * 2);
  g.set(a);
  return g;
}
