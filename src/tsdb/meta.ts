/**
 * A block's `meta.json`: the Prometheus `BlockMeta` fields plus Thanos's optional `thanos` section.
 * Format, field by field, with what writes and reads each: docs/format/meta.md.
 *
 *   const meta = parseMeta(await readFile(join(blockDir, 'meta.json')));   // throws StorageError when invalid
 *   externalLabels(meta);                                                   // {} when there is no thanos section
 *   await writeFile(path, serializeMeta(meta));                             // tab-indented, as Go's MarshalIndent
 *
 * Blocks made by Prometheus or promtool have no `thanos` section: such a block has no external labels and is
 * raw (resolution 0). Timestamps are ms; a block covers the half-open range [minTime, maxTime).
 */
import { StorageError } from '../model/index.js';

/** Prometheus `tsdb.BlockStats`. Absent counts are 0 (Go omits zero values). */
export interface BlockStats {
  numSamples: number;
  numSeries: number;
  numChunks: number;
  numTombstones?: number;
  /** Prometheus ≥ 2.48 splits numSamples by kind; 2.42 (Debian) does not write these. */
  numFloatSamples?: number;
  numHistogramSamples?: number;
}

/** Prometheus `tsdb.BlockDesc`: a parent of a compacted block. */
export interface BlockDesc {
  ulid: string;
  minTime: number;
  maxTime: number;
}

/** Prometheus `tsdb.BlockMetaCompaction`. */
export interface BlockCompaction {
  /** 1 for a block cut from the head (or written by us); +1 per compaction. */
  level: number;
  /** ULIDs of the level-1 blocks this block holds the data of (itself, for level 1). */
  sources: string[];
  deletable?: boolean;
  parents?: BlockDesc[];
  failed?: boolean;
  hints?: string[];
}

/** Thanos `metadata.File`: one file of the block, as the shipper records it. */
export interface ThanosFile {
  rel_path: string;
  size_bytes?: number;
  hash?: { hashFunc: string; value: string };
}

/** Thanos `metadata.Thanos`: the section Thanos adds to meta.json before uploading a block. */
export interface ThanosMeta {
  version: number;
  /** External labels of the Prometheus (or receiver, ruler) that produced the block. */
  labels: Record<string, string>;
  /** 0 raw, 300000 (5m) or 3600000 (1h) for downsampled blocks. */
  downsample: { resolution: number };
  /** Who wrote the block: sidecar, receive, compactor, ruler, bucket.upload, test, … */
  source: string;
  /** Deprecated chunk file list (`000001`, …). */
  segment_files?: string[];
  files?: ThanosFile[];
  /** Largest series entry and chunk in bytes, so a reader can size its first ranged reads. */
  index_stats?: { series_max_size?: number; chunk_max_size?: number };
  /** RFC 3339 time of upload. */
  upload_time?: string;
  /** Kept as read; we neither interpret nor produce them. */
  rewrites?: unknown[];
  extensions?: unknown;
}

export interface BlockMeta {
  ulid: string;
  minTime: number;
  maxTime: number;
  stats: BlockStats;
  compaction: BlockCompaction;
  /** meta.json format version: always 1. */
  version: 1;
  thanos?: ThanosMeta;
}

export const META_FILENAME = 'meta.json';
/** Resolutions Thanos's downsampler produces (ms). */
export const RESOLUTION_RAW = 0;
export const RESOLUTION_5M = 300_000;
export const RESOLUTION_1H = 3_600_000;

/** External labels of the block: the thanos section's labels, or none without that section. */
export function externalLabels(meta: BlockMeta): Record<string, string> {
  return meta.thanos?.labels ?? {};
}

/** Downsampling resolution in ms; 0 (raw) without a thanos section. */
export function blockResolution(meta: BlockMeta): number {
  return meta.thanos?.downsample.resolution ?? RESOLUTION_RAW;
}

/** Crockford base32 ULID; the first character is at most 7 so the 48-bit time fits. */
const ULID_RE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export function isULID(s: unknown): s is string {
  return typeof s === 'string' && ULID_RE.test(s);
}

/**
 * Parses and validates meta.json. Throws StorageError naming the offending field: a reader treats the whole
 * block as corrupt (skipped and counted), so the message must say what was wrong, not just "invalid".
 * Absent optional fields take Go's zero values, as Prometheus and Thanos decode them.
 */
export function parseMeta(input: Uint8Array | string): BlockMeta {
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: false }).decode(input);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new StorageError(`parse meta.json: not JSON: ${(cause as Error).message}`, { cause });
  }
  const o = obj(raw, 'meta.json');
  const ulid = o.ulid;
  if (!isULID(ulid)) throw bad('ulid', `${JSON.stringify(ulid)} is not a ULID`);
  const minTime = int(o.minTime, 'minTime');
  const maxTime = int(o.maxTime, 'maxTime');
  if (minTime === undefined || maxTime === undefined) throw bad(minTime === undefined ? 'minTime' : 'maxTime', 'missing');
  if (maxTime < minTime) throw bad('maxTime', `${maxTime} is before minTime ${minTime}`);
  if (o.version !== 1) throw bad('version', `${JSON.stringify(o.version)}, want 1`);
  const meta: BlockMeta = {
    ulid,
    minTime,
    maxTime,
    stats: parseStats(o.stats),
    compaction: parseCompaction(o.compaction),
    version: 1,
  };
  if (o.thanos !== undefined && o.thanos !== null) meta.thanos = parseThanos(o.thanos);
  return meta;
}

function parseStats(v: unknown): BlockStats {
  const s = v === undefined || v === null ? {} : obj(v, 'stats');
  const stats: BlockStats = {
    numSamples: count(s.numSamples, 'stats.numSamples') ?? 0,
    numSeries: count(s.numSeries, 'stats.numSeries') ?? 0,
    numChunks: count(s.numChunks, 'stats.numChunks') ?? 0,
  };
  for (const k of ['numTombstones', 'numFloatSamples', 'numHistogramSamples'] as const) {
    const n = count(s[k], `stats.${k}`);
    if (n !== undefined) stats[k] = n;
  }
  return stats;
}

function parseCompaction(v: unknown): BlockCompaction {
  const c = v === undefined || v === null ? {} : obj(v, 'compaction');
  const out: BlockCompaction = {
    level: count(c.level, 'compaction.level') ?? 0,
    sources: ulids(c.sources, 'compaction.sources'),
  };
  if (c.deletable !== undefined) out.deletable = bool(c.deletable, 'compaction.deletable');
  if (c.failed !== undefined) out.failed = bool(c.failed, 'compaction.failed');
  if (c.hints !== undefined && c.hints !== null) out.hints = strings(c.hints, 'compaction.hints');
  if (c.parents !== undefined && c.parents !== null) {
    out.parents = arr(c.parents, 'compaction.parents').map((p, i) => {
      const what = `compaction.parents[${i}]`;
      const po = obj(p, what);
      if (!isULID(po.ulid)) throw bad(`${what}.ulid`, `${JSON.stringify(po.ulid)} is not a ULID`);
      return { ulid: po.ulid, minTime: int(po.minTime, `${what}.minTime`) ?? 0, maxTime: int(po.maxTime, `${what}.maxTime`) ?? 0 };
    });
  }
  return out;
}

function parseThanos(v: unknown): ThanosMeta {
  const t = obj(v, 'thanos');
  // Thanos reads an absent version as 1; anything else is a format it does not know.
  const version = count(t.version, 'thanos.version') ?? 1;
  if (version !== 1) throw bad('thanos.version', `${version}, want 1`);
  const labels: Record<string, string> = {};
  if (t.labels !== undefined && t.labels !== null) {
    for (const [k, val] of Object.entries(obj(t.labels, 'thanos.labels'))) {
      if (typeof val !== 'string') throw bad(`thanos.labels.${k}`, `${JSON.stringify(val)} is not a string`);
      labels[k] = val;
    }
  }
  const ds = t.downsample === undefined || t.downsample === null ? {} : obj(t.downsample, 'thanos.downsample');
  const resolution = count(ds.resolution, 'thanos.downsample.resolution') ?? 0;
  const source = t.source === undefined || t.source === null ? '' : str(t.source, 'thanos.source');
  const out: ThanosMeta = { version: 1, labels, downsample: { resolution }, source };
  if (t.segment_files !== undefined && t.segment_files !== null) out.segment_files = strings(t.segment_files, 'thanos.segment_files');
  if (t.files !== undefined && t.files !== null) {
    out.files = arr(t.files, 'thanos.files').map((f, i) => {
      const what = `thanos.files[${i}]`;
      const fo = obj(f, what);
      const file: ThanosFile = { rel_path: str(fo.rel_path, `${what}.rel_path`) };
      const size = count(fo.size_bytes, `${what}.size_bytes`);
      if (size !== undefined) file.size_bytes = size;
      if (fo.hash !== undefined && fo.hash !== null) {
        const h = obj(fo.hash, `${what}.hash`);
        file.hash = { hashFunc: str(h.hashFunc, `${what}.hash.hashFunc`), value: str(h.value, `${what}.hash.value`) };
      }
      return file;
    });
  }
  if (t.index_stats !== undefined && t.index_stats !== null) {
    const is = obj(t.index_stats, 'thanos.index_stats');
    const s: NonNullable<ThanosMeta['index_stats']> = {};
    const sm = count(is.series_max_size, 'thanos.index_stats.series_max_size');
    const cm = count(is.chunk_max_size, 'thanos.index_stats.chunk_max_size');
    if (sm !== undefined) s.series_max_size = sm;
    if (cm !== undefined) s.chunk_max_size = cm;
    out.index_stats = s;
  }
  if (t.upload_time !== undefined && t.upload_time !== null) out.upload_time = str(t.upload_time, 'thanos.upload_time');
  if (t.rewrites !== undefined && t.rewrites !== null) out.rewrites = arr(t.rewrites, 'thanos.rewrites');
  if (t.extensions !== undefined && t.extensions !== null) out.extensions = t.extensions;
  return out;
}

/**
 * meta.json text as Go writes it (`json.MarshalIndent(meta, "", "\t")`, no trailing newline): fields in Go struct order, zero
 * values of `omitempty` fields left out, `<`, `>`, `&`, U+2028 and U+2029 escaped. The thanos section
 * appears only when present: a meta without it is exactly what promtool writes.
 */
export function serializeMeta(meta: BlockMeta): string {
  const stats: Record<string, number> = {};
  const s = meta.stats;
  for (const k of ['numSamples', 'numFloatSamples', 'numHistogramSamples', 'numSeries', 'numChunks', 'numTombstones'] as const) {
    if (s[k]) stats[k] = s[k]!;
  }
  const c = meta.compaction;
  const compaction: Record<string, unknown> = { level: c.level };
  if (c.sources.length > 0) compaction.sources = c.sources;
  if (c.deletable) compaction.deletable = true;
  if (c.parents?.length) compaction.parents = c.parents.map((p) => ({ ulid: p.ulid, minTime: p.minTime, maxTime: p.maxTime }));
  if (c.failed) compaction.failed = true;
  if (c.hints?.length) compaction.hints = c.hints;
  const out: Record<string, unknown> = {
    ulid: meta.ulid,
    minTime: meta.minTime,
    maxTime: meta.maxTime,
    stats,
    compaction,
    version: meta.version,
  };
  if (meta.thanos) out.thanos = thanosJSON(meta.thanos);
  return goEscape(JSON.stringify(out, null, '\t'));
}

function thanosJSON(t: ThanosMeta): Record<string, unknown> {
  const labels: Record<string, string> = {};
  for (const k of Object.keys(t.labels).sort()) labels[k] = t.labels[k]!; // Go marshals maps with sorted keys
  const out: Record<string, unknown> = { version: t.version, labels, downsample: { resolution: t.downsample.resolution }, source: t.source };
  if (t.segment_files?.length) out.segment_files = t.segment_files;
  if (t.files?.length) {
    out.files = t.files.map((f) => {
      const fo: Record<string, unknown> = { rel_path: f.rel_path };
      if (f.size_bytes) fo.size_bytes = f.size_bytes;
      if (f.hash) fo.hash = { hashFunc: f.hash.hashFunc, value: f.hash.value };
      return fo;
    });
  }
  if (t.rewrites?.length) out.rewrites = t.rewrites;
  if (t.index_stats && (t.index_stats.series_max_size || t.index_stats.chunk_max_size)) {
    const is: Record<string, number> = {};
    if (t.index_stats.series_max_size) is.series_max_size = t.index_stats.series_max_size;
    if (t.index_stats.chunk_max_size) is.chunk_max_size = t.index_stats.chunk_max_size;
    out.index_stats = is;
  }
  if (t.extensions !== undefined) out.extensions = t.extensions;
  if (t.upload_time !== undefined) out.upload_time = t.upload_time;
  return out;
}

/** Go's encoding/json escapes these even inside strings; JSON.stringify does not. */
function goEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));
}

// Validation helpers: each names the field path so the error tells the operator what to fix.

function bad(field: string, why: string): StorageError {
  return new StorageError(`parse meta.json: ${field}: ${why}`);
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(what, `${JSON.stringify(v)} is not an object`);
  return v as Record<string, unknown>;
}

function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw bad(what, `${JSON.stringify(v)} is not an array`);
  return v;
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw bad(what, `${JSON.stringify(v)} is not a string`);
  return v;
}

function bool(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') throw bad(what, `${JSON.stringify(v)} is not a boolean`);
  return v;
}

function strings(v: unknown, what: string): string[] {
  return arr(v, what).map((s, i) => str(s, `${what}[${i}]`));
}

function ulids(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  return arr(v, what).map((s, i) => {
    if (!isULID(s)) throw bad(`${what}[${i}]`, `${JSON.stringify(s)} is not a ULID`);
    return s;
  });
}

/** An integer a double holds exactly (ms timestamps do; Go's int64 beyond ±2^53 cannot be represented). */
function int(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw bad(what, `${JSON.stringify(v)} is not an integer in ±2^53`);
  return v;
}

function count(v: unknown, what: string): number | undefined {
  const n = int(v, what);
  if (n !== undefined && n < 0) throw bad(what, `${n} is negative`);
  return n;
}
