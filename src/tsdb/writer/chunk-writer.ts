/**
 * Writes chunk segment files `chunks/000001`, `000002`, … (docs/format/chunks.md): an 8-byte header, then
 * `len uvarint | encoding | data | CRC32C(encoding + data)` per chunk. A chunk's ref is
 * `segment index << 32 | offset of its len field`, which is what the index stores.
 *
 * A new segment starts when the next chunk might not fit in `segmentSize` (512 MiB, Prometheus's
 * DefaultChunkSegmentSize): like Prometheus we reserve 5 bytes for the length varint when checking, and
 * never leave a segment empty, so one chunk larger than the limit still gets written.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHUNKS_FORMAT_V1, CHUNKS_HEADER_SIZE, CHUNKS_MAGIC, SegmentEncoding, chunkRef } from '../../chunkenc/index.js';
import { StorageError } from '../../model/index.js';
import { Encbuf } from './encbuf.js';
import { FileSink } from './file-sink.js';
import { putCRC } from './index-sections.js';

export const DEFAULT_SEGMENT_SIZE = 512 * 1024 * 1024;
/** The worst-case bytes a chunk takes besides its data: a 5-byte length varint, the encoding, the CRC. */
const CHUNK_OVERHEAD = 5 + 1 + 4;

export interface SegmentFile {
  /** Relative to the block: `chunks/000001`. */
  relPath: string;
  size: number;
}

export class ChunkWriter {
  readonly #dir: string;
  readonly #segmentSize: number;
  readonly #enc = new Encbuf(256);
  readonly #files: SegmentFile[] = [];
  #sink: FileSink | undefined;
  /** Largest chunk entry written, len varint and CRC included (Thanos's index_stats.chunk_max_size). */
  maxEntrySize = 0;

  constructor(blockDir: string, segmentSize = DEFAULT_SEGMENT_SIZE) {
    if (!(segmentSize > CHUNKS_HEADER_SIZE && segmentSize <= 0x100000000)) {
      throw new RangeError(`chunk segment size ${segmentSize} not in (8, 4 GiB]: chunk offsets are 32-bit`);
    }
    this.#dir = join(blockDir, 'chunks');
    this.#segmentSize = segmentSize;
    mkdirSync(this.#dir);
  }

  /** Appends one chunk with Prometheus encoding `encoding` (XOR by default) and returns its ref. */
  write(data: Uint8Array, encoding: number = SegmentEncoding.XOR): number {
    let sink = this.#sink;
    if (!sink || (sink.pos > CHUNKS_HEADER_SIZE && sink.pos + CHUNK_OVERHEAD + data.length > this.#segmentSize)) {
      sink = this.#cut();
    }
    const ref = chunkRef(this.#files.length - 1, sink.pos);
    const enc = this.#enc.reset();
    enc.putUvarint(data.length);
    const crcFrom = enc.len;
    enc.putByte(encoding);
    enc.putBytes(data);
    putCRC(enc, crcFrom);
    sink.write(enc.get());
    if (enc.len > this.maxEntrySize) this.maxEntrySize = enc.len;
    if (sink.pos > 0x100000000) throw new StorageError(`write chunks: segment ${sink.path} passed 4 GiB; chunk offsets are 32-bit`);
    return ref;
  }

  #cut(): FileSink {
    this.#finishSegment();
    const n = this.#files.length + 1;
    const relPath = `chunks/${String(n).padStart(6, '0')}`;
    const sink = new FileSink(join(this.#dir, String(n).padStart(6, '0')));
    const head = new Encbuf(CHUNKS_HEADER_SIZE);
    head.putBE32(CHUNKS_MAGIC);
    head.putByte(CHUNKS_FORMAT_V1);
    head.putBytes(new Uint8Array(3));
    sink.write(head.get());
    this.#files.push({ relPath, size: 0 });
    this.#sink = sink;
    return sink;
  }

  #finishSegment(): void {
    if (!this.#sink) return;
    this.#files[this.#files.length - 1]!.size = this.#sink.close();
    this.#sink = undefined;
  }

  /** Closes the last segment; returns every segment written (none when no chunk was). */
  close(): SegmentFile[] {
    this.#finishSegment();
    return this.#files;
  }

  /** Releases the open file after a failure. */
  abort(): void {
    this.#sink?.abort();
    this.#sink = undefined;
  }
}
