/**
 * The SAMPLES fallback: a remote-read `ReadResponse` (series with plain samples) re-encoded into XOR chunks
 * of at most 120 samples, so the rest of the sidecar sees one shape (RemoteSeries) whatever Prometheus
 * answered. Thanos does the same for Prometheus older than 2.13, which cannot stream chunks.
 *
 * Prometheus does not sort a SAMPLES answer (it selects unsorted), so the series are sorted here by their
 * labels, as a streamed answer would be.
 */
import { encodeChunks, SAMPLES_PER_CHUNK } from '../chunkenc/index.js';
import { Labels, StorageError } from '../model/index.js';
import { labelsFromProto, PromChunkEncoding, type TimeSeries } from '../storeapi/index.js';
import type { RemoteSeries } from './chunked-decoder.js';

export function remoteSeriesFromSamples(series: readonly TimeSeries[], samplesPerChunk = SAMPLES_PER_CHUNK): RemoteSeries[] {
  const keyed = series.map((s) => ({ labels: labelsFromProto(s.labels), s }));
  keyed.sort((a, b) => Labels.compare(a.labels, b.labels));
  const out: RemoteSeries[] = new Array(keyed.length);
  for (let i = 0; i < keyed.length; i++) {
    const { labels, s } = keyed[i];
    const n = s.samples.length;
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const t = Number(s.samples[j].timestamp);
      // XOR chunks store increasing timestamps; a series out of order would encode garbage silently.
      if (j > 0 && t <= ts[j - 1]) {
        throw new StorageError(`remote read SAMPLES: series ${labels.toString()} has timestamp ${t} after ${ts[j - 1]} (not increasing)`);
      }
      ts[j] = t;
      vs[j] = s.samples[j].value;
    }
    out[i] = {
      labels,
      chunks: encodeChunks(ts, vs, 0, n, samplesPerChunk).map((c) => ({ minTime: c.minTime, maxTime: c.maxTime, type: PromChunkEncoding.XOR, data: c.data })),
    };
  }
  return out;
}
