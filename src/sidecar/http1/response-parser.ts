/**
 * An HTTP/1.1 response read as its bytes arrive (RFC 9112): the status line and header fields, then the
 * body by chunked transfer coding, by Content-Length, or up to the connection's close. Body bytes are
 * handed out as views of the buffers pushed in, never copied — the point of this parser: node:http copies
 * every body chunk into a new buffer of its own (one malloc and free per chunk), and Prometheus's remote
 * read flushes one chunk per frame, ~1,000 for a 2 h read of 1k series. Chunk data is moved back over the
 * chunk framing in those buffers, so a chunked body read into one slab comes out as one run (#chunkData).
 *
 * Interim (1xx) responses are skipped. Anything malformed, and a head over `maxHeadBytes`, is a
 * StorageError saying what; so is a body that ends early (end()).
 */
import { StorageError } from '../../model/index.js';

export interface ResponseHead {
  status: number;
  reason: string;
  /** Field names lower-cased; a repeated field's values joined with ", ". */
  headers: Map<string, string>;
}

const enum State {
  Head,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  Length,
  UntilClose,
  Done,
}

const CR = 0x0d;
const LF = 0x0a;
/** A chunk-size line (size, extensions) or one trailer line longer than this is refused. */
const MAX_LINE_BYTES = 4096;
/** Chunk sizes past 2^52 (13 hex digits) cannot be real and would lose precision as numbers. */
const MAX_CHUNK_SIZE_DIGITS = 13;

export class ResponseParser {
  head: ResponseHead | undefined;
  /** False when the connection cannot carry another request: `Connection: close`, HTTP/1.0, close-delimited body, bytes after the end. */
  keepAlive = false;
  #state = State.Head;
  /** Head bytes received so far (the head may arrive over several pushes). */
  #headParts: Buffer[] = [];
  #headLength = 0;
  /** Bytes of the current chunk or Content-Length body still to come. */
  #left = 0;
  /** A chunk-size or trailer line cut by a push boundary. */
  #line = '';
  #chunkNo = 0;
  #bodyBytes = 0;
  /**
   * The run of chunk data #chunkData grows: in the ArrayBuffer `#run`, ending at #runEnd; [#pieceStart, #runEnd)
   * is this push's part, not handed out yet (-1: none). Undefined when nothing may be joined to (see push()).
   */
  #run: ArrayBufferLike | undefined;
  #runEnd = 0;
  #pieceStart = -1;
  /** Where the previous push ended in its ArrayBuffer. */
  #pushedEnd = -1;
  /** A view of all of #run, for moving bytes within it (made when first needed in a push). */
  #whole: Uint8Array | undefined;

  constructor(private readonly maxHeadBytes = 64 * 1024) {}

  /** True once the whole response (body and trailers) is in. */
  get done(): boolean {
    return this.#state === State.Done;
  }

  /** Body bytes received so far. */
  get bodyBytes(): number {
    return this.#bodyBytes;
  }

  /**
   * Appends to `body` views of the body bytes in `chunk`; sets `head` once the header section is complete.
   * Chunk framing in `chunk` may be overwritten with body bytes (see #chunkData): the parser owns what it is given.
   */
  push(chunk: Buffer, body: Buffer[]): void {
    // Joining to earlier body bytes needs every byte since them to be ours: pushes back to back in memory.
    if (chunk.buffer !== this.#run || chunk.byteOffset !== this.#pushedEnd) this.#run = undefined;
    this.#pushedEnd = chunk.byteOffset + chunk.length;
    try {
      this.#parse(chunk, body);
    } finally {
      if (this.#pieceStart >= 0) body.push(Buffer.from(this.#run!, this.#pieceStart, this.#runEnd - this.#pieceStart));
      this.#pieceStart = -1;
      this.#whole = undefined;
      // Let go of the read buffer: a parser outlives its response, and holding on to one slab after it made the
      // sidecar run a major GC every few reads (measured: its CPU per Series call doubled).
      if (this.#state === State.Done) this.#run = undefined;
    }
  }

  #parse(chunk: Buffer, body: Buffer[]): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.#state) {
        case State.Head:
          i = this.#pushHead(chunk, i);
          break;
        case State.ChunkSize: {
          if (this.#line === '') {
            // The usual case, a bare hex size and CRLF within this push, read without making a string.
            let size = 0;
            let j = i;
            for (; j < n && j - i <= MAX_CHUNK_SIZE_DIGITS; j++) {
              const d = hexDigit(chunk[j]);
              if (d < 0) break;
              size = size * 16 + d;
            }
            if (j > i && j - i <= MAX_CHUNK_SIZE_DIGITS && j + 1 < n && chunk[j] === CR && chunk[j + 1] === LF) {
              i = j + 2;
              this.#startChunk(size);
              break;
            }
          }
          const e = this.#lineEnd(chunk, i);
          if (e < 0) return;
          i = e + 1;
          this.#chunkSize(this.#takeLine());
          break;
        }
        case State.ChunkData:
        case State.Length: {
          const take = Math.min(this.#left, n - i);
          if (this.#state === State.ChunkData) this.#chunkData(chunk, i, take);
          else body.push(i === 0 && take === n ? chunk : chunk.subarray(i, i + take));
          this.#bodyBytes += take;
          this.#left -= take;
          i += take;
          if (this.#left === 0) this.#state = this.#state === State.Length ? State.Done : State.ChunkDataEnd;
          break;
        }
        case State.ChunkDataEnd: {
          const e = this.#lineEnd(chunk, i);
          if (e < 0) return;
          i = e + 1;
          if (this.#takeLine() !== '') throw malformed(`chunk ${this.#chunkNo} is longer than its declared size`);
          this.#chunkNo++;
          this.#state = State.ChunkSize;
          break;
        }
        case State.Trailers: {
          const e = this.#lineEnd(chunk, i);
          if (e < 0) return;
          i = e + 1;
          if (this.#takeLine() === '') this.#state = State.Done;
          break;
        }
        case State.UntilClose:
          body.push(i === 0 ? chunk : chunk.subarray(i));
          this.#bodyBytes += n - i;
          return;
        case State.Done:
          // We never pipeline: bytes after the response mean the connection is not in a state to reuse.
          this.keepAlive = false;
          return;
      }
    }
  }

  /**
   * Adds chunk data chunk[i, i + take) to the run, moved back over the chunk framing before it when that framing
   * lies between it and the run's end, in the same memory (push() hands out the run's new bytes as one piece):
   * the chunked body becomes one run of bytes, as if it had come unchunked. Prometheus's remote read flushes one
   * HTTP chunk per frame and cuts frames over 2 KiB in two (Go's response buffer), a third of them on the bench's
   * data: without this, each such frame was copied whole to be joined (~0.6 ms a read), and every chunk was a
   * piece of its own.
   *
   * Safe because the bytes written over were all read by us as framing: those of this push before i, and those
   * of earlier pushes after the last body byte — when this push starts where the previous one ended, in the
   * same ArrayBuffer (consecutive socket reads into one slab, net/slab-reads.ts). Pieces of one push merge.
   */
  #chunkData(chunk: Buffer, i: number, take: number): void {
    const ab = chunk.buffer;
    const at = chunk.byteOffset + i;
    if (this.#run === ab) {
      const to = this.#runEnd;
      if (to < at) (this.#whole ??= new Uint8Array(ab)).copyWithin(to, at, at + take);
      if (this.#pieceStart < 0) this.#pieceStart = to;
      this.#runEnd = to + take;
    } else {
      this.#run = ab;
      this.#pieceStart = at;
      this.#runEnd = at + take;
    }
  }

  /** Call when the connection has closed: throws if the response was not complete. */
  end(): void {
    switch (this.#state) {
      case State.Done:
        return;
      case State.UntilClose:
        this.#state = State.Done;
        return;
      case State.Head:
        throw new StorageError(`HTTP response ended inside its header (${this.#headLength} bytes received)`);
      case State.Length:
        throw new StorageError(`HTTP response ended after ${this.#bodyBytes} of ${this.#bodyBytes + this.#left} body bytes`);
      default:
        throw new StorageError(`HTTP response ended inside chunk ${this.#chunkNo} of its body (${this.#bodyBytes} body bytes received)`);
    }
  }

  /** Collects head bytes from chunk[i…]; parses the head once its empty line is in. Returns the next index. */
  #pushHead(chunk: Buffer, i: number): number {
    // Search from a little before this piece: the CRLFCRLF may straddle the boundary.
    const prev = this.#headLength;
    const joined = this.#headParts.length === 0 ? chunk.subarray(i) : Buffer.concat([...this.#headParts, chunk.subarray(i)]);
    // Whichever comes first: a CRLF head has no LF LF in it, and a bare-LF head (tolerated, RFC 9112 §2.2)
    // may be followed by a body that holds CR LF CR LF.
    const crlf = joined.indexOf('\r\n\r\n', Math.max(0, prev - 3), 'latin1');
    const lf = joined.indexOf('\n\n', Math.max(0, prev - 1), 'latin1');
    const end = lf >= 0 && (crlf < 0 || lf < crlf) ? lf : crlf;
    const sep = end === lf ? 2 : 4;
    if (end < 0) {
      if (joined.length > this.maxHeadBytes) throw malformed(`header section larger than ${this.maxHeadBytes} bytes`);
      this.#headParts = [Buffer.from(joined)];
      this.#headLength = joined.length;
      return chunk.length;
    }
    if (end + sep > this.maxHeadBytes) throw malformed(`header section larger than ${this.maxHeadBytes} bytes`);
    const consumed = end + sep - prev; // bytes of this chunk (from i) that belong to the head
    this.#headParts = [];
    this.#headLength = 0;
    this.#parseHead(joined.toString('latin1', 0, end));
    return i + consumed;
  }

  #parseHead(text: string): void {
    const lines = text.split(/\r?\n/);
    const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0]);
    if (m === null) throw malformed(`not an HTTP/1.x status line: ${JSON.stringify(lines[0].slice(0, 80))}`);
    const status = Number(m[2]);
    const headers = new Map<string, string>();
    for (let k = 1; k < lines.length; k++) {
      const line = lines[k];
      const colon = line.indexOf(':');
      if (colon <= 0 || line[0] === ' ' || line[0] === '\t') throw malformed(`bad header line ${JSON.stringify(line.slice(0, 80))}`);
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      const had = headers.get(name);
      headers.set(name, had === undefined ? value : `${had}, ${value}`);
    }
    if (status >= 100 && status < 200) return; // interim: the real head follows
    this.head = { status, reason: m[3] ?? '', headers };
    const connection = (headers.get('connection') ?? '').toLowerCase();
    this.keepAlive = m[1] === '1' ? !/(^|,)\s*close\s*(,|$)/.test(connection) : /(^|,)\s*keep-alive\s*(,|$)/.test(connection);

    const te = headers.get('transfer-encoding');
    if (status === 204 || status === 304) this.#state = State.Done;
    else if (te !== undefined) {
      if (/(^|,)\s*chunked\s*$/i.test(te)) this.#state = State.ChunkSize;
      else {
        this.#state = State.UntilClose;
        this.keepAlive = false;
      }
    } else if (headers.has('content-length')) {
      const cl = headers.get('content-length')!;
      // "n, n" (a repeated field) is allowed when all values agree (RFC 9110 §8.6).
      const values = new Set(cl.split(',').map((v) => v.trim()));
      const v = values.size === 1 ? [...values][0] : '';
      if (!/^\d{1,15}$/.test(v)) throw malformed(`bad Content-Length ${JSON.stringify(cl)}`);
      this.#left = Number(v);
      this.#state = this.#left === 0 ? State.Done : State.Length;
    } else {
      this.#state = State.UntilClose;
      this.keepAlive = false;
    }
  }

  /** `size[;ext]` of a chunk; the last chunk (0) leads to the trailers. */
  #chunkSize(line: string): void {
    const semi = line.indexOf(';');
    const hex = (semi < 0 ? line : line.slice(0, semi)).trim();
    if (!/^[0-9a-fA-F]+$/.test(hex) || hex.replace(/^0+(?=.)/, '').length > MAX_CHUNK_SIZE_DIGITS) {
      throw malformed(`bad chunk size line ${JSON.stringify(line.slice(0, 80))} (chunk ${this.#chunkNo})`);
    }
    this.#startChunk(parseInt(hex, 16));
  }

  #startChunk(size: number): void {
    if (size === 0) this.#state = State.Trailers;
    else {
      this.#left = size;
      this.#state = State.ChunkData;
    }
  }

  /**
   * The index of the LF that ends the line starting at chunk[i], or -1 when the line goes on in the next
   * push. The line's text (without CR LF) accumulates in #line either way; takeLine() hands it over.
   */
  #lineEnd(chunk: Buffer, i: number): number {
    let e = i;
    const n = chunk.length;
    while (e < n && chunk[e] !== LF) e++;
    const stop = e < n && e > i && chunk[e - 1] === CR ? e - 1 : e;
    if (stop > i) this.#line += chunk.toString('latin1', i, stop);
    if (this.#line.length > MAX_LINE_BYTES) throw malformed(`line longer than ${MAX_LINE_BYTES} bytes in the body framing`);
    if (e === n) return -1;
    return e;
  }

  #takeLine(): string {
    let l = this.#line;
    this.#line = '';
    // A CR that ended the previous push belongs to this line's CRLF.
    if (l.length > 0 && l.charCodeAt(l.length - 1) === CR) l = l.slice(0, -1);
    return l;
  }
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

function malformed(what: string): StorageError {
  return new StorageError(`malformed HTTP response: ${what}`);
}
