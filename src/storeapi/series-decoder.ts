/**
 * Hand-written decoder of thanos.SeriesResponse frames, the client side of every Series call: the same
 * objects proto-loader builds (snake_case fields, `result` naming the oneof member, absent sub-messages
 * null, absent repeated fields []), except for the representation of 64-bit integers and bytes:
 *
 *   AggrChunk.min_time/max_time  numbers, as int64ToMillis would make of the decimal strings (wire-int64.ts)
 *   Chunk.hash                   bigint (0n when absent)
 *   bytes (Chunk.data, Any.value) views into the frame buffer, not copies (grpc-js hands us a fresh buffer
 *                                per message, so a view keeps only that message alive)
 *
 * Unknown fields are skipped at every level (forward compatibility). Truncated or malformed input — a length
 * past the end, a varint longer than 10 bytes, a wire type that does not exist, a known field with the wrong
 * wire type (Thanos's gogo-generated code refuses that too; protobufjs reads on and misreads), field 0 —
 * throws StorageError naming the message and the offset, never a RangeError or a half-built frame.
 *
 * Label names and values are interned by the reader (proto-reader.ts). Layout: docs/format/storeapi.md.
 */
import { StorageError } from '../model/index.js';
import type { ProtoAggrChunk, ProtoAny, ProtoChunk, ProtoLabel, ProtoSeries, SeriesResponse } from './types.js';
import { MalformedError, ProtoReader } from './proto-reader.js';
import { int64Number, uint64BigInt } from './wire-int64.js';

const EMPTY = new Uint8Array(0);

/** Decodes one SeriesResponse frame. Throws StorageError on input that is not one. */
export function decodeSeriesResponse(bytes: Uint8Array): SeriesResponse {
  const r = new Reader(bytes);
  try {
    return r.frame();
  } catch (err) {
    if (err instanceof MalformedError) {
      throw new StorageError(`decode thanos.SeriesResponse (${bytes.length} bytes): ${err.message} at offset ${r.pos}`);
    }
    throw new StorageError(`decode thanos.SeriesResponse (${bytes.length} bytes): ${(err as Error).message}`, { cause: err });
  }
}

class Reader extends ProtoReader {
  frame(): SeriesResponse {
    const end = this.buf.length;
    let out: SeriesResponse | undefined;
    while (this.pos < end) {
      const tag = this.varint32();
      switch (tag) {
        case 0x0a: // series = 1
          out = { result: 'series', series: this.series(this.len()) };
          break;
        case 0x12: // warning = 2
          out = { result: 'warning', warning: this.string(this.len()) };
          break;
        case 0x1a: // hints = 3
          out = { result: 'hints', hints: this.any(this.len()) };
          break;
        case 0x22: {
          // batch = 4
          const bEnd = this.len();
          const list: ProtoSeries[] = [];
          while (this.pos < bEnd) {
            const t = this.varint32();
            if (t === 0x0a) list.push(this.series(this.len()));
            else this.skip(t, bEnd, 1);
          }
          this.ended(bEnd);
          out = { result: 'batch', batch: { series: list } };
          break;
        }
        default:
          this.skip(tag, end, 4);
      }
    }
    // No member at all: proto-loader gives an object without `result`; keep that shape.
    return out ?? ({} as SeriesResponse);
  }

  series(end: number): ProtoSeries {
    const labels: ProtoLabel[] = [];
    const chunks: ProtoAggrChunk[] = [];
    while (this.pos < end) {
      const tag = this.varint32();
      if (tag === 0x0a) labels.push(this.label(this.len()));
      else if (tag === 0x12) chunks.push(this.aggrChunk(this.len()));
      else this.skip(tag, end, 2);
    }
    this.ended(end);
    return { labels, chunks };
  }

  label(end: number): ProtoLabel {
    // Almost every label is exactly `0a <len> name 12 <len> value` with one-byte lengths: read that shape
    // without the field loop. Anything else (long, empty or missing fields, unknown ones) takes the loop.
    const b = this.buf;
    const p = this.pos;
    if (b[p] === 0x0a) {
      const ne = p + 2 + b[p + 1];
      if (b[p + 1] < 0x80 && ne + 2 <= end && b[ne] === 0x12 && b[ne + 1] < 0x80 && ne + 2 + b[ne + 1] === end) {
        this.pos = end;
        return { name: this.stringAt(p + 2, ne), value: this.stringAt(ne + 2, end) };
      }
    }
    let name = '';
    let value = '';
    while (this.pos < end) {
      const tag = this.varint32();
      if (tag === 0x0a) name = this.string(this.len());
      else if (tag === 0x12) value = this.string(this.len());
      else this.skip(tag, end, 2);
    }
    this.ended(end);
    return { name, value };
  }

  aggrChunk(end: number): ProtoAggrChunk {
    const start = this.pos;
    const c = this.rawAggrChunk(end);
    if (c !== undefined) return c;
    this.pos = start;
    return this.anyAggrChunk(end);
  }

  /**
   * The AggrChunk every store sends — `08 min 10 max 1a len { [08 type] 12 len data [18 hash] }`, fields in that
   * order, zero ones left out, times of up to 7 varint bytes (0 ≤ t < 2^49) — read in one pass without the
   * field loops; undefined for anything else, which anyAggrChunk reads (from the start again).
   */
  rawAggrChunk(end: number): ProtoAggrChunk | undefined {
    const b = this.buf;
    let p = this.pos;
    let minTime = 0;
    let maxTime = 0;
    if (b[p] === 0x08 && p < end) {
      p = this.smallVarint(p + 1, end);
      if (p < 0) return undefined;
      minTime = this.num;
    }
    if (b[p] === 0x10 && p < end) {
      p = this.smallVarint(p + 1, end);
      if (p < 0) return undefined;
      maxTime = this.num;
    }
    if (b[p] !== 0x1a || p >= end) return undefined;
    p = this.smallVarint(p + 1, end);
    if (p < 0 || p + this.num !== end) return undefined; // raw is not the last field
    let type = 0;
    if (b[p] === 0x08 && p < end) {
      type = b[p + 1];
      if (type >= 0x80 || p + 1 >= end) return undefined; // a long or negative enum
      p += 2;
    }
    let data: Uint8Array = EMPTY;
    if (b[p] === 0x12 && p < end) {
      p = this.smallVarint(p + 1, end);
      if (p < 0 || p + this.num > end) return undefined;
      data = new Uint8Array(this.ab, this.base + p, this.num);
      p += this.num;
    }
    let hash = 0n;
    if (b[p] === 0x18 && p < end) {
      this.pos = p + 1;
      this.varint64();
      p = this.pos;
      if (p > end) return undefined;
      hash = uint64BigInt(this.lo, this.hi);
    }
    if (p !== end) return undefined;
    this.pos = end;
    return { min_time: minTime, max_time: maxTime, raw: { type, data, hash }, count: null, sum: null, min: null, max: null, counter: null };
  }

  /** Any AggrChunk, field by field. */
  anyAggrChunk(end: number): ProtoAggrChunk {
    const c: ProtoAggrChunk = { min_time: 0, max_time: 0, raw: null, count: null, sum: null, min: null, max: null, counter: null };
    while (this.pos < end) {
      const tag = this.varint32();
      switch (tag) {
        case 0x08:
          this.varint64();
          c.min_time = int64Number(this.lo, this.hi);
          break;
        case 0x10:
          this.varint64();
          c.max_time = int64Number(this.lo, this.hi);
          break;
        case 0x1a:
          c.raw = this.chunk(this.len());
          break;
        case 0x22:
          c.count = this.chunk(this.len());
          break;
        case 0x2a:
          c.sum = this.chunk(this.len());
          break;
        case 0x32:
          c.min = this.chunk(this.len());
          break;
        case 0x3a:
          c.max = this.chunk(this.len());
          break;
        case 0x42:
          c.counter = this.chunk(this.len());
          break;
        default:
          this.skip(tag, end, 8);
      }
    }
    this.ended(end);
    return c;
  }

  chunk(end: number): ProtoChunk {
    const c: ProtoChunk = { type: 0, data: EMPTY, hash: 0n };
    while (this.pos < end) {
      const tag = this.varint32();
      if (tag === 0x08) {
        // An enum is an int32; a negative one arrives sign-extended to 10 bytes. Numbers we do not know are
        // kept (proto3 open enums): the consumer refuses them by name.
        this.varint64();
        c.type = this.lo | 0;
      } else if (tag === 0x12) c.data = this.bytes(this.len());
      else if (tag === 0x18) {
        this.varint64();
        c.hash = uint64BigInt(this.lo, this.hi);
      } else this.skip(tag, end, 3);
    }
    this.ended(end);
    return c;
  }

  any(end: number): ProtoAny {
    let type_url = '';
    let value: Uint8Array = EMPTY;
    while (this.pos < end) {
      const tag = this.varint32();
      if (tag === 0x0a) type_url = this.string(this.len());
      else if (tag === 0x12) value = this.bytes(this.len());
      else this.skip(tag, end, 2);
    }
    this.ended(end);
    return { type_url, value };
  }
}
