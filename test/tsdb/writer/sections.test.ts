// Byte-level checks of the index pieces. Expected bytes are either copied from the index promtool 2.42 wrote
// for three series (a{x="1"} at 00:00:00 and 00:00:15, a{x="2",y="é"} at 00:00:00, b at 00:00:30 on
// 2024-01-01; `xxd` of that file) or worked out by hand, with the working in the comment.
import t from 'tap';
import { crc32c } from '@node-rs/crc32';
import { Encbuf, uvarintSize } from '../../../src/tsdb/writer/encbuf.js';
import {
  OffsetTableEncoder,
  encodeHeader,
  encodeLabelIndex,
  encodePostingsList,
  encodeSeriesEntry,
  encodeSymbolTable,
  encodeToc,
  type ChunkMetas,
} from '../../../src/tsdb/writer/index-sections.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const utf8 = (s: string) => new TextEncoder().encode(s);
const bytesOf = (f: (e: Encbuf) => void) => {
  const e = new Encbuf(8); // small on purpose: growth is exercised too
  f(e);
  return Buffer.from(e.get());
};
function metas(rows: [number, number, number][]): ChunkMetas {
  return {
    count: rows.length,
    mint: Float64Array.from(rows.map((r) => r[0])),
    maxt: Float64Array.from(rows.map((r) => r[1])),
    ref: Float64Array.from(rows.map((r) => r[2])),
  };
}

t.test('header and symbol table as promtool wrote them', async (t) => {
  t.same(bytesOf(encodeHeader), hex('baaad700 02'));
  const symbols = ['', '1', '2', '__name__', 'a', 'b', 'x', 'y', 'é'].map(utf8);
  t.same(
    bytesOf((e) => encodeSymbolTable(e, symbols)),
    hex('0000001d 00000009 00 0131 0132 085f5f6e616d655f5f 0161 0162 0178 0179 02c3a9 c5aa206e'),
    'len 29 (count + entries), 9 symbols incl. "", CRC over count and entries',
  );
});

t.test('series entries', async (t) => {
  const scratch = new Encbuf(4);
  // a{x="1"}: refs __name__=3, a=4, x=6, "1"=1; one chunk [1704067200000, 1704067215000] at ref 8.
  t.same(
    bytesOf((e) => encodeSeriesEntry(e, scratch, Uint32Array.of(3, 4, 6, 1), 0, 4, metas([[1704067200000, 1704067215000, 8]]))),
    hex('0f 02 03 04 06 01 01 80d08fa59863 9875 08 a7eb973e'),
    'promtool: mint as zig-zag varint, maxt − mint = 15000 as uvarint, ref 8',
  );
  // b: refs 3, 5; one chunk of one sample at ref 58.
  t.same(
    bytesOf((e) => encodeSeriesEntry(e, scratch, Uint32Array.of(9, 9, 3, 5, 9, 9), 2, 4, metas([[1704067230000, 1704067230000, 58]]))),
    hex('0c 01 03 05 01 e0a493a59863 00 3a 6bd69b14'),
    'promtool: a pair range inside a larger array',
  );
  // By hand: chunks [1000, 2000]@8, [3000, 3500]@30, [3600, 3600]@(1<<32 | 8) (next segment).
  //   #labels 1, (1, 2); #chunks 3
  //   c0: varint 1000 → zig-zag 2000 = 0x7d0 → d0 0f; maxt − mint 1000 → e8 07; ref 8 → 08
  //   c1: mint − prev maxt 1000 → e8 07; span 500 → f4 03; ref delta 22 → zig-zag 44 → 2c
  //   c2: gap 100 → 64; span 0 → 00; ref delta 4294967304 − 30 = 4294967274 → zig-zag 8589934548 = 0x1_FFFF_FFD4
  //       → d4 ff ff ff 1f
  const body = hex('01 01 02 03 d00f e807 08 e807 f403 2c 64 00 d4ffffff1f');
  const want = Buffer.concat([Buffer.of(body.length), body, Buffer.alloc(4)]);
  want.writeUInt32BE(crc32c(body) >>> 0, want.length - 4);
  t.same(
    bytesOf((e) => encodeSeriesEntry(e, scratch, Uint32Array.of(1, 2), 0, 2, metas([[1000, 2000, 8], [3000, 3500, 30], [3600, 3600, 4294967304]]))),
    want,
    'deltas between chunks, a ref into the next segment',
  );
  // Negative mint (before 1970): −5 → zig-zag 9; body 01 01 02 01 09 0a 08 is 7 bytes.
  const neg = bytesOf((e) => encodeSeriesEntry(e, scratch, Uint32Array.of(1, 2), 0, 2, metas([[-5, 5, 8]])));
  t.same(neg.subarray(0, 8), hex('07 01 01 02 01 09 0a 08'), 'negative mint');
});

t.test('postings lists and label indices as promtool wrote them', async (t) => {
  t.same(bytesOf((e) => encodePostingsList(e, Uint32Array.of(3, 5, 7), 0, 3)), hex('00000010 00000003 00000003 00000005 00000007 06376b9b'), 'all postings');
  t.same(bytesOf((e) => encodePostingsList(e, Uint32Array.of(1, 3, 5, 7), 1, 3)), hex('0000000c 00000002 00000003 00000005 bb33cbd4'), '__name__="a"');
  t.same(bytesOf((e) => encodeLabelIndex(e, [4, 5])), hex('00000010 00000001 00000002 00000004 00000005 4a87d242'), 'label index of __name__');
  t.same(bytesOf((e) => encodeLabelIndex(e, Uint32Array.of(8))), hex('0000000c 00000001 00000001 00000008 6d965476'), 'label index of y');
});

t.test('offset tables and TOC as promtool wrote them', async (t) => {
  t.same(
    bytesOf((e) => {
      const lt = new OffsetTableEncoder(e);
      lt.add([utf8('__name__')], 0x84);
      lt.add([utf8('x')], 0x9c);
      lt.add([utf8('y')], 0xb4);
      lt.finish();
    }),
    hex('0000001a 00000003 01 08 5f5f6e616d655f5f 8401 01 01 78 9c01 01 01 79 b401 5f799143'),
    'label offset table',
  );
  const e0 = new Uint8Array(0);
  t.same(
    bytesOf((e) => {
      const pt = new OffsetTableEncoder(e);
      pt.add([e0, e0], 0xc8);
      pt.add([utf8('__name__'), utf8('a')], 0xe0);
      pt.add([utf8('__name__'), utf8('b')], 0xf4);
      pt.add([utf8('x'), utf8('1')], 0x104);
      pt.add([utf8('x'), utf8('2')], 0x114);
      pt.add([utf8('y'), utf8('é')], 0x124);
      pt.finish();
    }),
    hex(
      '0000003b 00000006 02 00 00 c801 02 08 5f5f6e616d655f5f 01 61 e001 02 08 5f5f6e616d655f5f 01 62 f401' +
        '02 01 78 01 31 8402 02 01 78 01 32 9402 02 01 79 02 c3a9 a402 cc95ced5',
    ),
    'postings offset table, all-postings key first',
  );
  t.same(
    bytesOf((e) => encodeToc(e, { symbols: 5, series: 0x2a, labelIndices: 0x81, labelIndicesTable: 0x134, postings: 0xc8, postingsTable: 0x156 })),
    hex('0000000000000005 000000000000002a 0000000000000081 0000000000000134 00000000000000c8 0000000000000156 e92d85ab'),
    'TOC: unpadded section starts, CRC over the 48 bytes',
  );
});

t.test('Encbuf integer encodings', async (t) => {
  const cases: [string, (e: Encbuf) => void, string][] = [
    ['uvarint 0', (e) => e.putUvarint(0), '00'],
    ['uvarint 127', (e) => e.putUvarint(127), '7f'],
    ['uvarint 128', (e) => e.putUvarint(128), '8001'],
    ['uvarint 2^31 (slow path)', (e) => e.putUvarint(2 ** 31), '8080808008'],
    ['uvarint 2^53 − 1', (e) => e.putUvarint(2 ** 53 - 1), 'ffffffffffffff0f'],
    ['varint −1', (e) => e.putVarint(-1), '01'],
    ['varint 1', (e) => e.putVarint(1), '02'],
    ['varint −64', (e) => e.putVarint(-64), '7f'],
    ['varint 64', (e) => e.putVarint(64), '8001'],
    // −2^53 → zig-zag 2^54 − 1: 54 one-bits = seven full 7-bit groups and 5 bits (1f).
    ['varint −2^53 (BigInt path)', (e) => e.putVarint(-(2 ** 53)), 'ffffffffffffff1f'],
    // −2^52 − 1 → zig-zag 2^53 + 1: bit 0 (81), six empty groups (80), bit 53 = bit 4 of group 7 (10).
    ['varint −2^52 − 1', (e) => e.putVarint(-(2 ** 52) - 1), '8180808080808010'],
    ['BE64', (e) => e.putBE64(2 ** 40 + 5), '0000010000000005'],
    ['BE32', (e) => e.putBE32(0xbaaad700), 'baaad700'],
  ];
  for (const [name, f, want] of cases) t.equal(bytesOf(f).toString('hex'), want, name);
  t.same([0, 127, 128, 16383, 16384, 2 ** 32, 2 ** 53].map(uvarintSize), [1, 1, 2, 2, 3, 5, 8], 'uvarintSize');
});
