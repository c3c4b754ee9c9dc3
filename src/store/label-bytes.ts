/**
 * Where a Series frame's labels are assembled as the bytes of Series' `labels` entries (tag 0x0a, length,
 * Label {name 0x0a, value 0x12}), for SeriesFrameWriter.labels(buf, start, end): one reusable buffer per
 * request instead of a ProtoLabel object per label and a string encoding per frame. A single block's series
 * copy their bytes from the block's symbol table (cursor.ts writeLabels); merged series (several blocks)
 * write their label strings here (writeFlat). Labels-only requests write whole Series messages here and make
 * their frames from them (writeSeries, writeFlatSeries, frame): no SeriesFrameWriter.
 *
 * The writer keeps references to ranges of `buf` until its frame is made: reset() only after that.
 */
import { utf8Length, varint32Size, writeVarint32 } from '../storeapi/index.js';

export class LabelBytes {
  buf = new Uint8Array(64 * 1024);
  /** buf as a DataView (cursor.ts copies symbol bytes four at a time). */
  view = new DataView(this.buf.buffer);
  pos = 0;

  /** Makes room for `n` more bytes after pos; returns the buffer to write into (a new one when grown). */
  reserve(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) {
      // Ranges already handed to the writer keep the old buffer alive until the frame is made.
      const g = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
      g.set(this.buf.subarray(0, this.pos));
      this.buf = g;
      this.view = new DataView(g.buffer);
    }
    return this.buf;
  }

  /** Call once the frame holding the ranges handed out is made. */
  reset(): void {
    this.pos = 0;
  }

  /**
   * A labels-only Series message from a flat label set (sorted by the caller), as a `series` field (0x0a,
   * length, entries): what cursor.writeSeries writes from symbol bytes.
   */
  writeFlatSeries(flat: readonly string[]): void {
    let size = 0;
    for (let i = 0; i < flat.length; i += 2) {
      const ls = labelSize(utf8Length(flat[i]!), utf8Length(flat[i + 1]!));
      size += 1 + varint32Size(ls) + ls;
    }
    const buf = this.reserve(6);
    buf[this.pos] = 0x0a;
    this.pos = writeVarint32(buf, this.pos + 1, size);
    this.writeFlat(flat);
  }

  /**
   * The frame of the `series` fields written since the last frame (writeSeries/writeFlatSeries): a
   * SeriesResponse `batch` (0x22, length, SeriesBatch{series…}), or with `batch` false the bytes as they
   * are, which for one series is a `series` frame. Resets the buffer.
   */
  frame(batch: boolean): Buffer {
    const n = this.pos;
    const out = Buffer.allocUnsafe(batch ? 1 + varint32Size(n) + n : n);
    let p = 0;
    if (batch) {
      out[p++] = 0x22;
      p = writeVarint32(out, p, n);
    }
    out.set(n === this.buf.length ? this.buf : this.buf.subarray(0, n), p);
    this.pos = 0;
    return out;
  }

  /** Writes a flat [name, value, …] label set (sorted by the caller) as entries; returns [start, end) of them. */
  writeFlat(flat: readonly string[]): number {
    let need = 0;
    for (let i = 0; i < flat.length; i++) need += 3 * flat[i]!.length + 5; // UTF-8 ≤ 3 bytes per UTF-16 unit
    const buf = this.reserve(need + 5 * flat.length);
    const start = this.pos;
    let p = start;
    for (let i = 0; i < flat.length; i += 2) {
      const name = flat[i]!;
      const value = flat[i + 1]!;
      const nl = utf8Length(name);
      const vl = utf8Length(value);
      buf[p++] = 0x0a;
      p = writeVarint32(buf, p, labelSize(nl, vl));
      if (nl > 0) {
        buf[p++] = 0x0a;
        p = writeString(buf, writeVarint32(buf, p, nl), name, nl);
      }
      if (vl > 0) {
        buf[p++] = 0x12;
        p = writeString(buf, writeVarint32(buf, p, vl), value, vl);
      }
    }
    this.pos = p;
    return start;
  }
}

/** Payload bytes of a Label with name and value of these UTF-8 lengths (empty fields are not written). */
export function labelSize(nameLen: number, valueLen: number): number {
  return (nameLen > 0 ? 1 + varint32Size(nameLen) + nameLen : 0) + (valueLen > 0 ? 1 + varint32Size(valueLen) + valueLen : 0);
}

function writeString(buf: Uint8Array, p: number, s: string, n: number): number {
  if (n === s.length) {
    for (let i = 0; i < n; i++) buf[p + i] = s.charCodeAt(i);
  } else Buffer.from(buf.buffer, buf.byteOffset, buf.length).write(s, p, n, 'utf8');
  return p + n;
}
