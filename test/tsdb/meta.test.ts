// meta.json: the Prometheus fields as promtool writes them, Thanos's section, and typed errors for bad files.
import t from 'tap';
import { blockResolution, externalLabels, parseMeta, serializeMeta } from '../../src/tsdb/meta.js';
import { StorageError } from '../../src/model/index.js';

// Byte for byte what promtool 2.42 `tsdb create-blocks-from openmetrics` wrote (tabs, no trailing newline).
const PROMTOOL_META = `{
\t"ulid": "01M7ZKMCPS732Q32YPM8EESEHW",
\t"minTime": 1704067200000,
\t"maxTime": 1704067230001,
\t"stats": {
\t\t"numSamples": 4,
\t\t"numSeries": 3,
\t\t"numChunks": 3
\t},
\t"compaction": {
\t\t"level": 1,
\t\t"sources": [
\t\t\t"01M7ZKMCPS732Q32YPM8EESEHW"
\t\t]
\t},
\t"version": 1
}`;

// A sidecar-uploaded block's meta as Thanos documents it (docs/components/store.md), with files and index stats.
const THANOS_META = JSON.stringify({
  ulid: '01DTE9R5B4TPJM2RS5CSKNE6HC',
  minTime: 1573776000000,
  maxTime: 1573783200000,
  stats: { numSamples: 1200, numSeries: 10, numChunks: 10 },
  compaction: { level: 1, sources: ['01DTE9R5B4TPJM2RS5CSKNE6HC'] },
  version: 1,
  thanos: {
    labels: { monitor: 'prometheus_one', replica: 'r0' },
    downsample: { resolution: 0 },
    source: 'sidecar',
    segment_files: ['000001'],
    files: [
      { rel_path: 'chunks/000001', size_bytes: 3751 },
      { rel_path: 'index', size_bytes: 1234, hash: { hashFunc: 'SHA256', value: 'ab' } },
      { rel_path: 'meta.json' },
    ],
    index_stats: { series_max_size: 200, chunk_max_size: 180 },
  },
});

t.test('a promtool meta.json parses and serialises back to the same bytes', async (t) => {
  const meta = parseMeta(new TextEncoder().encode(PROMTOOL_META));
  t.same(meta, {
    ulid: '01M7ZKMCPS732Q32YPM8EESEHW',
    minTime: 1704067200000,
    maxTime: 1704067230001,
    stats: { numSamples: 4, numSeries: 3, numChunks: 3 },
    compaction: { level: 1, sources: ['01M7ZKMCPS732Q32YPM8EESEHW'] },
    version: 1,
  });
  t.equal(meta.thanos, undefined);
  t.same(externalLabels(meta), {}, 'no thanos section: no external labels');
  t.equal(blockResolution(meta), 0, 'no thanos section: raw');
  t.equal(serializeMeta(meta), PROMTOOL_META);
});

t.test('the thanos section: labels, resolution, source, files, index stats', async (t) => {
  const meta = parseMeta(THANOS_META);
  t.same(externalLabels(meta), { monitor: 'prometheus_one', replica: 'r0' });
  t.equal(blockResolution(meta), 0);
  t.equal(meta.thanos?.source, 'sidecar');
  t.equal(meta.thanos?.version, 1, 'absent version reads as 1, as Thanos does');
  t.same(meta.thanos?.files?.[0], { rel_path: 'chunks/000001', size_bytes: 3751 });
  t.same(meta.thanos?.files?.[1]?.hash, { hashFunc: 'SHA256', value: 'ab' });
  t.same(meta.thanos?.index_stats, { series_max_size: 200, chunk_max_size: 180 });
  const again = parseMeta(serializeMeta(meta));
  t.same(again, meta, 'round trip keeps every field');
  t.match(serializeMeta(meta), /\n\t"version": 1,\n\t"thanos": \{\n\t\t"version": 1,\n\t\t"labels": \{\n\t\t\t"monitor"/);
});

t.test('a downsampled block reports its resolution', async (t) => {
  const m = JSON.parse(THANOS_META);
  m.thanos.downsample.resolution = 300000;
  t.equal(blockResolution(parseMeta(JSON.stringify(m))), 300000);
});

t.test('serialisation escapes as Go does and sorts label keys', async (t) => {
  const meta = parseMeta(THANOS_META);
  meta.thanos!.labels = { z: 'a<b>&c', a: '\u2028' };
  const s = serializeMeta(meta);
  t.match(s, '"a": "\\u2028",\n\t\t\t"z": "a\\u003cb\\u003e\\u0026c"');
  t.same(parseMeta(s).thanos?.labels, { a: '\u2028', z: 'a<b>&c' });
});

t.test('absent optional fields take Go zero values', async (t) => {
  const meta = parseMeta('{"ulid":"01M7ZKMCPS732Q32YPM8EESEHW","minTime":0,"maxTime":1,"version":1,"thanos":{}}');
  t.same(meta.stats, { numSamples: 0, numSeries: 0, numChunks: 0 });
  t.same(meta.compaction, { level: 0, sources: [] });
  t.same(meta.thanos, { version: 1, labels: {}, downsample: { resolution: 0 }, source: '' });
});

t.test('invalid meta.json gives a StorageError naming the field', async (t) => {
  const base = JSON.parse(THANOS_META);
  const cases: [string, (m: any) => unknown, RegExp][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    ['bad ulid', (m) => (m.ulid = '01M7ZKMCPS732Q32YPM8EESEHU'), /ulid: .* is not a ULID/],
    ['lowercase ulid', (m) => (m.ulid = m.ulid.toLowerCase()), /ulid/],
    ['ulid past 48-bit time', (m) => (m.ulid = '8' + m.ulid.slice(1)), /ulid/],
    ['missing minTime', (m) => delete m.minTime, /minTime: missing/],
    ['string maxTime', (m) => (m.maxTime = '5'), /maxTime: "5" is not an integer/],
    ['fractional minTime', (m) => (m.minTime = 1.5), /minTime: 1.5 is not an integer/],
    ['maxTime before minTime', (m) => (m.maxTime = m.minTime - 1), /maxTime: .* is before minTime/],
    ['version 2', (m) => (m.version = 2), /version: 2, want 1/],
    ['missing version', (m) => delete m.version, /version: undefined, want 1/],
    ['negative numSeries', (m) => (m.stats.numSeries = -1), /stats.numSeries: -1 is negative/],
    ['stats an array', (m) => (m.stats = []), /stats: \[\] is not an object/],
    ['bad source ulid', (m) => (m.compaction.sources = ['x']), /compaction.sources\[0\]/],
    ['bad parent', (m) => (m.compaction.parents = [{ ulid: 5 }]), /compaction.parents\[0\].ulid/],
    ['thanos version 2', (m) => (m.thanos.version = 2), /thanos.version: 2, want 1/],
    ['numeric label value', (m) => (m.thanos.labels.x = 1), /thanos.labels.x: 1 is not a string/],
    ['labels an array', (m) => (m.thanos.labels = ['a']), /thanos.labels/],
    ['string resolution', (m) => (m.thanos.downsample.resolution = '5m'), /thanos.downsample.resolution/],
    ['file without path', (m) => (m.thanos.files = [{ size_bytes: 1 }]), /thanos.files\[0\].rel_path/],
    ['thanos a string', (m) => (m.thanos = 'x'), /thanos: "x" is not an object/],
  ];
  for (const [name, mutate, want] of cases) {
    const m = structuredClone(base);
    mutate(m);
    t.throws(() => parseMeta(JSON.stringify(m)), { name: 'StorageError', message: want }, name);
  }
  for (const text of ['', '{', 'null', '[]', '"x"', '\u0000']) {
    t.throws(() => parseMeta(text), StorageError, `not a meta object: ${JSON.stringify(text)}`);
  }
});
