/**
 * `type: FILESYSTEM` buckets: objects are files under a root directory (Thanos's filesystem provider).
 * The embedded default, and what tests and the demo use. Uploads write a temp file and rename it into place,
 * so a reader never sees half an object.
 *
 * Ranged reads keep their file descriptors open for a short while (REUSE_MS, at most MAX_OPEN files): a
 * store's Series call makes hundreds of GETs into the same few segment files, and open + fstat + close
 * around each cost more CPU than the read. A descriptor is not reused past REUSE_MS, so an object replaced
 * behind our back (a new file renamed over it) is read anew soon after; this bucket's own uploads and
 * deletes drop it at once. The size is asked (fstat) only when a read comes back short.
 */
import { close as closeCb, fstat as fstatCb, open as openCb, read as readCb } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ObjectNotFoundError, type Bucket, type ListOptions, type ObjectAttributes } from './bucket.js';

const openFd = promisify(openCb);
const readFd = promisify(readCb);
const fstatFd = promisify(fstatCb);
const closeFd = promisify(closeCb);

/** Files kept open for ranged reads, and how long one descriptor is reused. */
const MAX_OPEN = 32;
const REUSE_MS = 2000;

interface OpenFile {
  fd: number;
  opened: number;
  /** Reads in flight. */
  users: number;
  /** Dropped from the table: closed once its last read ends. */
  retired: boolean;
}

export class FilesystemBucket implements Bucket {
  readonly name: string;
  readonly #root: string;
  /** Open descriptors by path, least recently used first. */
  readonly #open = new Map<string, OpenFile>();

  constructor(directory: string) {
    this.#root = resolve(directory);
    this.name = `file://${this.#root}`;
  }

  #path(name: string): string {
    const p = resolve(this.#root, name);
    if (p !== this.#root && !p.startsWith(this.#root + sep)) throw new Error(`object name escapes the bucket: ${JSON.stringify(name)}`);
    return p;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<string[]> {
    const dir = this.#path(prefix.endsWith('/') || prefix === '' ? prefix : dirname(prefix));
    const out: string[] = [];
    const walk = async (d: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(d, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
        throw err;
      }
      for (const e of entries) {
        if (e.name.startsWith('.tmp-')) continue; // uploads in flight
        const full = join(d, e.name);
        const rel = relative(this.#root, full).split(sep).join('/');
        if (!rel.startsWith(prefix)) continue;
        if (e.isDirectory()) {
          if (opts.recursive) await walk(full);
          else out.push(rel + '/');
        } else out.push(rel);
      }
    };
    await walk(dir);
    return out.sort();
  }

  async get(name: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.#path(name)));
    } catch (err) {
      throw notFound(err, name);
    }
  }

  async getRange(name: string, offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || length < 0) throw new RangeError(`invalid range ${offset}+${length} of ${name}`);
    const path = this.#path(name);
    const f = await this.#acquire(path, name);
    try {
      // Not zero-filled: only the bytes read from the file are handed out.
      const buf = Buffer.allocUnsafe(length);
      let read = 0;
      while (read < length) {
        const { bytesRead } = await readFd(f.fd, buf, read, length - read, offset + read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      if (read < length || length === 0) {
        // Short (or empty) read: the range ends past the file, or starts at or past its end.
        const size = (await fstatFd(f.fd)).size;
        if (offset > size || (offset === size && length > 0)) throw new RangeError(`range ${offset}+${length} starts past the end of ${name} (${size} bytes)`);
      }
      return new Uint8Array(buf.buffer, buf.byteOffset, read);
    } finally {
      this.#release(f);
    }
  }

  /** An open descriptor for `path`, reused if opened less than REUSE_MS ago; release() it after use. */
  async #acquire(path: string, name: string): Promise<OpenFile> {
    const now = Date.now();
    let f = this.#open.get(path);
    if (f !== undefined && now - f.opened < REUSE_MS) {
      this.#open.delete(path); // re-insert: most recently used last
      this.#open.set(path, f);
      f.users++;
      return f;
    }
    if (f !== undefined) this.#retire(path, f);
    let fd: number;
    try {
      fd = await openFd(path, 'r');
    } catch (err) {
      throw notFound(err, name);
    }
    f = { fd, opened: now, users: 1, retired: false };
    const had = this.#open.get(path); // opened meanwhile by another read
    if (had !== undefined) this.#retire(path, had);
    this.#open.set(path, f);
    if (this.#open.size > MAX_OPEN) {
      const [oldest, o] = this.#open.entries().next().value as [string, OpenFile];
      this.#retire(oldest, o);
    }
    return f;
  }

  #release(f: OpenFile): void {
    if (--f.users === 0 && f.retired) closeFd(f.fd).catch(() => undefined);
  }

  #retire(path: string, f: OpenFile): void {
    if (this.#open.get(path) === f) this.#open.delete(path);
    if (f.retired) return;
    f.retired = true;
    if (f.users === 0) closeFd(f.fd).catch(() => undefined);
  }

  #forget(path: string): void {
    const f = this.#open.get(path);
    if (f !== undefined) this.#retire(path, f);
  }

  async exists(name: string): Promise<boolean> {
    try {
      return (await stat(this.#path(name))).isFile();
    } catch {
      return false;
    }
  }

  async attributes(name: string): Promise<ObjectAttributes> {
    try {
      const s = await stat(this.#path(name));
      if (!s.isFile()) throw new ObjectNotFoundError(name);
      return { size: s.size, lastModified: s.mtimeMs };
    } catch (err) {
      throw notFound(err, name);
    }
  }

  upload(name: string, data: Uint8Array): Promise<void> {
    return this.#replace(name, (tmp) => writeFile(tmp, data));
  }

  uploadFile(name: string, path: string): Promise<void> {
    return this.#replace(name, (tmp) => copyFile(path, tmp));
  }

  /** Writes the object's new content into a temporary file beside it, then renames it over the object. */
  async #replace(name: string, write: (tmp: string) => Promise<void>): Promise<void> {
    const p = this.#path(name);
    await mkdir(dirname(p), { recursive: true });
    const tmp = join(dirname(p), `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
    try {
      await write(tmp);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    await rename(tmp, p);
    this.#forget(p);
  }

  async delete(name: string): Promise<void> {
    const p = this.#path(name);
    if (!(await this.exists(name))) throw new ObjectNotFoundError(name);
    await rm(p);
    this.#forget(p);
  }

  async close(): Promise<void> {
    for (const [path, f] of [...this.#open]) this.#retire(path, f);
  }
}

function notFound(err: unknown, name: string): unknown {
  if (err instanceof ObjectNotFoundError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR' ? new ObjectNotFoundError(name) : err;
}
