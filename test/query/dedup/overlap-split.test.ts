import t from 'tap';
import { overlapSplit } from '../../../src/query/dedup/index.js';
import type { StoreChunk } from '../../../src/query/merge/index.js';

const c = (minTime: number, maxTime: number): StoreChunk => ({ minTime, maxTime, data: new Uint8Array([minTime & 255]) });
const show = (rs: StoreChunk[][]) => rs.map((r) => r.map((x) => `${x.minTime}-${x.maxTime}`).join(' '));

t.test('overlap split puts overlapping chunks into separate pseudo-replicas, the rest into the first that fits', async (t) => {
  const cases: { name: string; chunks: StoreChunk[]; want: string[] }[] = [
    {
      name: 'non-overlapping chunks all go to the first',
      chunks: [c(0, 10), c(11, 20), c(21, 30)],
      want: ['0-10 11-20 21-30'],
    },
    {
      // 0-100 → R0. 50-150 overlaps R0 → R1. 101-200 fits R0 (100 < 101). 120-300 overlaps R0 (200) and
      // R1 (150) → R2. 201-250 fits R0 (200 < 201). 301-400 fits R0 (250 < 301): first fit wins over R1/R2.
      name: 'two replicas interleaved, first fit',
      chunks: [c(0, 100), c(50, 150), c(101, 200), c(120, 300), c(201, 250), c(301, 400)],
      want: ['0-100 101-200 201-250 301-400', '50-150', '120-300'],
    },
    {
      // maxTime == minTime shares a sample timestamp: that is an overlap (strict <).
      name: 'touching chunks overlap',
      chunks: [c(0, 100), c(100, 200)],
      want: ['0-100', '100-200'],
    },
    {
      name: 'identical ranges from three replicas',
      chunks: [c(0, 100), c(0, 100), c(0, 100), c(101, 200)],
      want: ['0-100 101-200', '0-100', '0-100'],
    },
    { name: 'no chunks', chunks: [], want: [] },
  ];
  for (const k of cases) t.same(show(overlapSplit(k.chunks)), k.want, k.name);
});
