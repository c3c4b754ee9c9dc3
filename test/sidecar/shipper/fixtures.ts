/**
 * Test helpers for the shipper: a temp Prometheus-like TSDB directory with blocks written by our writer, and
 * a Bucket wrapper around the real FilesystemBucket that records every call and can fail chosen uploads
 * (a fault injector standing in for a storage peer that dies or errors mid-upload).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Labels } from '../../../src/model/index.js';
import { FilesystemBucket, type Bucket, type ListOptions, type ObjectAttributes } from '../../../src/objstore/index.js';
import { writeBlock, type BlockMeta } from '../../../src/tsdb/index.js';

export const H = 3_600_000;
/** 2024-01-01T00:00:00Z: fixed past data, as the promtool fixtures use. */
export const T0 = 1_704_067_200_000;

export interface TempDirs {
  tsdb: string;
  bucketDir: string;
  bucket: FilesystemBucket;
  cleanup(): void;
}

export function tempDirs(): TempDirs {
  const root = mkdtempSync(join(tmpdir(), 'promfed-shipper-'));
  const tsdb = join(root, 'tsdb');
  const bucketDir = join(root, 'bucket');
  mkdirSync(tsdb);
  const b = new FilesystemBucket(bucketDir);
  return { tsdb, bucketDir, bucket: b, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export interface TestBlockOptions {
  /** Block start; the block holds 2 h of 15 s samples from here (minus the last 15 s, as a head cut). */
  start: number;
  series?: number;
  level?: number;
  /** Small values force several chunk segment files. */
  segmentSize?: number;
  /** An empty block: no series, numSamples 0. */
  empty?: boolean;
}

/** Writes a level-`level` block of `series` gauge series with 15 s samples into `tsdb`; returns its meta. */
export function writeTestBlock(tsdb: string, o: TestBlockOptions): BlockMeta {
  if (o.empty) return writeBlock(tsdb, [], { minTime: o.start, maxTime: o.start + 2 * H });
  const n = 2 * 240 - 1;
  const series = [];
  for (let s = 0; s < (o.series ?? 3); s++) {
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      ts[i] = o.start + (i + 1) * 15_000;
      vs[i] = Math.sin(i / 10 + s) * 100;
    }
    series.push({ labels: Labels.from({ __name__: 'test_gauge', instance: `i${s}`, job: 'shipper' }), timestamps: ts, values: vs });
  }
  return writeBlock(tsdb, series, {
    segmentSize: o.segmentSize,
    ...(o.level !== undefined && o.level > 1 ? { compaction: { level: o.level } } : {}),
  });
}

/** Relative paths and bytes of every regular file under `dir`. */
export function filesUnder(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p, r);
      else out.set(r, readFileSync(p));
    }
  };
  walk(dir, '');
  return out;
}

export function fileSize(path: string): number {
  return statSync(path).size;
}

export type Call = { op: 'upload' | 'exists' | 'delete' | 'list' | 'get'; name: string };

/**
 * Records calls and fails uploads for which `failUpload(name)` returns true (after the predicate sees it,
 * before anything is written). `beforeUpload` runs first, so a test can look at the disk mid-upload.
 */
export class RecordingBucket implements Bucket {
  readonly calls: Call[] = [];
  failUpload: (name: string) => boolean = () => false;
  beforeUpload: (name: string) => void = () => {};
  failExists = false;

  constructor(readonly inner: Bucket) {}

  get name(): string {
    return `recording(${this.inner.name})`;
  }
  uploads(): string[] {
    return this.calls.filter((c) => c.op === 'upload').map((c) => c.name);
  }
  async list(prefix: string, opts?: ListOptions): Promise<string[]> {
    this.calls.push({ op: 'list', name: prefix });
    return this.inner.list(prefix, opts);
  }
  async get(name: string): Promise<Uint8Array> {
    this.calls.push({ op: 'get', name });
    return this.inner.get(name);
  }
  getRange(name: string, offset: number, length: number): Promise<Uint8Array> {
    return this.inner.getRange(name, offset, length);
  }
  async exists(name: string): Promise<boolean> {
    this.calls.push({ op: 'exists', name });
    if (this.failExists) throw new Error('injected: bucket unreachable');
    return this.inner.exists(name);
  }
  attributes(name: string): Promise<ObjectAttributes> {
    return this.inner.attributes(name);
  }
  async upload(name: string, data: Uint8Array): Promise<void> {
    this.#uploading(name);
    return this.inner.upload(name, data);
  }
  async uploadFile(name: string, path: string): Promise<void> {
    this.#uploading(name);
    return this.inner.uploadFile(name, path);
  }
  /** Both kinds of upload: recorded as 'upload', then the test's hook and injected failure. */
  #uploading(name: string): void {
    this.calls.push({ op: 'upload', name });
    this.beforeUpload(name);
    if (this.failUpload(name)) throw new Error(`injected: upload of ${name} failed`);
  }
  async delete(name: string): Promise<void> {
    this.calls.push({ op: 'delete', name });
    return this.inner.delete(name);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
