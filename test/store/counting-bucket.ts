/** A Bucket wrapper that counts calls and bytes, and can fail reads of chosen objects (tests only). */
import type { Bucket, ListOptions, ObjectAttributes } from '../../src/objstore/index.js';

export class CountingBucket implements Bucket {
  getRanges = 0;
  gets = 0;
  bytes = 0;
  /** getRange calls per object name. */
  readonly rangesByObject = new Map<string, number>();

  constructor(readonly inner: Bucket) {}

  get name(): string {
    return this.inner.name;
  }
  reset(): void {
    this.getRanges = this.gets = this.bytes = 0;
    this.rangesByObject.clear();
  }
  list(prefix: string, opts?: ListOptions, signal?: AbortSignal): Promise<string[]> {
    return this.inner.list(prefix, opts, signal);
  }
  async get(name: string, signal?: AbortSignal): Promise<Uint8Array> {
    this.gets++;
    const b = await this.inner.get(name, signal);
    this.bytes += b.length;
    return b;
  }
  async getRange(name: string, offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    this.getRanges++;
    this.rangesByObject.set(name, (this.rangesByObject.get(name) ?? 0) + 1);
    const b = await this.inner.getRange(name, offset, length, signal);
    this.bytes += b.length;
    return b;
  }
  exists(name: string, signal?: AbortSignal): Promise<boolean> {
    return this.inner.exists(name, signal);
  }
  attributes(name: string, signal?: AbortSignal): Promise<ObjectAttributes> {
    return this.inner.attributes(name, signal);
  }
  upload(name: string, data: Uint8Array, signal?: AbortSignal): Promise<void> {
    return this.inner.upload(name, data, signal);
  }
  uploadFile(name: string, path: string, signal?: AbortSignal): Promise<void> {
    return this.inner.uploadFile(name, path, signal);
  }
  delete(name: string, signal?: AbortSignal): Promise<void> {
    return this.inner.delete(name, signal);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
