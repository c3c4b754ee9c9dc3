/**
 * The `snappy` grpc-encoding (framed snappy, as Thanos's compressor sends it): streams written by a real
 * implementation (python-snappy's StreamCompressor with Google's C snappy, fixtures/snappy-frames/make.py), edge
 * cases built by hand, and a compressed request read by our gRPC server from node:http2.
 */
import { crc32c } from '@node-rs/crc32';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import snappy from 'snappyjs';
import t from 'tap';
import { Code } from '../../src/storeapi/grpc/codes.js';
import { GrpcServer } from '../../src/storeapi/grpc/server.js';
import { SnappyFrameError, uncompressSnappyFrames } from '../../src/storeapi/grpc/snappy-frames.js';
import { frameMessage } from '../../src/storeapi/grpc/wire.js';
import { mulberry32 } from '../chunkenc/fixtures/prng.js';
import { nodeHttp2Call } from '../helpers/node-http2-call.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/snappy-frames/${name}.sz`, import.meta.url));

/** The inputs make.py compressed, rebuilt the same way. */
function lcg(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = Number((BigInt(x) * 1103515245n + 12345n) & 0x7fffffffn);
    out[i] = (x >> 16) & 0xff;
  }
  return out;
}
function pattern(n: number): Buffer {
  let s = '';
  for (let i = 0; s.length < n; i++) s += `{__name__="up",instance="host-${String(i).padStart(5, '0')}:9100",job="node"}`;
  return Buffer.from(s.slice(0, n), 'latin1');
}
const INPUTS: Record<string, Buffer> = {
  small: Buffer.from('hello snappy '.repeat(3)),
  pattern: pattern(150_000),
  random: lcg(66_000, 42),
};

/** A chunk: type, 3-byte little-endian length, data. */
function chunk(type: number, data: Uint8Array): Buffer {
  const h = Buffer.from([type, data.length & 0xff, (data.length >> 8) & 0xff, data.length >> 16]);
  return Buffer.concat([h, data]);
}
const ID = chunk(0xff, Buffer.from('sNaPpY'));
function masked(data: Uint8Array): Buffer {
  const c = crc32c(Buffer.from(data)) >>> 0;
  const b = Buffer.alloc(4);
  b.writeUInt32LE(((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0);
  return b;
}
const compressedChunk = (data: Uint8Array): Buffer => chunk(0x00, Buffer.concat([masked(data), snappy.compress(data)]));
const plainChunk = (data: Uint8Array): Buffer => chunk(0x01, Buffer.concat([masked(data), data]));

t.test('streams written by python-snappy decode to their inputs', async (t) => {
  for (const [name, input] of Object.entries(INPUTS)) {
    const stream = fixture(name);
    const types = new Set<number>();
    for (let at = 0; at < stream.length; at += 4 + (stream[at + 1] | (stream[at + 2] << 8) | (stream[at + 3] << 16))) types.add(stream[at]);
    t.ok(types.has(0xff), `${name}: has the stream identifier`);
    t.ok(uncompressSnappyFrames(stream, 1 << 20).equals(input), `${name}: ${input.length} bytes back from ${stream.length}, chunk types ${[...types].join(',')}`);
  }
  t.ok(fixture('pattern').length < 20_000 && fixture('random').length > 66_000, 'the fixtures hold compressed and uncompressed chunks both');
});

t.test('hand-built streams: concatenated streams, padding and skippable chunks, empty data', async (t) => {
  const a = Buffer.from('first part ');
  const b = Buffer.from('second part');
  t.equal(uncompressSnappyFrames(Buffer.concat([ID, compressedChunk(a), chunk(0xfe, Buffer.alloc(7)), chunk(0x80, Buffer.from('x')), ID, plainChunk(b)]), 100).toString(), 'first part second part');
  t.equal(uncompressSnappyFrames(ID, 100).length, 0, 'identifier only: an empty message');
  t.equal(uncompressSnappyFrames(Buffer.concat([ID, plainChunk(Buffer.alloc(0))]), 100).length, 0, 'an empty data chunk');
});

t.test('malformed streams are SnappyFrameErrors that say what', async (t) => {
  const data = Buffer.from('some data to frame');
  const good = Buffer.concat([ID, compressedChunk(data)]);
  const cases: [string, Buffer, RegExp][] = [
    ['no identifier first', compressedChunk(data), /does not start with the stream identifier/],
    ['empty input', Buffer.alloc(0), /empty stream/],
    ['bad identifier', Buffer.concat([chunk(0xff, Buffer.from('SNAPPY')), plainChunk(data)]), /bad stream identifier/],
    ['checksum', Buffer.concat([ID, chunk(0x00, Buffer.concat([Buffer.alloc(4), snappy.compress(data)]))]), /checksum mismatch/],
    ['flipped data byte', (() => {
      const b = Buffer.concat([ID, plainChunk(data)]);
      b[b.length - 1] ^= 1;
      return b;
    })(), /checksum mismatch/],
    ['reserved unskippable', Buffer.concat([ID, chunk(0x02, Buffer.from('?'))]), /reserved unskippable chunk type 0x02/],
    ['header cut', good.subarray(0, ID.length + 2), /chunk header cut short/],
    ['data cut', good.subarray(0, good.length - 1), /remain/],
    ['no room for the checksum', Buffer.concat([ID, chunk(0x01, Buffer.from('ab'))]), /too short for its checksum/],
    ['not snappy', Buffer.concat([ID, chunk(0x00, Buffer.concat([masked(data), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x0f])]))]), /chunk at byte 10/],
    ['a chunk over 64 KiB', Buffer.concat([ID, plainChunk(Buffer.alloc(65_537))]), /over the format's 65536/],
  ];
  for (const [what, stream, message] of cases) t.throws(() => uncompressSnappyFrames(stream, 1 << 20), { name: 'Error', message }, what);
  for (const [what, stream] of cases) {
    let err: unknown;
    try {
      uncompressSnappyFrames(stream, 1 << 20);
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof SnappyFrameError, `${what}: a SnappyFrameError`);
  }
  const big = fixture('pattern');
  t.throws(() => uncompressSnappyFrames(big, 100_000), { message: /larger than max \(100000 bytes\)/, tooLarge: true }, 'the bound applies to the output');
});

t.test('our gRPC server reads a snappy-compressed request from node:http2 and says it accepts snappy', async (t) => {
  const server = new GrpcServer({ maxMessageBytes: 1 << 20, statusOf: (e) => ({ code: Code.INTERNAL, details: String(e) }) });
  server.add('/test.Svc/Echo', { kind: 'unary', decodeRequest: (b: Buffer) => Buffer.from(b), encodeResponse: (r: Buffer) => r, handle: async (req: Buffer) => req });
  const port = await server.listen('127.0.0.1', 0);
  const session = http2.connect(`http://127.0.0.1:${port}`);
  t.teardown(async () => {
    session.close();
    await server.close(0);
  });
  const call = (body: Buffer, headers: Record<string, string>) => nodeHttp2Call(session, '/test.Svc/Echo', body, headers);
  const compressed = (stream: Buffer): Buffer => {
    const m = frameMessage(stream);
    m[0] = 1;
    return m;
  };

  const ok = await call(compressed(fixture('pattern')), { 'grpc-encoding': 'snappy' });
  t.equal(ok.status, '0', 'a snappy request is read');
  t.ok(ok.data.subarray(5).equals(INPUTS.pattern) && ok.data[0] === 0, 'and answered uncompressed, the same bytes');
  t.match(String(ok.headers['grpc-accept-encoding']), /(^|,)snappy(,|$)/, 'grpc-accept-encoding names snappy');
  const bad = await call(compressed(Buffer.concat([ID, chunk(0x02, Buffer.from('?'))])), { 'grpc-encoding': 'snappy' });
  t.equal(bad.status, String(Code.INTERNAL), 'a malformed snappy message is INTERNAL');
  t.match(decodeURIComponent(bad.message), /decompress snappy message: reserved unskippable chunk type 0x02/);
  const tooBig = await call(compressed(Buffer.concat([ID, ...Array.from({ length: 17 }, () => compressedChunk(Buffer.alloc(65_536)))])), { 'grpc-encoding': 'snappy' });
  t.equal(tooBig.status, String(Code.RESOURCE_EXHAUSTED), 'inflating past the message limit is RESOURCE_EXHAUSTED');
  t.equal((await call(compressed(fixture('small')), { 'grpc-encoding': 'br' })).status, String(Code.UNIMPLEMENTED), 'an encoding we lack is still UNIMPLEMENTED');
});

t.test('fuzz: flipped and cut python-snappy streams only ever give SnappyFrameErrors or the exact input', async (t) => {
  const r = mulberry32(1122);
  let refused = 0;
  let intact = 0;
  for (let round = 0; round < 2000; round++) {
    const name = ['small', 'pattern', 'random'][round % 3];
    const stream = Buffer.from(fixture(name));
    if (round % 4 === 3) stream[Math.floor(r() * stream.length)] ^= 1 << Math.floor(r() * 8);
    else if (round % 4 === 2) stream[Math.floor(r() * Math.min(stream.length, 64))] = Math.floor(r() * 256);
    const cut = round % 5 === 0 ? stream.subarray(0, Math.floor(r() * stream.length)) : stream;
    try {
      const out = uncompressSnappyFrames(cut, 1 << 20);
      // Whatever decodes is made of the input's own chunks (64 KiB each, as python-snappy cuts them), in order:
      // every data chunk is CRC-checked. Only whole chunks can go missing, when a flip turns a chunk's type
      // byte into a skippable one, which the format cannot tell from a real one (its CRCs cover data only).
      const input = INPUTS[name];
      let p = 0;
      for (let c = 0; c < input.length; c += 65_536) {
        const chunk = input.subarray(c, c + 65_536);
        if (out.subarray(p, p + chunk.length).equals(chunk)) p += chunk.length;
      }
      if (p !== out.length) {
        t.fail(`round ${round}: decoded ${out.length} bytes that are not whole chunks of the input`);
        return;
      }
      if (out.length === input.length) intact++;
    } catch (err) {
      if (!(err instanceof SnappyFrameError)) {
        t.fail(`round ${round}: ${(err as Error).name}: ${(err as Error).message}`);
        return;
      }
      refused++;
    }
  }
  t.ok(refused > 500 && intact > 100, `${refused} refused, ${intact} decoded exactly`);
});
