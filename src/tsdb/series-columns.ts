/**
 * Series entries decoded in bulk into columns: the store's hot path reads thousands of entries per request,
 * and `parseSeriesEntry` gives each one an object and four typed arrays that the garbage collector then
 * has to chase. Here every entry of a batch appends to a handful of growing typed arrays, reused from batch
 * to batch, and chunks outside the request's time range are dropped while decoding.
 *
 * Same format and checks as parseSeriesEntry (index-format.ts): `len uvarint | contents | CRC32C`, the CRC
 * checked, every varint bounded, nothing left over.
 *
 *   row r: labels  labelRefs[labelStart[r] .. labelStart[r+1])   name0, value0, name1, … symbol ordinals
 *          chunks  chunkMint/chunkMaxt/chunkRef[chunkStart[r] .. chunkStart[r+1])
 */
import { checkCrc } from './decoder.js';
import { CorruptBlockError } from './errors.js';

export class SeriesColumns {
  /** Rows (series) decoded since the last reset. */
  rows = 0;
  labelStart: Int32Array;
  labelRefs: Uint32Array;
  chunkStart: Int32Array;
  chunkMint: Float64Array;
  chunkMaxt: Float64Array;
  chunkRef: Float64Array;
  /** Chunks across all rows. */
  chunks = 0;
  #labels = 0;

  /**
   * Initial capacities (the arrays grow as needed): rows, label refs, chunks. `keepChunks` false (a
   * labels-only read): rows record no chunks (chunkStart stays 0), append() only tells whether one overlaps
   * the range, and an entry whose CRC was checked before stops decoding at the first chunk that does.
   */
  constructor(
    rows = 1024,
    labelRefs = rows * 16,
    chunks = rows * 4,
    readonly keepChunks = true,
  ) {
    this.labelStart = new Int32Array(rows + 1);
    this.chunkStart = new Int32Array(rows + 1);
    this.labelRefs = new Uint32Array(labelRefs);
    const n = keepChunks ? chunks : 0;
    this.chunkMint = new Float64Array(n);
    this.chunkMaxt = new Float64Array(n);
    this.chunkRef = new Float64Array(n);
  }

  /** Label refs across all rows. */
  get labelRefCount(): number {
    return this.#labels;
  }

  reset(): void {
    this.rows = 0;
    this.chunks = 0;
    this.#labels = 0;
  }

  /**
   * Decodes the whole entry at b[pos] (`b` must hold all of it) as a new row, keeping only chunks that
   * overlap [mint, maxt]. Returns the row's number of chunks kept (without keepChunks: 1 if one overlaps,
   * else 0). `crc` false skips the CRC check, for bytes already checked once (an index cache hit).
   */
  append(b: Uint8Array, pos: number, mint: number, maxt: number, what: string, crc = true): number {
    // Entry length and CRC.
    let p = pos;
    let len = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      if (i === 8 || p >= b.length) throw new CorruptBlockError(`${what}: bad entry length varint`);
      const byte = b[p++]!;
      len += (byte & 0x7f) * mul;
      if (byte < 0x80) break;
      mul *= 128;
    }
    const end = p + len;
    if (end + 4 > b.length) throw new CorruptBlockError(`${what}: entry of ${len} bytes runs past the ${b.length - pos} bytes read`);
    if (crc) checkCrc(b, p, end, what);
    const r = this.rows;
    if (r + 2 > this.labelStart.length) {
      this.labelStart = grow32(this.labelStart, r + 2);
      this.chunkStart = grow32(this.chunkStart, r + 2);
    }
    this.labelStart[r] = this.#labels;
    this.chunkStart[r] = this.chunks;

    const v = new Varints(b, p, end, what);
    const nl = v.next();
    if (nl * 2 > end - v.pos) v.fail(`${nl} labels cannot fit in ${end - v.pos} bytes`);
    if (this.#labels + nl * 2 > this.labelRefs.length) this.labelRefs = growU32(this.labelRefs, this.#labels + nl * 2);
    const refs = this.labelRefs;
    for (let i = 0, w = this.#labels; i < nl * 2; i++) refs[w + i] = v.next();
    this.#labels += nl * 2;

    const nc = v.next();
    if (nc * 3 > end - v.pos) v.fail(`${nc} chunks cannot fit in ${end - v.pos} bytes`);
    if (!this.keepChunks) return this.#anyChunkIn(v, nc, mint, maxt, end, !crc);
    if (this.chunks + nc > this.chunkMint.length) {
      const n = Math.max(this.chunks + nc, this.chunkMint.length * 2);
      this.chunkMint = growF64(this.chunkMint, n);
      this.chunkMaxt = growF64(this.chunkMaxt, n);
      this.chunkRef = growF64(this.chunkRef, n);
    }
    let w = this.chunks;
    if (nc > 0) {
      // First chunk: mint zig-zag, maxt as a delta, ref absolute; then deltas (index format v2).
      let cMint = zigzag(v.next());
      let cMaxt = cMint + v.next();
      let ref = v.next();
      for (let i = 0; ; ) {
        if (cMaxt >= mint && cMint <= maxt) {
          this.chunkMint[w] = cMint;
          this.chunkMaxt[w] = cMaxt;
          this.chunkRef[w++] = ref;
        }
        if (++i === nc) break;
        cMint = cMaxt + v.next();
        cMaxt = cMint + v.next();
        ref += zigzag(v.next());
      }
    }
    if (v.pos !== end) v.fail(`${end - v.pos} unread bytes at the end of a series entry`);
    const kept = w - this.chunks;
    this.chunks = w;
    this.rows = r + 1;
    this.labelStart[r + 1] = this.#labels;
    this.chunkStart[r + 1] = w;
    return kept;
  }

  /**
   * The chunk metas of a row without keepChunks: 1 if one overlaps [mint, maxt], else 0. Metas after the
   * first overlapping one are skipped by length when `checked` (the entry was fully decoded before).
   */
  #anyChunkIn(v: Varints, nc: number, mint: number, maxt: number, end: number, checked: boolean): number {
    let found = 0;
    if (nc > 0) {
      let cMint = zigzag(v.next());
      let cMaxt = cMint + v.next();
      v.next(); // ref
      for (let i = 0; ; ) {
        if (cMaxt >= mint && cMint <= maxt) {
          found = 1;
          if (checked) {
            v.pos = end;
            break;
          }
        }
        if (++i === nc) break;
        cMint = cMaxt + v.next();
        cMaxt = cMint + v.next();
        v.next();
      }
    }
    if (v.pos !== end) v.fail(`${end - v.pos} unread bytes at the end of a series entry`);
    const r = this.rows;
    this.rows = r + 1;
    this.labelStart[r + 1] = this.#labels;
    this.chunkStart[r + 1] = this.chunks;
    return found;
  }

  /** Forgets the last row (e.g. none of its chunks is in range). */
  dropLast(): void {
    if (this.rows === 0) return;
    this.rows--;
    this.#labels = this.labelStart[this.rows]!;
    this.chunks = this.chunkStart[this.rows]!;
  }
}

/** Go uvarints of one entry; a JS number is exact for every value a block can hold (< 2^53). */
class Varints {
  constructor(
    readonly b: Uint8Array,
    public pos: number,
    readonly end: number,
    readonly what: string,
  ) {}

  next(): number {
    const b = this.b;
    let p = this.pos;
    let byte = p < this.end ? b[p++]! : this.fail('truncated varint');
    if (byte < 0x80) {
      this.pos = p;
      return byte;
    }
    let x = byte & 0x7f;
    let mul = 128;
    for (let i = 1; i < 8; i++) {
      if (p >= this.end) this.fail('truncated varint');
      byte = b[p++]!;
      x += (byte & 0x7f) * mul;
      if (byte < 0x80) {
        this.pos = p;
        return x;
      }
      mul *= 128;
    }
    return this.fail('varint beyond 2^53');
  }

  fail(msg: string): never {
    throw new CorruptBlockError(`${this.what}: ${msg} (at byte ${this.pos})`);
  }
}

/** Go zig-zag decoding without 32-bit truncation. */
function zigzag(u: number): number {
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}

function grow32(a: Int32Array, min: number): Int32Array {
  const g = new Int32Array(Math.max(min, a.length * 2));
  g.set(a);
  return g;
}

function growU32(a: Uint32Array, min: number): Uint32Array {
  const g = new Uint32Array(Math.max(min, a.length * 2));
  g.set(a);
  return g;
}

function growF64(a: Float64Array, min: number): Float64Array {
  const g = new Float64Array(Math.max(min, a.length * 2));
  g.set(a);
  return g;
}
