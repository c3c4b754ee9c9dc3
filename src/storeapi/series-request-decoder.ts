/**
 * Hand-written decoder of thanos.SeriesRequest, the one request every Series call starts with: the object
 * proto-loader's requestDeserialize builds (LOADER_OPTIONS, loader-options.ts: int64 as decimal strings, enums as
 * numbers, every scalar present with its default, absent messages null, repeated fields []). Its top-level
 * fields are read directly; the sub-messages (hints, query_hints, shard_info: not in every request) go
 * through protobufjs (codec.ts), which gives them proto-loader's shape too.
 *
 * Why by hand: proto-loader's generic decode and toObject took 40–80 µs per request on the sidecar, on the path
 * from the querier's call to the first byte asked of Prometheus (bench/README.md, sidecar). Malformed input
 * throws (the gRPC server answers INTERNAL "error parsing request", as for proto-loader's errors).
 */
import { decodeMessage } from './codec.js';
import { MalformedError, ProtoReader } from './proto-reader.js';
import type { ProtoLabelMatcher, SeriesRequest } from './types.js';
import { int64String } from './wire-int64.js';

export function decodeSeriesRequest(bytes: Uint8Array): SeriesRequest {
  const r = new RequestReader(bytes);
  try {
    return r.request();
  } catch (err) {
    if (err instanceof MalformedError) throw new Error(`decode thanos.SeriesRequest (${bytes.length} bytes): ${err.message} at offset ${r.pos}`);
    throw err;
  }
}

class RequestReader extends ProtoReader {
  request(): SeriesRequest {
    const req: SeriesRequest = {
      matchers: [],
      aggregates: [],
      without_replica_labels: [],
      min_time: '0',
      max_time: '0',
      max_resolution_window: '0',
      partial_response_disabled: false,
      partial_response_strategy: 0,
      skip_chunks: false,
      hints: null,
      step: '0',
      range: '0',
      query_hints: null,
      shard_info: null,
      limit: '0',
      response_batch_size: '0',
    };
    const end = this.buf.length;
    while (this.pos < end) {
      const tag = this.varint32();
      switch (tag) {
        case 0x08:
          req.min_time = this.int64();
          break;
        case 0x10:
          req.max_time = this.int64();
          break;
        case 0x1a:
          req.matchers.push(this.matcher(this.len()));
          break;
        case 0x20:
          req.max_resolution_window = this.int64();
          break;
        case 0x28: // aggregates, unpacked
          req.aggregates.push(this.enumValue());
          break;
        case 0x2a: {
          // aggregates, packed (proto3's default)
          const e = this.len();
          while (this.pos < e) req.aggregates.push(this.enumValue());
          this.ended(e);
          break;
        }
        case 0x30:
          req.partial_response_disabled = this.bool();
          break;
        case 0x38:
          req.partial_response_strategy = this.enumValue();
          break;
        case 0x40:
          req.skip_chunks = this.bool();
          break;
        case 0x4a:
          req.hints = this.message('google.protobuf.Any');
          break;
        case 0x50:
          req.step = this.int64();
          break;
        case 0x58:
          req.range = this.int64();
          break;
        case 0x62:
          req.query_hints = this.message('thanos.QueryHints');
          break;
        case 0x6a:
          req.shard_info = this.message('thanos.ShardInfo');
          break;
        case 0x72:
          req.without_replica_labels.push(this.string(this.len()));
          break;
        case 0x78:
          req.limit = this.int64();
          break;
        case 0x80: // field 16 takes a two-byte tag: varint32 reads it whole (0x80 0x01 → 128)
          req.response_batch_size = this.int64();
          break;
        default:
          this.skip(tag, end, 16);
      }
    }
    return req;
  }

  matcher(end: number): ProtoLabelMatcher {
    const m: ProtoLabelMatcher = { type: 0, name: '', value: '' };
    while (this.pos < end) {
      const tag = this.varint32();
      if (tag === 0x08) m.type = this.enumValue();
      else if (tag === 0x12) m.name = this.string(this.len());
      else if (tag === 0x1a) m.value = this.string(this.len());
      else this.skip(tag, end, 3);
    }
    this.ended(end);
    return m;
  }

  /** A sub-message, decoded by protobufjs into proto-loader's shape. */
  message<T>(type: string): T {
    const e = this.len();
    const sub = this.buf.subarray(this.pos, e);
    this.pos = e;
    return decodeMessage<T>(type, sub);
  }

  int64(): string {
    this.varint64();
    return int64String(this.lo, this.hi);
  }

  /** An enum is an int32: a negative one arrives sign-extended to 10 bytes. */
  enumValue(): number {
    this.varint64();
    return this.lo | 0;
  }

  bool(): boolean {
    this.varint64();
    return this.lo !== 0 || this.hi !== 0;
  }
}
