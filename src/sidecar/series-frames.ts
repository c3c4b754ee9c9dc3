/**
 * The sidecar's Series answer written straight from Prometheus's remote-read frames, in the order they
 * arrive (the streaming mode of series-writer.ts, without its objects): `series` or `batch` frames, one
 * message per label set, cut at `limit`.
 *
 * A remote-read ChunkedSeries and a Thanos Series both start with `repeated Label labels = 1`, Label being
 * {name = 1, value = 2} in both, and Prometheus already merged its external labels into every series. So
 * when a series' labels are canonical (each entry exactly name then value, both non-empty, names strictly
 * ascending) and hold every external label with our value, their bytes are already the answer's labels:
 * they are copied as they are, never decoded to strings. Chunks are read as numbers and byte ranges of the
 * frame (no objects) and written by SeriesFrameWriter (storeapi/series-encoder.ts), which copies each
 * chunk's data once into the outgoing frame. Chunk hashes (xxhash64, as the store gateway and Thanos's
 * sidecar send) are taken in place: a series' bytes go into the wasm memory once and each chunk is hashed
 * there (tsdb/xxhash64.ts), not copied again per chunk. Any other series (its own value for an external label name,
 * an external label Prometheus did not add, unusual encoding) is decoded and extended as series-writer.ts
 * would, and written the same way; a SAMPLES answer arrives decoded and takes that path too.
 *
 * As series-writer.ts: consecutive series with equal labels (Prometheus splits a long series over frames)
 * become one; a series landing out of order after the external labels are applied (see series-writer.ts
 * for how that happens) is counted and reported as a warning frame at the end. Label sets are compared as bytes (UTF-8 order, Prometheus's and Thanos's);
 * equal sets have equal bytes because both paths write canonical entries.
 */
import { Labels, NotSupportedError, StorageError } from '../model/index.js';
import { encodeLabels, extendLabels, labelsToProto, PromChunkEncoding, SeriesFrameWriter, ThanosChunkEncoding, type SeriesFrame } from '../storeapi/index.js';
import { RangeHasher } from '../tsdb/xxhash64.js';
import { decodeChunkedSeries, Reader, type RemoteSeries } from './chunked-decoder.js';

export interface SeriesFramesOptions {
  /** response_batch_size: ≤ 1 → one `series` frame each, else `batch` frames of up to this many. */
  batchSize: number;
  /** Max series to send (0 = no limit). */
  limit: number;
}

export class SeriesFrames {
  /** Frames made and not yet taken, in order: send them (take()) after each add. */
  private ready: SeriesFrame[] = [];
  private readonly w: SeriesFrameWriter;
  private readonly hasher = RangeHasher.get();
  /** The frame addFrame is reading, as a plain Uint8Array. */
  private plain: Uint8Array = EMPTY;
  private readonly perFrame: number;
  /** The external labels' names and values as UTF-8, sorted by name (shared: never written to). */
  private readonly extNames: readonly Uint8Array[];
  private readonly extValues: readonly Uint8Array[];
  /** Labels of the series being written: bytes [curStart, curEnd) of cur. */
  private cur: Uint8Array | undefined;
  private curStart = 0;
  private curEnd = 0;
  private begun = 0;
  private stopped = false;
  private outOfOrder = 0;
  private released = false;
  // One ChunkedSeries' chunks, read before its labels are judged: time fields' range, Prometheus encoding, data range.
  private cTimesStart: Int32Array;
  private cTimesEnd: Int32Array;
  private cType: Int32Array;
  private cStart: Int32Array;
  private cEnd: Int32Array;

  constructor(
    private readonly ext: Labels,
    private readonly opts: SeriesFramesOptions,
  ) {
    // The writer and chunk tables of an answer that ended, if any: a Series call should not begin with
    // twenty-odd allocations (it is on the path to the first byte asked of Prometheus).
    const t = spare.pop() ?? newTables();
    this.w = t.w;
    this.cTimesStart = t.cTimesStart;
    this.cTimesEnd = t.cTimesEnd;
    this.cType = t.cType;
    this.cStart = t.cStart;
    this.cEnd = t.cEnd;
    this.perFrame = Math.max(1, opts.batchSize);
    const bytes = externalLabelBytes(ext);
    this.extNames = bytes.names;
    this.extValues = bytes.values;
  }

  /** True once `limit` series are written and another one arrived: the caller may stop reading. */
  get full(): boolean {
    return this.stopped;
  }

  /** The frames made since the last call, to send in order. */
  take(): SeriesFrame[] {
    const r = this.ready;
    if (r.length > 0) this.ready = [];
    return r;
  }

  /** Every series of one CRC-checked remote-read frame (a `prometheus.ChunkedReadResponse`). */
  addFrame(frame: Uint8Array): void {
    const buf = Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
    // Ranges of the frame go to the writer and the hasher as a plain Uint8Array: their subarray() is the
    // engine's, where a Buffer's is Node's JavaScript one (an offset check and a FastBuffer per call).
    this.plain = Buffer.isBuffer(frame) ? new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength) : frame;
    const r = new Reader(buf, 0, buf.length);
    while (r.pos < r.end && !this.stopped) {
      const tag = r.uint32();
      if (tag === 0x0a) {
        const end = r.lenEnd();
        this.chunkedSeries(r, end);
        r.pos = end;
      } else if (tag === 0x10) {
        const q = r.int64();
        if (q !== 0) throw new StorageError(`remote read: frame for query ${q}, but only query 0 was asked`);
      } else r.skip(tag & 7);
    }
  }

  /**
   * Gives the writer and tables back for the next answer; call once, when done with this one (after the
   * last take(), or on an error). The writer is emptied first: it holds views of received frames.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.w.clear();
    this.cur = undefined;
    this.plain = EMPTY;
    if (spare.length < MAX_SPARE) {
      spare.push({ w: this.w, cTimesStart: this.cTimesStart, cTimesEnd: this.cTimesEnd, cType: this.cType, cStart: this.cStart, cEnd: this.cEnd });
    }
  }

  /** A series decoded elsewhere (SAMPLES answer, or labels the fast path does not take). */
  addSeries(s: RemoteSeries): void {
    if (this.stopped) return;
    const labels = extendLabels(s.labels, this.ext);
    const bytes = encodeLabels(labelsToProto(labels));
    if (!this.startSeries(bytes, 0, bytes.length)) return;
    for (const c of s.chunks) {
      this.hasher.load(c.data, 0, c.data.length);
      this.chunk(c.minTime, c.maxTime, c.type, c.data, 0, c.data.length, labels);
    }
  }

  /** Makes the last frame and, if any series came out of order, the warning; take() them after. */
  end(): void {
    if (this.w.seriesCount > 0) this.flush();
    if (this.outOfOrder > 0) {
      this.ready.push({
        warning:
          `sidecar: ${this.outOfOrder} series arrived out of label order after applying external labels ` +
          '(a series has its own value for an external label name); merged results may be incomplete',
      });
    }
  }

  /** ChunkedSeries { repeated Label labels = 1; repeated Chunk chunks = 2; } from r.pos to `end`. */
  private chunkedSeries(r: Reader, end: number): void {
    const buf = r.buf;
    const start = r.pos;
    let labStart = -1;
    let labEnd = -1;
    let fast = true;
    let prevName = -1; // start of the previous label's name (its length at prevNameLen)
    let prevNameLen = 0;
    let ext = 0;
    const extNames = this.extNames;
    let n = 0;
    while (r.pos < end) {
      const at = r.pos;
      const tag = r.uint32();
      if (tag === 0x0a) {
        const lend = r.lenEnd();
        if (labStart < 0) labStart = at;
        else if (at !== labEnd) fast = false; // labels not in one run (after a chunk or an unknown field)
        labEnd = lend;
        if (fast) {
          // Exactly: 0a <len> name 12 <len> value, both non-empty.
          if (buf[r.pos] !== 0x0a) fast = false;
          else {
            r.pos++;
            const ne = r.lenEnd();
            const na = r.pos;
            r.pos = ne;
            if (ne === na || ne >= lend || buf[ne] !== 0x12) fast = false;
            else {
              r.pos = ne + 1;
              const ve = r.lenEnd();
              const va = r.pos;
              if (ve !== lend || ve === va) fast = false;
              else if (prevName >= 0 && compareBytes(buf, prevName, prevName + prevNameLen, buf, na, ne) >= 0) fast = false;
              else {
                prevName = na;
                prevNameLen = ne - na;
                // External labels, sorted too: each must be here with our value.
                for (; ext < extNames.length; ext++) {
                  const c = compareBytes(extNames[ext], 0, extNames[ext].length, buf, na, ne);
                  if (c > 0) break;
                  if (c < 0 || compareBytes(this.extValues[ext], 0, this.extValues[ext].length, buf, va, ve) !== 0) {
                    fast = false;
                    break;
                  }
                }
              }
            }
          }
        }
        r.pos = lend;
      } else if (tag === 0x12) {
        const cend = r.lenEnd();
        if (n === this.cType.length) this.grow();
        // Chunk { int64 min_time_ms = 1; int64 max_time_ms = 2; Encoding type = 3; bytes data = 4; } as Prometheus
        // writes it: those fields in that order, the zero ones left out. The time fields are AggrChunk's own,
        // so their bytes go to the answer as they are (only skipped here) when written as our encoder would
        // write them: a varint whose last byte is 0 is a zero written out or a padded varint. Anything else:
        // the decoding path.
        let p = r.pos;
        const ts = p;
        if (buf[p] === 0x08 && p < cend) p = skipTimeVarint(buf, p + 1, cend);
        if (buf[p] === 0x10 && p < cend) p = skipTimeVarint(buf, p + 1, cend);
        const te = p;
        let type = 0;
        if (buf[p] === 0x18 && p < cend) {
          r.pos = p + 1;
          type = r.uint32();
          p = r.pos;
        }
        let ds = -1;
        let de = -1;
        if (buf[p] === 0x22 && p < cend) {
          r.pos = p + 1;
          de = r.lenEnd();
          ds = r.pos;
          p = de;
        }
        // Other fields or order, no data, a varint running past the chunk or not as we write it.
        if (p !== cend || ds < 0) fast = false;
        r.pos = cend;
        this.cTimesStart[n] = ts;
        this.cTimesEnd[n] = te;
        this.cType[n] = type;
        this.cStart[n] = ds;
        this.cEnd[n] = de;
        n++;
      } else r.skip(tag & 7); // unknown fields: skipped (between labels they break the run, caught above)
    }
    if (!fast || ext < extNames.length || labStart < 0) {
      r.pos = start;
      this.addSeries(decodeChunkedSeries(r, end));
      return;
    }
    const plain = this.plain;
    if (!this.startSeries(plain, labStart, labEnd)) return;
    for (let i = 0; i < n; i++) this.checkXor(this.cType[i], undefined);
    // The whole ChunkedSeries into the wasm memory once (every chunk's data lies in it), all its chunks hashed
    // in one call. Fast chunks have data, so a hash (an empty chunk takes the decoding path).
    const h = this.hasher;
    h.load(plain, start, end);
    const at = h.hashRanges(this.cStart, this.cEnd, n);
    const words = h.words;
    for (let i = 0; i < n; i++) {
      this.w.chunkEncodedTimes(plain, this.cTimesStart[i], this.cTimesEnd[i], ThanosChunkEncoding.XOR, this.cStart[i], this.cEnd[i], words[at + 2 * i], words[at + 2 * i + 1]);
    }
  }

  /**
   * Starts the series with labels [start, end) of `bytes`, or continues the current one if they are equal.
   * False when `limit` series are already written (nothing more is taken).
   */
  private startSeries(bytes: Uint8Array, start: number, end: number): boolean {
    const cur = this.cur;
    if (cur !== undefined) {
      const c = compareLabelEntries(cur, this.curStart, this.curEnd, bytes, start, end);
      if (c === 0) return true;
      if (this.opts.limit > 0 && this.begun >= this.opts.limit) {
        this.stopped = true;
        return false;
      }
      if (c > 0) this.outOfOrder++;
    }
    if (this.w.seriesCount >= this.perFrame) this.flush();
    this.w.beginSeries();
    this.w.labels(bytes, start, end);
    this.cur = bytes;
    this.curStart = start;
    this.curEnd = end;
    this.begun++;
    return true;
  }

  /**
   * A chunk of the current series, its data buf[start, end), which the caller loaded into the hasher;
   * `labels` only names the series in an error (decoded if not given).
   */
  private chunk(minTime: number, maxTime: number, type: number, buf: Uint8Array, start: number, end: number, labels: Labels | undefined): void {
    this.checkXor(type, labels);
    // Encoding number minus one: remote read counts as Prometheus's chunkenc (XOR = 1), Thanos from 0.
    const hash = end > start ? this.hasher.hash(start, end) : (emptyHash ??= this.hasher.hashBytes(EMPTY));
    this.w.chunkRange(minTime, maxTime, ThanosChunkEncoding.XOR, buf, start, end, hash);
  }

  /** Throws unless a chunk's remote-read encoding is XOR (the only one we pass on); `labels` as for chunk(). */
  private checkXor(type: number, labels: Labels | undefined): void {
    if (type !== PromChunkEncoding.XOR) {
      const name = (labels ?? this.currentLabels()).toString();
      if (type === PromChunkEncoding.HISTOGRAM || type === PromChunkEncoding.FLOAT_HISTOGRAM) {
        throw new NotSupportedError(
          `series ${name}: native histogram chunks (remote-read encoding ${PromChunkEncoding[type]}) are not supported by the promfed sidecar`,
        );
      }
      throw new StorageError(`series ${name}: remote read returned a chunk with unknown encoding ${String(type)}`);
    }
  }

  private flush(): void {
    this.ready.push(this.perFrame === 1 ? this.w.seriesFrame() : this.w.batchFrame());
  }

  private currentLabels(): Labels {
    const pairs: [string, string][] = [];
    forEachLabel(this.cur!, this.curStart, this.curEnd, (n, v) => pairs.push([n, v]));
    return Labels.from(pairs);
  }

  private grow(): void {
    const n = this.cType.length * 2;
    const i = (a: Int32Array): Int32Array<ArrayBuffer> => {
      const g = new Int32Array(n);
      g.set(a);
      return g;
    };
    this.cTimesStart = i(this.cTimesStart);
    this.cTimesEnd = i(this.cTimesEnd);
    this.cType = i(this.cType);
    this.cStart = i(this.cStart);
    this.cEnd = i(this.cEnd);
  }
}

const EMPTY = new Uint8Array(0);
/** xxhash64 of no bytes (a chunk without data lies outside any loaded range): made when first needed. */
let emptyHash: bigint | undefined;

/** What an answer needs besides its state: reused from one Series call to the next (release()). */
interface Tables {
  w: SeriesFrameWriter;
  cTimesStart: Int32Array;
  cTimesEnd: Int32Array;
  cType: Int32Array;
  cStart: Int32Array;
  cEnd: Int32Array;
}
/**
 * The UTF-8 bytes of the external labels, kept for the last labels object seen: they change only when
 * Prometheus's config does, and encoding them was a few more allocations on the way to the first byte.
 */
function externalLabelBytes(ext: Labels): { names: Uint8Array[]; values: Uint8Array[] } {
  if (lastExt?.labels !== ext) {
    const names: Uint8Array[] = [];
    const values: Uint8Array[] = [];
    ext.forEach((name, value) => {
      names.push(Buffer.from(name));
      values.push(Buffer.from(value));
    });
    lastExt = { labels: ext, names, values };
  }
  return lastExt;
}
let lastExt: { labels: Labels; names: Uint8Array[]; values: Uint8Array[] } | undefined;

const spare: Tables[] = [];
/** Kept for this many concurrent answers; more are made and dropped as needed. */
const MAX_SPARE = 16;

function newTables(): Tables {
  return { w: new SeriesFrameWriter(), cTimesStart: new Int32Array(64), cTimesEnd: new Int32Array(64), cType: new Int32Array(64), cStart: new Int32Array(64), cEnd: new Int32Array(64) };
}

/**
 * The end of the time varint at p; `end` + 1 (the caller then falls back) when it does not end before `end`
 * or is not as our encoder writes it: a last byte 0 is a zero written out (proto3 leaves it out) or padding.
 */
function skipTimeVarint(buf: Uint8Array, p: number, end: number): number {
  while (p < end && buf[p] >= 0x80) p++;
  return p < end && buf[p] !== 0 ? p + 1 : end + 1;
}

/** Byte order of a[as, ae) and b[bs, be): negative, zero or positive. */
function compareBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const n = Math.min(ae - as, be - bs);
  for (let i = 0; i < n; i++) {
    const d = a[as + i] - b[bs + i];
    if (d !== 0) return d;
  }
  return ae - as - (be - bs);
}

/** The value of the varint at p (lengths: at most 32 bits). */
function varint(buf: Uint8Array, p: number): number {
  const b = buf[p];
  if (b < 0x80) return b; // almost every label length
  let v = b & 0x7f;
  let mul = 0x80;
  for (;;) {
    const c = buf[++p];
    v += (c & 0x7f) * mul;
    if (c < 0x80) return v;
    mul *= 0x80;
  }
}

function varintLength(buf: Uint8Array, p: number): number {
  let n = 1;
  while (buf[p++] >= 0x80) n++;
  return n;
}

/**
 * Orders two runs of canonical label entries (0a len [0a len name 12 len value]) as Labels.compare orders
 * label sets — name, then value, label by label; a prefix first — with strings compared as UTF-8 bytes.
 * Consecutive series mostly share their first labels (same metric, same external labels): the runs are
 * compared as bytes up to the first difference, and only the entry holding it is read as a label. Entries
 * before it are equal whole (each starts with its length), so both runs have an entry starting there.
 */
function compareLabelEntries(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const la = ae - as;
  const lb = be - bs;
  const n = la < lb ? la : lb;
  let i = 0;
  while (i < n && a[as + i] === b[bs + i]) i++;
  if (i === n) return la - lb; // equal, or one is the other plus labels after: the shorter first
  let p = as;
  for (;;) {
    const pe = p + 1 + varintLength(a, p + 1) + varint(a, p + 1);
    if (pe > as + i) break;
    p = pe;
  }
  const q = bs + (p - as);
  const qe = q + 1 + varintLength(b, q + 1) + varint(b, q + 1);
  const pe = p + 1 + varintLength(a, p + 1) + varint(a, p + 1);
  entryFields(a, pe - varint(a, p + 1), pe);
  const an = FIELDS[0];
  const ane = FIELDS[1];
  const av = FIELDS[2];
  const ave = FIELDS[3];
  entryFields(b, qe - varint(b, q + 1), qe);
  return compareBytes(a, an, ane, b, FIELDS[0], FIELDS[1]) || compareBytes(a, av, ave, b, FIELDS[2], FIELDS[3]);
}

const FIELDS = new Int32Array(4);

/**
 * Name and value ranges of one Label payload [p, end) into FIELDS (name start, end, value start, end): as
 * written by the fast path's check or by encodeLabels, which leaves out an empty name or value.
 */
function entryFields(a: Uint8Array, p: number, end: number): void {
  let ns = p;
  let ne = p;
  if (p < end && a[p] === 0x0a) {
    ns = p + 1 + varintLength(a, p + 1);
    ne = ns + varint(a, p + 1);
    p = ne;
  }
  let vs = p;
  let ve = p;
  if (p < end && a[p] === 0x12) {
    vs = p + 1 + varintLength(a, p + 1);
    ve = vs + varint(a, p + 1);
  }
  FIELDS[0] = ns;
  FIELDS[1] = ne;
  FIELDS[2] = vs;
  FIELDS[3] = ve;
}

/** Calls f with each label of a run of canonical label entries. */
function forEachLabel(a: Uint8Array, as: number, ae: number, f: (name: string, value: string) => void): void {
  const buf = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  for (let p = as; p < ae; ) {
    const e = p + 1 + varintLength(a, p + 1) + varint(a, p + 1);
    entryFields(a, e - varint(a, p + 1), e);
    f(buf.toString('utf8', FIELDS[0], FIELDS[1]), buf.toString('utf8', FIELDS[2], FIELDS[3]));
    p = e;
  }
}
