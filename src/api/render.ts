/**
 * Query results → Prometheus JSON, written as strings directly: a dashboard range query can hold millions of
 * points and an object per point (for JSON.stringify) would dominate the cost.
 */
import type { Labels } from '../model/index.js';
import type { QueryStats, QueryValue } from '../promql/types.js';
import { formatFloat, formatTimestamp } from './json.js';

/** Labels as a JSON object with keys in label order (JSON.stringify would hoist integer-like keys). */
export function renderLabels(labels: Labels): string {
  const flat = labels.flat();
  let out = '{';
  for (let i = 0; i < flat.length; i += 2) {
    if (i > 0) out += ',';
    out += JSON.stringify(flat[i]) + ':' + JSON.stringify(flat[i + 1]);
  }
  return out + '}';
}

function point(t: number, v: number): string {
  return '[' + formatTimestamp(t) + ',"' + formatFloat(v) + '"]';
}

/**
 * Prometheus's `stats.timings`, seconds. Only the phases the API can see are given: Prometheus also splits
 * evaluation into queryPreparationTime, innerEvalTime and resultSortTime, which our engine does not report,
 * and a made-up zero would read as a measurement.
 */
export interface QueryTimings {
  /** Engine call, from parse to result. */
  evalTotalTime: number;
  /** Waiting for a `--query.max-concurrent` slot. */
  execQueueTime: number;
  /** Queue wait plus evaluation. */
  execTotalTime: number;
}

export function renderQueryData(value: QueryValue, stats?: QueryStats, timings?: QueryTimings): string {
  let result: string;
  switch (value.resultType) {
    case 'vector': {
      const parts = value.result.map((s) => '{"metric":' + renderLabels(s.labels) + ',"value":' + point(s.t, s.v) + '}');
      result = '[' + parts.join(',') + ']';
      break;
    }
    case 'matrix': {
      const parts: string[] = [];
      for (const s of value.result) {
        const pts: string[] = new Array(s.timestamps.length);
        for (let i = 0; i < s.timestamps.length; i++) pts[i] = point(s.timestamps[i], s.values[i]);
        parts.push('{"metric":' + renderLabels(s.labels) + ',"values":[' + pts.join(',') + ']}');
      }
      result = '[' + parts.join(',') + ']';
      break;
    }
    case 'scalar':
      result = point(value.t, value.v);
      break;
    case 'string':
      result = '[' + formatTimestamp(value.t) + ',' + JSON.stringify(value.v) + ']';
      break;
  }
  let out = '{"resultType":"' + value.resultType + '","result":' + result;
  if (stats) out += ',"stats":{' + (timings ? '"timings":' + JSON.stringify(timings) + ',' : '') + '"samples":' + JSON.stringify(stats) + '}';
  return out + '}';
}

/** The success envelope around already-rendered `data`. */
export function renderSuccess(data: string, warnings: readonly string[] = [], infos: readonly string[] = []): string {
  let out = '{"status":"success","data":' + data;
  if (warnings.length > 0) out += ',"warnings":' + JSON.stringify(warnings);
  if (infos.length > 0) out += ',"infos":' + JSON.stringify(infos);
  return out + '}';
}

export function renderError(errorType: string, message: string, warnings: readonly string[] = []): string {
  const body: Record<string, unknown> = { status: 'error', errorType, error: message };
  if (warnings.length > 0) body.warnings = warnings;
  return JSON.stringify(body);
}
