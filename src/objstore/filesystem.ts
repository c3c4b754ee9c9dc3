/**
 * `type: FILESYSTEM` buckets: objects are files under a root directory (Thanos's filesystem provider).
 * The embedded default, and what tests and the demo use. Uploads write a temp file and rename it into place,
 * so a reader never sees half an object.
 */
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ObjectNotFoundError, type Bucket, type ListOptions, type ObjectAttributes } from './bucket.js';

export class FilesystemBucket implements Bucket {
  readonly name: string;
  readonly #root: string;

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
    let fh;
    try {
      fh = await open(this.#path(name), 'r');
    } catch (err) {
      throw notFound(err, name);
    }
    try {
      const size = (await fh.stat()).size;
      if (offset < 0 || length < 0) throw new RangeError(`invalid range ${offset}+${length} of ${name}`);
      if (offset > size || (offset === size && length > 0)) throw new RangeError(`range ${offset}+${length} starts past the end of ${name} (${size} bytes)`);
      const n = Math.min(length, size - offset);
      const buf = Buffer.alloc(n);
      let read = 0;
      while (read < n) {
        const { bytesRead } = await fh.read(buf, read, n - read, offset + read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      return new Uint8Array(buf.buffer, buf.byteOffset, read);
    } finally {
      await fh.close();
    }
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

  async upload(name: string, data: Uint8Array): Promise<void> {
    const p = this.#path(name);
    await mkdir(dirname(p), { recursive: true });
    const tmp = join(dirname(p), `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
    await writeFile(tmp, data);
    await rename(tmp, p);
  }

  async delete(name: string): Promise<void> {
    const p = this.#path(name);
    if (!(await this.exists(name))) throw new ObjectNotFoundError(name);
    await rm(p);
  }

  async close(): Promise<void> {}
}

function notFound(err: unknown, name: string): unknown {
  if (err instanceof ObjectNotFoundError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR' ? new ObjectNotFoundError(name) : err;
}
