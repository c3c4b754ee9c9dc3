/**
 * Test helpers for engine tests: compact data loading into MemoryStorage and results flattened to plain
 * objects (`'name{a="b"}'` → values) so table cases read like Prometheus's test files.
 */
import { Labels, STALE_NAN } from '../../../src/model/index.js';
import { MemoryStorage } from '../../../src/storage/index.js';
import { createEngine, type Engine, type EngineOptions, type QueryOptions, type QueryResult } from '../../../src/promql/index.js';

/** A value, `null` for no sample, or 'stale' for a staleness marker. */
export type Point = number | null | 'stale';

/** Loads `series` (labels → values at start, start+interval, …) into a fresh MemoryStorage. */
export function load(intervalMs: number, series: Record<string, Point[]>, startMs = 0): MemoryStorage {
  const db = new MemoryStorage();
  for (const [spec, points] of Object.entries(series)) {
    const labels = parseLabels(spec);
    points.forEach((p, i) => {
      if (p === null) return;
      db.append(labels, startMs + i * intervalMs, p === 'stale' ? STALE_NAN : p);
    });
  }
  return db;
}

/** `name{a="1",b="2"}` or `{a="1"}` → Labels. */
export function parseLabels(spec: string): Labels {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?(?:\{(.*)\})?$/.exec(spec.trim());
  if (m === null) throw new Error(`bad series spec ${spec}`);
  const o: Record<string, string> = {};
  if (m[1]) o.__name__ = m[1];
  if (m[2]) for (const part of m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"([^"]*)"/g)) o[part[1]] = part[2];
  return Labels.from(o);
}

export const engine = (opts: EngineOptions = {}): Engine => createEngine({ enableExperimentalFunctions: true, ...opts });

/** Instant query → { 'labels': value } (scalar → { scalar: v }). */
export async function instant(db: MemoryStorage, q: string, tMs: number, e = engine(), opts?: QueryOptions): Promise<Record<string, number>> {
  return flatInstant(await e.instantQuery(db, q, tMs, opts));
}

export function flatInstant(r: QueryResult): Record<string, number> {
  const v = r.value;
  if (v.resultType === 'scalar') return { scalar: v.v };
  if (v.resultType !== 'vector') throw new Error(`expected a vector, got ${v.resultType}`);
  const out: Record<string, number> = {};
  for (const s of v.result) out[s.labels.toString()] = s.v;
  return out;
}

/** Instant query → labels in result order. */
export async function instantOrder(db: MemoryStorage, q: string, tMs: number): Promise<string[]> {
  const r = await engine().instantQuery(db, q, tMs);
  if (r.value.resultType !== 'vector') throw new Error('expected a vector');
  return r.value.result.map((s) => s.labels.toString());
}

/** Range query → { 'labels': [[t, v], …] } with t in seconds. */
export async function range(db: MemoryStorage, q: string, startMs: number, endMs: number, stepMs: number, e = engine()): Promise<Record<string, [number, number][]>> {
  const r = await e.rangeQuery(db, q, startMs, endMs, stepMs);
  if (r.value.resultType !== 'matrix') throw new Error('expected a matrix');
  const out: Record<string, [number, number][]> = {};
  for (const s of r.value.result) out[s.labels.toString()] = [...s.timestamps].map((t, i) => [t / 1000, s.values[i]]);
  return out;
}

export const m = 60_000;
export const s = 1000;
