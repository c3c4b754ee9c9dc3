/**
 * Reads OpenMetrics text — the format `promtool tsdb create-blocks-from openmetrics` takes — into a
 * MemoryStorage: `name{label="value",…} value [timestamp_seconds]` lines, `# HELP/TYPE/UNIT` metadata (skipped)
 * and a final `# EOF`. Exemplars (` # {…} v`) are ignored. Samples without a timestamp get `defaultTimestampMs`.
 *
 * A malformed line is a BadDataError naming its line number, never a partial load passed off as complete.
 */
import { BadDataError, Labels } from '../model/index.js';
import type { MemoryStorage } from './memory.js';

export interface OpenMetricsLoadResult {
  series: number;
  samples: number;
}

const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;

export function loadOpenMetrics(text: string, db: MemoryStorage, opts: { defaultTimestampMs?: number } = {}): OpenMetricsLoadResult {
  let samples = 0;
  const seen = new Set<string>();
  let lineNo = 0;
  let sawEof = false;
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, end).replace(/\r$/, '');
    pos = end + 1;
    lineNo++;
    if (line === '') continue;
    if (sawEof) throw new BadDataError(`openmetrics line ${lineNo}: data after # EOF`);
    if (line.startsWith('#')) {
      if (line === '# EOF') sawEof = true;
      continue;
    }
    try {
      const { labels, value, timestampMs } = parseSampleLine(line);
      const t = timestampMs ?? opts.defaultTimestampMs;
      if (t === undefined) throw new Error('sample has no timestamp');
      db.append(labels, t, value);
      seen.add(labels.key());
      samples++;
    } catch (err) {
      throw new BadDataError(`openmetrics line ${lineNo}: ${(err as Error).message}: ${JSON.stringify(line.slice(0, 120))}`, { cause: err });
    }
  }
  return { series: seen.size, samples };
}

function parseSampleLine(line: string): { labels: Labels; value: number; timestampMs: number | undefined } {
  let i = 0;
  if (!NAME_START.test(line[0] ?? '')) throw new Error('expected a metric name');
  while (i < line.length && NAME_CHAR.test(line[i])) i++;
  const pairs: [string, string][] = [['__name__', line.slice(0, i)]];
  if (line[i] === '{') {
    i++;
    while (true) {
      while (line[i] === ' ') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const nameStart = i;
      while (i < line.length && NAME_CHAR.test(line[i])) i++;
      if (i === nameStart) throw new Error('expected a label name');
      const name = line.slice(nameStart, i);
      if (line[i] !== '=' || line[i + 1] !== '"') throw new Error(`expected ="…" after label ${name}`);
      i += 2;
      let value = '';
      while (true) {
        const c = line[i];
        if (c === undefined) throw new Error('unterminated label value');
        if (c === '"') break;
        if (c === '\\') {
          const n = line[i + 1];
          value += n === 'n' ? '\n' : n === '"' ? '"' : n === '\\' ? '\\' : '\\' + (n ?? '');
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      i++; // closing quote
      pairs.push([name, value]);
      while (line[i] === ' ') i++;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') throw new Error('expected , or } in labels');
    }
  }
  if (line[i] !== ' ') throw new Error('expected a space before the value');
  const rest = line.slice(i + 1).split(' # ')[0].trim().split(/\s+/);
  if (rest.length < 1 || rest.length > 2 || rest[0] === '') throw new Error('expected value [timestamp]');
  const value = parseValue(rest[0]);
  let timestampMs: number | undefined;
  if (rest.length === 2) {
    const seconds = Number(rest[1]);
    if (!Number.isFinite(seconds)) throw new Error(`bad timestamp ${rest[1]}`);
    timestampMs = Math.round(seconds * 1000);
  }
  return { labels: Labels.from(pairs), value, timestampMs };
}

function parseValue(s: string): number {
  switch (s) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
  }
  const v = Number(s);
  if (Number.isNaN(v) || s.trim() === '') throw new Error(`bad value ${s}`);
  return v;
}
