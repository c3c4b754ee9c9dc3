// parseSymbolTable: each symbol's UTF-8 bytes agree with its string, also when the table holds invalid UTF-8.
import t from 'tap';
import { crc32c } from '@node-rs/crc32';
import { parseSymbolTable } from '../../src/tsdb/index-format.js';

/** A symbol table section: len | #symbols | (uvarint len, bytes)… | CRC32C. */
function table(symbols: Uint8Array[]): Uint8Array {
  const body: number[] = [0, 0, 0, symbols.length];
  for (const s of symbols) {
    let n = s.length;
    while (n > 0x7f) (body.push((n & 0x7f) | 0x80), (n >>>= 7));
    body.push(n, ...s);
  }
  const out = Buffer.alloc(4 + body.length + 4);
  out.writeUInt32BE(body.length, 0);
  out.set(body, 4);
  out.writeUInt32BE(crc32c(Buffer.from(body)) >>> 0, 4 + body.length);
  return out;
}

t.test('spans point at each symbol bytes; invalid UTF-8 gets the bytes of its decoded string', async (t) => {
  const symbols = [
    Buffer.from(''),
    Buffer.from('__name__'),
    Buffer.from('naïve ✓ 😀'),
    Buffer.from('x'.repeat(200)), // a 2-byte length
    Buffer.from([0x61, 0xff, 0x62]), // invalid byte
    Buffer.from([0xf0, 0x9f, 0x98]), // a cut 4-byte sequence: as long as its U+FFFD, different bytes
    Buffer.from('after'),
  ];
  const b = table(symbols);
  const { strings, data, spans } = parseSymbolTable(b, 'test');
  t.equal(strings.length, symbols.length);
  for (let i = 0; i < symbols.length; i++) {
    const bytes = Buffer.from(data.subarray(spans[2 * i]!, spans[2 * i + 1]!));
    t.equal(bytes.toString('hex'), Buffer.from(strings[i]!).toString('hex'), `symbol ${i}: bytes are the string's UTF-8`);
  }
  t.equal(strings[4], 'a\ufffdb');
  t.equal(strings[5], '\ufffd');
  t.ok(spans[2 * 2]! < b.length && spans[2 * 4]! >= b.length, 'valid symbols are the table bytes, fixed ones appended');
  const valid = table([Buffer.from('a'), Buffer.from('ü')]);
  t.equal(parseSymbolTable(valid, 'test').data, valid, 'a valid table: its own bytes, no copy');
});
