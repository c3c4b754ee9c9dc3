/**
 * Sequential writes to one file through a fixed buffer, tracking the absolute position: index sections
 * record where they start and pad to alignments relative to the file start, so the writer needs `pos`
 * without asking the OS. Synchronous on purpose: a block is written in one go by tests, benchmarks and
 * the demo, and sync writes of 1 MiB batches are the fastest path Node has.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

const BUFFER_SIZE = 1 << 20;
const ZEROS = new Uint8Array(16);

export class FileSink {
  readonly #fd: number;
  readonly #buf = new Uint8Array(BUFFER_SIZE);
  #used = 0;
  /** Bytes written so far (buffered or not): the offset of the next byte in the file. */
  pos = 0;

  constructor(readonly path: string) {
    this.#fd = openSync(path, 'wx');
  }

  write(b: Uint8Array): void {
    if (b.length > BUFFER_SIZE - this.#used) {
      this.#flush();
      if (b.length >= BUFFER_SIZE) {
        writeAll(this.#fd, b);
        this.pos += b.length;
        return;
      }
    }
    this.#buf.set(b, this.#used);
    this.#used += b.length;
    this.pos += b.length;
  }

  /** Zero bytes up to the next multiple of `align` (≤ 16). */
  pad(align: number): void {
    const rem = this.pos % align;
    if (rem !== 0) this.write(ZEROS.subarray(0, align - rem));
  }

  /** Flushes, fsyncs and closes; returns the file size. */
  close(): number {
    this.#flush();
    fsyncSync(this.#fd);
    closeSync(this.#fd);
    return this.pos;
  }

  /** Closes without syncing, after a failure; never throws. */
  abort(): void {
    try {
      closeSync(this.#fd);
    } catch {
      // already closed or never usable: nothing left to release
    }
  }

  #flush(): void {
    if (this.#used === 0) return;
    writeAll(this.#fd, this.#buf.subarray(0, this.#used));
    this.#used = 0;
  }
}

function writeAll(fd: number, b: Uint8Array): void {
  for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
}
