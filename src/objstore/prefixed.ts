/**
 * A bucket seen through a sub-path (Thanos objstore `prefix:`): every name is stored as `<prefix>/<name>`,
 * and listings and errors speak the names the caller used.
 */
import { ObjectNotFoundError, type Bucket, type ListOptions, type ObjectAttributes } from './bucket.js';

export class PrefixedBucket implements Bucket {
  readonly name: string;
  readonly #inner: Bucket;
  readonly #prefix: string;

  /** `prefix` without leading or trailing slashes is what Thanos stores; we trim them the same way. */
  constructor(inner: Bucket, prefix: string) {
    const trimmed = prefix.replace(/^\/+|\/+$/g, '');
    this.#inner = inner;
    this.#prefix = trimmed === '' ? '' : trimmed + '/';
    this.name = trimmed === '' ? inner.name : `${inner.name}/${trimmed}`;
  }

  #full(name: string): string {
    return this.#prefix + name;
  }

  async #call<T>(name: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (err) {
      throw err instanceof ObjectNotFoundError ? new ObjectNotFoundError(name) : err;
    }
  }

  async list(prefix: string, opts?: ListOptions, signal?: AbortSignal): Promise<string[]> {
    const names = await this.#inner.list(this.#full(prefix), opts, signal);
    return names.map((n) => n.slice(this.#prefix.length));
  }

  get(name: string, signal?: AbortSignal): Promise<Uint8Array> {
    return this.#call(name, () => this.#inner.get(this.#full(name), signal));
  }

  getRange(name: string, offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    return this.#call(name, () => this.#inner.getRange(this.#full(name), offset, length, signal));
  }

  exists(name: string, signal?: AbortSignal): Promise<boolean> {
    return this.#inner.exists(this.#full(name), signal);
  }

  attributes(name: string, signal?: AbortSignal): Promise<ObjectAttributes> {
    return this.#call(name, () => this.#inner.attributes(this.#full(name), signal));
  }

  upload(name: string, data: Uint8Array, signal?: AbortSignal): Promise<void> {
    return this.#inner.upload(this.#full(name), data, signal);
  }

  uploadFile(name: string, path: string, signal?: AbortSignal): Promise<void> {
    return this.#inner.uploadFile(this.#full(name), path, signal);
  }

  delete(name: string, signal?: AbortSignal): Promise<void> {
    return this.#call(name, () => this.#inner.delete(this.#full(name), signal));
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
