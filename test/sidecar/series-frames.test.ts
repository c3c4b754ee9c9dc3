// SeriesFrames (Series frames written straight from remote-read frames) against the decoding path it
// replaces for the streaming case — decodeChunkedFrame, extendLabels, SeriesWriter, encodeSeriesResponse —
// byte for byte, on random answers: label sets with and without the external labels, with their own values
// for them, unsorted or with empty values (which take the decoding path), series split over frames, out of
// order, every batch size and limit.
import t from 'tap';
import xxhash from 'xxhash-wasm';
import { Labels } from '../../src/model/index.js';
import { decodeChunkedFrame } from '../../src/sidecar/index.js';
import { SeriesFrames } from '../../src/sidecar/series-frames.js';
import { SeriesWriter } from '../../src/sidecar/series-writer.js';
import { encodeSeriesResponse } from '../../src/storeapi/series-encoder.js';
import { decodeSeriesResponse } from '../../src/storeapi/series-decoder.js';
import {
  encodeChunkedReadResponse,
  extendLabels,
  PromChunkEncoding,
  ThanosChunkEncoding,
  type ChunkedSeries,
  type ProtoAggrChunk,
  type SeriesFrame,
} from '../../src/storeapi/index.js';
import { mulberry32 } from '../chunkenc/fixtures/prng.js';

const { h64Raw } = await xxhash();
const EXT = Labels.from([
  ['cluster', 'c1'],
  ['replica', 'r0'],
]);

/** Deterministic, so a failure can be replayed from its seed. */
const rng = mulberry32;

const bytesOf = (f: SeriesFrame): Buffer => (f instanceof Uint8Array ? Buffer.from(f) : encodeSeriesResponse(f));

function randomSeries(r: () => number): ChunkedSeries {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const labels: Record<string, string> = { __name__: pick(['up', 'x', 'rate_é']) };
  if (r() < 0.8) labels.instance = pick(['a', 'b', 'c', 'd', 'é1', '']);
  if (r() < 0.3) labels.app = pick(['p', 'q']);
  if (r() < 0.5) labels.job = pick(['j1', 'j2', 'c1']);
  if (r() < 0.3) labels.zone = pick(['z1', 'z2']);
  if (r() < 0.03) labels[''] = 'nameless';
  // Prometheus adds its external labels; sometimes a series keeps its own value, or one is missing.
  const ext = r();
  if (ext < 0.8) Object.assign(labels, { cluster: 'c1', replica: 'r0' });
  else if (ext < 0.9) Object.assign(labels, { cluster: pick(['a', 'own', 'c1']), replica: 'r0' });
  else if (ext < 0.95) labels.replica = 'r0';
  let entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (r() < 0.05) entries = r() < 0.5 ? entries.reverse() : [entries[1], entries[0], ...entries.slice(2)]; // unsorted on the wire
  const n = Math.floor(r() * 4);
  return {
    labels: entries.map(([name, value]) => ({ name, value })),
    chunks: Array.from({ length: n }, (_, i) => ({
      min_time_ms: String(i * 1000 - (r() < 0.1 ? 5000 : 0)),
      max_time_ms: String(i * 1000 + 999),
      type: PromChunkEncoding.XOR,
      data: Buffer.from(Array.from({ length: Math.floor(r() * 90) }, () => Math.floor(r() * 256))),
    })),
  };
}

// A hand encoder of ChunkedReadResponse, so answers can also be encoded the unusual ways protobuf allows
// (which must take the decoding path): an empty value written out, value before name, unknown fields, a
// label after the chunks.
function varint(v: bigint | number): number[] {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}
const field = (tag: number, bytes: number[]): number[] => [tag, ...varint(bytes.length), ...bytes];
const utf8 = (x: string): number[] => [...Buffer.from(x)];

function encodeSeries(s: ChunkedSeries, r: () => number): number[] {
  const odd = (): boolean => r() < 0.03;
  const labels = s.labels.map((l) => {
    const name = l.name === '' ? (odd() ? [0x0a, 0x00] : []) : field(0x0a, utf8(l.name));
    const value = l.value === '' ? (odd() ? [0x12, 0x00] : []) : field(0x12, utf8(l.value));
    const unknown = odd() ? [0x18, 0x01] : [];
    return field(0x0a, odd() ? [...value, ...name, ...unknown] : [...name, ...value, ...unknown]);
  });
  const chunks = s.chunks.map((c) =>
    field(0x12, [0x08, ...varint(BigInt(c.min_time_ms)), 0x10, ...varint(BigInt(c.max_time_ms)), 0x18, ...varint(c.type as number), ...field(0x22, [...c.data])]),
  );
  const late = labels.length > 1 && odd() ? labels.splice(labels.length - 1, 1) : [];
  return [...labels.flat(), ...chunks.flat(), ...(odd() ? [0x28, 0x07] : []), ...late.flat()];
}

/** Frames of a random answer: mostly sorted series, some repeated (a series split over frames), some out of place. */
function randomAnswer(r: () => number): Uint8Array[] {
  const all = Array.from({ length: Math.floor(r() * 40) }, () => randomSeries(r));
  const key = (s: ChunkedSeries): string => JSON.stringify([...s.labels].sort((a, b) => (a.name < b.name ? -1 : 1)));
  if (r() < 0.8) all.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const series: ChunkedSeries[] = [];
  for (const s of all) {
    series.push(s);
    if (r() < 0.15) series.push({ labels: s.labels, chunks: randomSeries(r).chunks }); // continued in the next frame
  }
  const frames: Uint8Array[] = [];
  for (let i = 0; i < series.length; ) {
    const n = 1 + Math.floor(r() * 3);
    const bytes = series.slice(i, i + n).flatMap((x) => field(0x0a, encodeSeries(x, r)));
    if (r() < 0.3) bytes.push(0x10, 0x00); // query_index 0 written out
    frames.push(Buffer.from(bytes));
    i += n;
  }
  return frames;
}

async function viaWriter(frames: Uint8Array[], batchSize: number, limit: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  const w = new SeriesWriter(async (f) => void out.push(bytesOf(f)), { resort: false, batchSize, limit });
  for (const f of frames) {
    for (const s of decodeChunkedFrame(f).series) {
      const chunks: ProtoAggrChunk[] = s.chunks.map((c) => ({ min_time: c.minTime, max_time: c.maxTime, raw: { type: ThanosChunkEncoding.XOR, data: c.data, hash: h64Raw(c.data) } }));
      await w.push(extendLabels(s.labels, EXT), chunks);
      if (w.full) break;
    }
    if (w.full) break;
  }
  await w.end();
  return out;
}

function viaFrames(frames: Uint8Array[], batchSize: number, limit: number): Buffer[] {
  // An answer given up half-way (a series begun, a batch not framed) hands its writer and tables to the
  // next one (release()): what follows must not show any of it.
  const abandoned = new SeriesFrames(EXT, { batchSize: 64, limit: 0 });
  if (frames.length > 0) abandoned.addFrame(frames[frames.length - 1]);
  abandoned.release();
  const out: Buffer[] = [];
  const w = new SeriesFrames(EXT, { batchSize, limit });
  for (const f of frames) {
    w.addFrame(f);
    for (const x of w.take()) out.push(bytesOf(x));
    if (w.full) break;
  }
  w.end();
  for (const x of w.take()) out.push(bytesOf(x));
  w.release();
  return out;
}

t.test('byte-identical to decode + SeriesWriter on random answers, every batch size and limit', async (t) => {
  let cases = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const frames = randomAnswer(rng(seed));
    for (const batchSize of [0, 1, 2, 64]) {
      for (const limit of [0, 1, 3]) {
        const want = await viaWriter(frames, batchSize, limit);
        const got = viaFrames(frames, batchSize, limit);
        if (got.length !== want.length || got.some((g, i) => !g.equals(want[i]))) {
          t.fail(`seed ${seed}, batch ${batchSize}, limit ${limit}: ${got.length} frames, want ${want.length}`);
          t.same(got.map((g) => g.toString('hex')), want.map((w) => w.toString('hex')));
          return;
        }
        cases++;
      }
    }
  }
  t.equal(cases, 300 * 12);
});

t.test('external labels: kept as Prometheus sent them, own values replaced, missing ones added', async (t) => {
  const L = (...xs: string[]) => xs.map((x) => ({ name: x.split('=')[0], value: x.split('=')[1] }));
  const frame = encodeChunkedReadResponse({
    chunked_series: [
      { labels: L('__name__=up', 'cluster=c1', 'job=a', 'replica=r0'), chunks: [] },
      { labels: L('__name__=up', 'cluster=own', 'job=b'), chunks: [] },
    ],
    query_index: '0',
  });
  const w = new SeriesFrames(EXT, { batchSize: 64, limit: 0 });
  w.addFrame(frame);
  w.end();
  const frames = w.take().map((f) => decodeSeriesResponse(f as Uint8Array));
  t.equal(frames.length, 1);
  const f = frames[0];
  t.equal(f.result, 'batch');
  if (f.result !== 'batch') return;
  t.same(
    f.batch.series.map((s) => s.labels.map((l) => `${l.name}=${l.value}`).join(',')),
    ['__name__=up,cluster=c1,job=a,replica=r0', '__name__=up,cluster=c1,job=b,replica=r0'],
  );
});

t.test('a frame for another query and a histogram chunk are errors', async (t) => {
  const w = new SeriesFrames(EXT, { batchSize: 64, limit: 0 });
  t.throws(() => w.addFrame(encodeChunkedReadResponse({ chunked_series: [], query_index: '1' })), { name: 'StorageError', message: /frame for query 1/ });
  const h = encodeChunkedReadResponse({
    chunked_series: [{ labels: [{ name: '__name__', value: 'h' }, { name: 'cluster', value: 'c1' }, { name: 'replica', value: 'r0' }], chunks: [{ min_time_ms: '0', max_time_ms: '1', type: PromChunkEncoding.HISTOGRAM, data: Buffer.from('x') }] }],
    query_index: '0',
  });
  t.throws(() => new SeriesFrames(EXT, { batchSize: 64, limit: 0 }).addFrame(h), {
    name: 'NotSupportedError',
    message: 'series h{cluster="c1", replica="r0"}: native histogram chunks (remote-read encoding HISTOGRAM) are not supported by the promfed sidecar',
  });
});

t.test('series whose order relied on a label-set prefix land out of order once external labels are in: a warning says so', async (t) => {
  // Prometheus sorts by the TSDB labels, {instance="x"} < {instance="x", job="j"}, then merges in replica="r0":
  // {…, instance="x", job="j", replica="r0"} sorts before {…, instance="x", replica="r0"}.
  const L = (...xs: string[]) => xs.map((x) => ({ name: x.split('=')[0], value: x.split('=')[1] }));
  const frame = encodeChunkedReadResponse({
    chunked_series: [
      { labels: L('__name__=up', 'cluster=c1', 'instance=x', 'replica=r0'), chunks: [] },
      { labels: L('__name__=up', 'cluster=c1', 'instance=x', 'job=j', 'replica=r0'), chunks: [] },
    ],
    query_index: '0',
  });
  const w = new SeriesFrames(EXT, { batchSize: 64, limit: 0 });
  w.addFrame(frame);
  w.end();
  const frames = w.take().map((f) => (f instanceof Uint8Array ? decodeSeriesResponse(f) : f));
  t.same(frames.map((f) => (f as { result?: string }).result ?? 'warning'), ['batch', 'warning']);
  t.match((frames[1] as { warning: string }).warning, /1 series arrived out of label order/);
});
