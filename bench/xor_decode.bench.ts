// xor_decode: samples/s decoding 120-sample XOR chunks of realistic scrape data into Float64Arrays, one core.
import { decodeXOR, encodeXOR } from '../src/chunkenc/index.js';
import { measureRate, type BenchResult } from './measure.js';
import { scrapeSeries } from './scrape-data.js';

export const name = 'xor_decode';

export async function run(): Promise<BenchResult[]> {
  const chunks = scrapeSeries(1200).map((s) => encodeXOR(s.timestamps, s.values));
  let samples = 0;
  let bytes = 0;
  for (const c of chunks) {
    samples += (c[0]! << 8) | c[1]!;
    bytes += c.length;
  }
  const ts = new Float64Array(120);
  const vs = new Float64Array(120);
  const rate = measureRate(() => {
    for (let i = 0; i < chunks.length; i++) decodeXOR(chunks[i]!, ts, vs, 0);
  }, samples);
  return [
    { name: 'xor_decode', value: Math.round(rate), unit: 'samples/s' },
    { name: 'xor_bytes_per_sample', value: bytes / samples, unit: 'bytes' },
  ];
}
