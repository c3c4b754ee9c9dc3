/**
 * How `tools bucket ls` and `inspect` print blocks, following `thanos tools bucket ls -o wide` and
 * `thanos tools bucket inspect` (cmd/thanos/tools_bucket.go): durations as Go's time.Duration prints them
 * ("1h59m0.001s"), counts with thousands separators in the table. We differ in one place: times are RFC 3339
 * in UTC with milliseconds when they are not whole seconds (Thanos truncates to seconds, so a promtool block
 * ending at :00.001 would look like it ended a millisecond early).
 */
import { blockResolution, externalLabels, serializeMeta, type BlockMeta } from '../tsdb/index.js';
import type { ListedBlock } from './blocks.js';

/** Thanos's raw → 5m downsampling starts on blocks of 40 h, 5m → 1h on blocks of 10 days. */
const DOWNSAMPLE_5M_AFTER_MS = 40 * 3600_000;
const DOWNSAMPLE_1H_AFTER_MS = 10 * 24 * 3600_000;

/** Go's `time.Duration.String()` for a whole number of milliseconds. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  let u = Math.abs(ms);
  let s: string;
  if (u < 1000) s = `${u}ms`;
  else {
    const h = Math.floor(u / 3600_000);
    u -= h * 3600_000;
    const m = Math.floor(u / 60_000);
    u -= m * 60_000;
    const frac = u % 1000;
    const sec = `${Math.floor(u / 1000)}${frac ? '.' + String(frac).padStart(3, '0').replace(/0+$/, '') : ''}`;
    s = h > 0 ? `${h}h${m}m${sec}s` : m > 0 ? `${m}m${sec}s` : `${sec}s`;
  }
  return ms < 0 ? `-${s}` : s;
}

/** RFC 3339 UTC; milliseconds only when present. Timestamps beyond Date's range print as numbers. */
export function rfc3339(ms: number): string {
  if (Math.abs(ms) > 8.64e15) return String(ms);
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** `k=v,k2=v2`, keys sorted, as Thanos's inspect LABELS column. */
export function labelsText(meta: BlockMeta): string {
  const ls = externalLabels(meta);
  return Object.keys(ls)
    .sort()
    .map((k) => `${k}=${ls[k]}`)
    .join(',');
}

/** Thanos `compact.UntilNextDownsampling`: time until the block is big enough to downsample; "-" for 1h blocks. */
export function untilDownsampling(meta: BlockMeta): string {
  const range = meta.maxTime - meta.minTime;
  switch (blockResolution(meta)) {
    case 0:
      return goDuration(DOWNSAMPLE_5M_AFTER_MS - range);
    case 300_000:
      return goDuration(DOWNSAMPLE_1H_AFTER_MS - range);
    default:
      return '-';
  }
}

/** Blocks by time, then external labels, then ULID: the order a reader of the table wants. */
export function byTime(a: ListedBlock, b: ListedBlock): number {
  const x = a.meta;
  const y = b.meta;
  if (x.minTime !== y.minTime) return x.minTime - y.minTime;
  if (x.maxTime !== y.maxTime) return x.maxTime - y.maxTime;
  const la = labelsText(x);
  const lb = labelsText(y);
  if (la !== lb) return la < lb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** `ls -o wide`: Thanos's line plus external labels and the deletion mark. */
export function wideLine(b: ListedBlock): string {
  const m = b.meta;
  let s =
    `${b.id} -- ${rfc3339(m.minTime)} - ${rfc3339(m.maxTime)} Diff: ${goDuration(m.maxTime - m.minTime)}, ` +
    `Compaction: ${m.compaction.level}, Downsample: ${blockResolution(m)}, Source: ${m.thanos?.source ?? ''}, Labels: {${labelsText(m)}}`;
  if (b.deletionMark) s += `, marked for deletion at ${rfc3339(b.deletionMark.deletionTime * 1000)}`;
  return s;
}

/** `ls -o json`: one meta.json per line (compact), plus `deletion_mark` when the block has one. */
export function jsonLine(b: ListedBlock): string {
  const o = JSON.parse(serializeMeta(b.meta)) as Record<string, unknown>;
  if (b.deletionMark) {
    const d = b.deletionMark;
    o.deletion_mark = { id: d.id, version: d.version, deletion_time: d.deletionTime, ...(d.details !== undefined ? { details: d.details } : {}) };
  }
  return JSON.stringify(o);
}

export const INSPECT_COLUMNS = [
  'ULID',
  'FROM',
  'UNTIL',
  'RANGE',
  'UNTIL-DOWN',
  '#SERIES',
  '#SAMPLES',
  '#CHUNKS',
  'COMP-LEVEL',
  'COMP-FAILED',
  'LABELS',
  'RESOLUTION',
  'SOURCE',
] as const;

/** One inspect row; `plain` leaves numbers without separators (tsv). */
export function inspectRow(b: ListedBlock, plain: boolean): string[] {
  const m = b.meta;
  const n = (x: number): string => (plain ? String(x) : x.toLocaleString('en-US'));
  return [
    b.id,
    rfc3339(m.minTime),
    rfc3339(m.maxTime),
    goDuration(m.maxTime - m.minTime),
    untilDownsampling(m),
    n(m.stats.numSeries),
    n(m.stats.numSamples),
    n(m.stats.numChunks),
    String(m.compaction.level),
    String(m.compaction.failed ?? false),
    labelsText(m),
    goDuration(blockResolution(m)),
    m.thanos?.source ?? '',
  ];
}

/** `inspect --output=json`: the same facts as the table, with numbers as numbers. */
export function inspectJson(b: ListedBlock): Record<string, unknown> {
  const m = b.meta;
  const o: Record<string, unknown> = {
    ulid: b.id,
    minTime: m.minTime,
    maxTime: m.maxTime,
    from: rfc3339(m.minTime),
    until: rfc3339(m.maxTime),
    range: goDuration(m.maxTime - m.minTime),
    untilDownsampling: untilDownsampling(m),
    stats: m.stats,
    compactionLevel: m.compaction.level,
    compactionFailed: m.compaction.failed ?? false,
    labels: externalLabels(m),
    resolution: blockResolution(m),
    source: m.thanos?.source ?? '',
  };
  if (b.deletionMark) o.deletionTime = rfc3339(b.deletionMark.deletionTime * 1000);
  return o;
}

/** A bordered table as Thanos's tablewriter draws it: `| a | b |` with a rule under the header. */
export function renderTable(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n') + '\n';
}
