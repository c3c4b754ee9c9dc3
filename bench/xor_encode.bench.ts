// xor_encode: samples/s encoding realistic scrape data into 120-sample XOR chunks, one core.
import { encodeXOR } from '../src/chunkenc/index.js';
import { measureRate, type BenchResult } from './measure.js';
import { scrapeSeries } from './scrape-data.js';

export const name = 'xor_encode';

export async function run(): Promise<BenchResult[]> {
  const series = scrapeSeries(1200);
  const samples = series.length * 120;
  const rate = measureRate(() => {
    for (let i = 0; i < series.length; i++) encodeXOR(series[i]!.timestamps, series[i]!.values);
  }, samples);
  return [{ name: 'xor_encode', value: Math.round(rate), unit: 'samples/s' }];
}
