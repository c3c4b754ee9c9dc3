// HPACK codec (src/storeapi/grpc/h2/hpack.ts): RFC 7541 Appendix C examples, Node's nghttp2 as the encoder our
// decoder must read and as the decoder our encoder must satisfy, malformed blocks, and a fuzz loop.
import t, { type Test } from 'tap';
import http2 from 'node:http2';
import net from 'node:net';
import { once } from 'node:events';
import { encodeHeaderBlock, HpackDecoder, HpackEncoder, HpackError, type HeaderList } from '../../src/storeapi/grpc/h2/hpack.js';
import { huffmanEncode } from '../../src/storeapi/grpc/h2/huffman.js';
import { frame, PREFACE } from '../helpers/h2-frames.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// ---------------------------------------------------------------------------------------------------------------
// RFC 7541 Appendix C: bytes, decoded lists and dynamic tables copied from the RFC.

t.test('RFC 7541 C.1 integers: 1337 with a 5-bit prefix is 1f 9a 0a', async (t) => {
  // A dynamic table size update (001 prefix) carries the integer; the limit tells us which value was read.
  t.same(new HpackDecoder({ maxTableSize: 1337 }).decode(hex('3f9a0a')), []);
  t.throws(() => new HpackDecoder({ maxTableSize: 1336 }).decode(hex('3f9a0a')), HpackError);
  // 10 with a 5-bit prefix is one byte.
  t.same(new HpackDecoder({ maxTableSize: 10 }).decode(hex('2a')), []);
  t.throws(() => new HpackDecoder({ maxTableSize: 9 }).decode(hex('2a')), HpackError);
});

t.test('RFC 7541 C.2 header field representations', async (t) => {
  let d = new HpackDecoder();
  t.same(d.decode(hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572')), ['custom-key', 'custom-header']);
  t.same(d.dynamicTableEntries(), ['custom-key', 'custom-header'], 'C.2.1 literal with indexing is added');
  t.equal(d.dynamicTableSize, 55);

  d = new HpackDecoder();
  t.same(d.decode(hex('040c 2f73 616d 706c 652f 7061 7468')), [':path', '/sample/path']);
  t.equal(d.dynamicTableSize, 0, 'C.2.2 literal without indexing leaves the table empty');

  d = new HpackDecoder();
  t.same(d.decode(hex('1008 7061 7373 776f 7264 0673 6563 7265 74')), ['password', 'secret']);
  t.equal(d.dynamicTableSize, 0, 'C.2.3 never indexed leaves the table empty');

  t.same(new HpackDecoder().decode(hex('82')), [':method', 'GET'], 'C.2.4 indexed field');
});

const C3_FIELDS: HeaderList[] = [
  [':method', 'GET', ':scheme', 'http', ':path', '/', ':authority', 'www.example.com'],
  [':method', 'GET', ':scheme', 'http', ':path', '/', ':authority', 'www.example.com', 'cache-control', 'no-cache'],
  [':method', 'GET', ':scheme', 'https', ':path', '/index.html', ':authority', 'www.example.com', 'custom-key', 'custom-value'],
];
const C3_TABLES: [HeaderList, number][] = [
  [[':authority', 'www.example.com'], 57],
  [['cache-control', 'no-cache', ':authority', 'www.example.com'], 110],
  [['custom-key', 'custom-value', 'cache-control', 'no-cache', ':authority', 'www.example.com'], 164],
];

function checkSequence(t: Test, d: HpackDecoder, blocks: string[], fields: HeaderList[], tables: [HeaderList, number][]) {
  blocks.forEach((block, i) => {
    t.same(d.decode(hex(block)), fields[i], `request/response ${i + 1}: fields`);
    t.same(d.dynamicTableEntries(), tables[i][0], `request/response ${i + 1}: dynamic table`);
    t.equal(d.dynamicTableSize, tables[i][1], `request/response ${i + 1}: table size`);
  });
}

t.test('RFC 7541 C.3 requests without Huffman', async (t) => {
  checkSequence(t, new HpackDecoder(), [
    '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
    '8286 84be 5808 6e6f 2d63 6163 6865',
    '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
  ], C3_FIELDS, C3_TABLES);
});

t.test('RFC 7541 C.4 requests with Huffman', async (t) => {
  checkSequence(t, new HpackDecoder(), [
    '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
    '8286 84be 5886 a8eb 1064 9cbf',
    '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
  ], C3_FIELDS, C3_TABLES);
});

const C5_FIELDS: HeaderList[] = [
  [':status', '302', 'cache-control', 'private', 'date', 'Mon, 21 Oct 2013 20:13:21 GMT', 'location', 'https://www.example.com'],
  [':status', '307', 'cache-control', 'private', 'date', 'Mon, 21 Oct 2013 20:13:21 GMT', 'location', 'https://www.example.com'],
  [':status', '200', 'cache-control', 'private', 'date', 'Mon, 21 Oct 2013 20:13:22 GMT', 'location', 'https://www.example.com',
    'content-encoding', 'gzip', 'set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1'],
];
const C5_TABLES: [HeaderList, number][] = [
  [['location', 'https://www.example.com', 'date', 'Mon, 21 Oct 2013 20:13:21 GMT', 'cache-control', 'private', ':status', '302'], 222],
  [[':status', '307', 'location', 'https://www.example.com', 'date', 'Mon, 21 Oct 2013 20:13:21 GMT', 'cache-control', 'private'], 222],
  [['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1', 'content-encoding', 'gzip',
    'date', 'Mon, 21 Oct 2013 20:13:22 GMT'], 215],
];

t.test('RFC 7541 C.5 responses without Huffman, 256-octet table (evictions)', async (t) => {
  checkSequence(t, new HpackDecoder({ maxTableSize: 256 }), [
    '4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d' +
      '546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
    '4803 3330 37c1 c0bf',
    '88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f' +
      '6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630' +
      '303b 2076 6572 7369 6f6e 3d31',
  ], C5_FIELDS, C5_TABLES);
});

t.test('RFC 7541 C.6 responses with Huffman, 256-octet table (evictions)', async (t) => {
  checkSequence(t, new HpackDecoder({ maxTableSize: 256 }), [
    '4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7' +
      '8f0b 97c8 e9ae 82ae 43d3',
    '4883 640e ffc1 c0bf',
    '88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335' +
      'dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
  ], C5_FIELDS, C5_TABLES);
});

// ---------------------------------------------------------------------------------------------------------------
// Encoder: its exact bytes follow from the RFC's representations.

t.test('encoder: representations and the leading table size update', async (t) => {
  const enc = new HpackEncoder();
  t.same([...enc.encode([':method', 'GET'])], [0x20, 0x82], 'first block: size update to 0, then indexed :method GET');
  t.same([...enc.encode([':method', 'GET'])], [0x82], 'later blocks: no size update');
  t.same([...enc.encode([':path', '/sample/path'])], [...hex('040c 2f73 616d 706c 652f 7061 7468')], 'as RFC C.2.2');
  t.same([...enc.encode(['custom-key', 'v'])], [0x00, 0x0a, ...Buffer.from('custom-key'), 0x01, 0x76], 'new name: literal name');
  t.same([...enc.encode(['accept-encoding', 'gzip, deflate', 'www-authenticate', 'x'])], [0x80 | 16, 0x0f, 0x2e, 0x01, 0x78],
    'static index 61 needs a continuation byte in a 4-bit prefix (15 + 46)');
  const out = [...encodeHeaderBlock(['x', 'a'.repeat(1337)])];
  t.same(out.slice(0, 6), [0x00, 0x01, 0x78, 0x7f, 0xba, 0x09], 'length 1337 in a 7-bit prefix: 7f ba 09');
  t.equal(out.length, 6 + 1337);
  t.throws(() => enc.encode(['x', 'caf\u20ac']), RangeError, 'a char above 0xff is a caller bug, not silently cut');
});

// ---------------------------------------------------------------------------------------------------------------
// Minimal HTTP/2 framing for the nghttp2 oracles.

const enum FrameType { DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, GOAWAY = 7, CONTINUATION = 9 }
const END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4, PADDED = 0x8, PRIORITY = 0x20;


/** A header block as HEADERS + CONTINUATION frames of at most 16384 bytes (the default SETTINGS_MAX_FRAME_SIZE). */
function headerFrames(stream: number, block: Buffer, endStream: boolean): Buffer {
  const parts: Buffer[] = [];
  for (let off = 0; off === 0 || off < block.length; off += 16384) {
    const last = off + 16384 >= block.length;
    const type = off === 0 ? FrameType.HEADERS : FrameType.CONTINUATION;
    const flags = (last ? END_HEADERS : 0) | (off === 0 && endStream ? END_STREAM : 0);
    parts.push(frame(type, flags, stream, block.subarray(off, off + 16384)));
  }
  return Buffer.concat(parts);
}

/** Splits a byte stream into frames, after skipping `skip` leading bytes (the client preface on a server). */
function frameReader(skip: number, onFrame: (type: number, flags: number, stream: number, payload: Buffer) => void) {
  let buf = Buffer.alloc(0);
  return (data: Buffer) => {
    buf = Buffer.concat([buf, data]);
    if (skip > 0) {
      if (buf.length < skip) return;
      buf = buf.subarray(skip);
      skip = 0;
    }
    while (buf.length >= 9) {
      const len = buf.readUIntBE(0, 3);
      if (buf.length < 9 + len) return;
      onFrame(buf[3], buf[4], buf.readUInt32BE(5) & 0x7fffffff, buf.subarray(9, 9 + len));
      buf = buf.subarray(9 + len);
    }
  };
}

/** The header block fragment of a HEADERS frame: without padding and priority fields. */
function headersFragment(flags: number, payload: Buffer): Buffer {
  let start = 0;
  let end = payload.length;
  if (flags & PADDED) {
    end -= payload[0];
    start = 1;
  }
  if (flags & PRIORITY) start += 5;
  return payload.subarray(start, end);
}

// ---------------------------------------------------------------------------------------------------------------
// Oracle 1: nghttp2 (node:http2 client) encodes, our decoder decodes.

type Request = http2.OutgoingHttpHeaders;

interface Capture {
  blocks: Map<number, { fields: HeaderList; block: Buffer }>;
  tableSnapshots: HeaderList[];
  finalTableSize: number;
  error?: unknown;
}

/**
 * Runs a raw HTTP/2 server that decodes every request header block with HpackDecoder (and answers 200 with a
 * block from HpackEncoder), and has node:http2 send `requests` to it, in batches so the dynamic table churns in
 * a known order. `tableSize` is our SETTINGS_HEADER_TABLE_SIZE; the client waits for our SETTINGS before its
 * first request, since until then it may use the default 4096.
 */
async function nodeEncodes(tableSize: number | undefined, requests: Request[]): Promise<{ capture: Capture; ids: number[] }> {
  const capture: Capture = { blocks: new Map(), tableSnapshots: [], finalTableSize: -1 };
  const decoder = new HpackDecoder(tableSize === undefined ? {} : { maxTableSize: tableSize });
  const encoder = new HpackEncoder();
  const server = net.createServer((sock) => {
    const settings = Buffer.alloc(tableSize === undefined ? 0 : 6);
    if (tableSize !== undefined) {
      settings.writeUInt16BE(0x1, 0); // SETTINGS_HEADER_TABLE_SIZE
      settings.writeUInt32BE(tableSize, 2);
    }
    sock.write(frame(FrameType.SETTINGS, 0, 0, settings));
    let pending: { stream: number; parts: Buffer[] } | undefined;
    const finish = (stream: number, block: Buffer) => {
      try {
        const fields = decoder.decode(block);
        capture.blocks.set(stream, { fields, block });
        capture.tableSnapshots.push(decoder.dynamicTableEntries());
        capture.finalTableSize = decoder.dynamicTableSize;
      } catch (err) {
        capture.error = err;
        sock.destroy();
        return;
      }
      sock.write(headerFrames(stream, encoder.encode([':status', '200']), true));
    };
    sock.on('data', frameReader(PREFACE.length, (type, flags, stream, payload) => {
      if (type === FrameType.SETTINGS && !(flags & ACK)) sock.write(frame(FrameType.SETTINGS, ACK, 0));
      else if (type === FrameType.HEADERS) {
        const fragment = headersFragment(flags, payload);
        if (flags & END_HEADERS) finish(stream, fragment);
        else pending = { stream, parts: [Buffer.from(fragment)] };
      } else if (type === FrameType.CONTINUATION && pending) {
        pending.parts.push(Buffer.from(payload));
        if (flags & END_HEADERS) {
          finish(pending.stream, Buffer.concat(pending.parts));
          pending = undefined;
        }
      }
    }));
    sock.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const client = http2.connect(`http://127.0.0.1:${port}`, { maxSendHeaderBlockLength: 1 << 20 });
  client.on('error', () => {});
  const ids: number[] = [];
  try {
    await once(client, 'remoteSettings');
    for (let i = 0; i < requests.length; i += 25) {
      await Promise.all(requests.slice(i, i + 25).map(async (headers) => {
        const req = client.request(headers, { endStream: true });
        const index = requests.indexOf(headers);
        await new Promise<void>((resolve, reject) => {
          req.on('response', () => {
            ids[index] = req.id!;
            req.resume();
            resolve();
          });
          req.on('error', reject);
          req.on('close', () => resolve());
        });
      }));
      if (capture.error) break;
    }
  } finally {
    client.destroy();
    server.close();
  }
  return { capture, ids };
}

/** What node:http2 puts on the wire for a request object: its regular fields in order, arrays expanded. */
function regularFields(headers: Request): HeaderList {
  const out: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':')) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push(name, String(v));
  }
  return out;
}
const withoutPseudo = (fields: HeaderList) => fields.filter((_, i) => !fields[i - (i % 2)].startsWith(':'));
const pseudo = (fields: HeaderList) => {
  const out: Record<string, string> = {};
  for (let i = 0; i < fields.length; i += 2) if (fields[i].startsWith(':')) out[fields[i]] = fields[i + 1];
  return out;
};

/** Deterministic PRNG so a failure can be reproduced. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const chr = (b: number) => String.fromCharCode(b);

/** Requests covering every byte value raw and Huffman-coded, repeated fields, never-indexed ones, and churn. */
function oracleRequests(): Request[] {
  const rnd = prng(42);
  const constant = { 'x-const': 'same-in-every-request', 'content-type': 'application/grpc', 'user-agent': 'promfed-test/1' };
  const reqs: Request[] = [];
  // Node joins name/value pairs with NUL internally, so it cannot send a NUL byte: values cover 1..255.
  for (let b = 1; b < 256; b++) {
    reqs.push({
      ':path': `/raw/${b}`,
      ...constant,
      'x-raw': `<${chr(b)}${chr(255 - b || 1)}>`, // short and rare: Huffman would be longer, so raw
      // Mostly 5-bit symbols around one byte: Huffman is shorter, so nghttp2 uses it, for every byte value.
      'x-huff': 'e'.repeat(20) + chr(b) + 'e'.repeat(20),
    });
  }
  reqs.push({ ':path': '/multi', ...constant, 'x-multi': ['a', 'b', 'c'], 'grpc-timeout': '5S' });
  reqs.push({ ':path': '/secret', ...constant, authorization: 'Bearer s3cret', [http2.sensitiveHeaders]: ['authorization'] });
  reqs.push({ ':path': '/long', ...constant, 'x-long': 'v'.repeat(5000), 'x-mixed': Array.from({ length: 3000 }, (_, i) => chr(1 + ((i * 7) % 255))).join('') });
  reqs.push({ ':path': '/continuation', ...constant, 'x-huge': Array.from({ length: 40000 }, () => chr(33 + Math.floor(rnd() * 94))).join('') });
  reqs.push({ ':path': '/empty', ...constant, 'x-empty': '' });
  // Churn: names from a pool, values of many lengths, so entries are added, reused and evicted.
  const names = Array.from({ length: 30 }, (_, i) => `x-pool-${i}`);
  for (let i = 0; i < 200; i++) {
    const req: Request = { ':path': `/churn/${i}`, ...constant };
    const n = 1 + Math.floor(rnd() * 8);
    for (let j = 0; j < n; j++) {
      const len = [0, 1, 5, 20, 100, 300][Math.floor(rnd() * 6)];
      const value = Array.from({ length: len }, () => chr(rnd() < 0.8 ? 97 + Math.floor(rnd() * 26) : 1 + Math.floor(rnd() * 255))).join('');
      req[names[Math.floor(rnd() * names.length)]] = rnd() < 0.5 ? value : `repeat-${Math.floor(rnd() * 5)}`;
    }
    reqs.push(req);
  }
  return reqs;
}

for (const tableSize of [undefined, 256, 0]) {
  t.test(`nghttp2 encodes, HpackDecoder decodes (our SETTINGS_HEADER_TABLE_SIZE ${tableSize ?? 'default 4096'})`, async (t) => {
    const requests = oracleRequests();
    const { capture, ids } = await nodeEncodes(tableSize, requests);
    if (capture.error) throw capture.error;
    t.equal(capture.blocks.size, requests.length, 'every request reached us');
    let mismatches = 0;
    requests.forEach((req, i) => {
      const got = capture.blocks.get(ids[i]);
      const ok = got !== undefined && JSON.stringify(withoutPseudo(got.fields)) === JSON.stringify(regularFields(req));
      if (!ok && mismatches++ < 3) t.same(got && withoutPseudo(got.fields), regularFields(req), `request ${String(req[':path'])}`);
      const p = got ? pseudo(got.fields) : {};
      if (p[':path'] !== req[':path'] || p[':method'] !== 'GET' || p[':scheme'] !== 'http') {
        if (mismatches++ < 3) t.fail(`pseudo-headers of ${String(req[':path'])}: ${JSON.stringify(p)}`);
      }
    });
    t.equal(mismatches, 0, 'every request decoded to exactly the fields node sent');

    // Make sure the run exercised what it claims to.
    // Each x-huff value is new (so a literal) and has 20 'e's in a row, which a raw literal would carry as is.
    const huffBlocks = requests.slice(0, 255).map((_, i) => capture.blocks.get(ids[i])!.block);
    t.ok(huffBlocks.every((b) => !b.includes('e'.repeat(20))), 'nghttp2 Huffman-coded every x-huff value');
    t.ok(huffBlocks.some((b) => b.includes('<')), 'and sent some x-raw values raw');
    const limit = tableSize ?? 4096;
    t.ok(capture.finalTableSize <= limit, `table within ${limit}`);
    if (limit === 0) {
      t.ok(capture.tableSnapshots.every((s) => s.length === 0), 'zero-size table stays empty');
    } else {
      const everInTable = new Set(capture.tableSnapshots.flatMap((s) => s.filter((_, i) => i % 2 === 0).map((n, i) => n + '\0' + s[2 * i + 1])));
      const last = capture.tableSnapshots[capture.tableSnapshots.length - 1];
      t.ok(everInTable.size > last.length / 2 + 50, `nghttp2 indexed entries and we evicted them (${everInTable.size} entries seen, ${last.length / 2} left)`);
      t.ok(everInTable.has('x-const\0same-in-every-request'), 'a repeated field was indexed');
      const emptyIndex = requests.findIndex((r) => r[':path'] === '/empty');
      const emptyBytes = capture.blocks.get(ids[emptyIndex])!.block.length;
      t.ok(emptyBytes < 30, `later blocks refer to indexed fields (${emptyBytes} octets for 5 fields of 70)`);
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Oracle 2: our encoder encodes, nghttp2 (node:http2 server) decodes.

t.test('HpackEncoder encodes, nghttp2 decodes', async (t) => {
  const base = [':method', 'POST', ':scheme', 'http', ':path', '/thanos.Store/Series', ':authority', 'store-1:10901'];
  // RFC 9113 §8.2.1 field values: nghttp2 silently drops a field with NUL, another control char but HTAB, DEL, or
  // leading/trailing SP/HTAB (it did so in a first run of this test), so the bytes it takes are HTAB, 0x20-0x7e, 0x80-0xff.
  const valueBytes = Array.from({ length: 256 }, (_, b) => b).filter((b) => b === 9 || (b >= 0x20 && b !== 0x7f));
  const edgeOk = (b: number) => b !== 9 && b !== 0x20;
  const lists: HeaderList[] = [];
  for (const b of valueBytes) {
    lists.push([...base, 'x-byte', `a${chr(b)}b`, 'x-byte-2', edgeOk(b) ? `${chr(b)}q${chr(b)}` : `q${chr(b)}${chr(b)}q`]);
  }
  lists.push([...base, 'content-type', 'application/grpc', 'te', 'trailers', 'grpc-timeout', '10S',
    'accept-encoding', 'gzip, deflate', 'accept', '', 'user-agent', 'promfed/0.1', 'www-authenticate', 'x',
    'grpc-message', 'no%20such%20store%0Aline', 'x-empty', '']);
  lists.push([...base, 'x-long', 'L'.repeat(200), 'x-longer', 'M'.repeat(20000), 'x-all', `<${valueBytes.map(chr).join('')}>`]);
  const many = [...base];
  for (let i = 0; i < 100; i++) many.push(`x-field-${i}`, `value-${i}`.repeat(i % 7));
  lists.push(many);

  const server = http2.createServer({ maxHeaderListPairs: 1000, settings: { maxHeaderListSize: 1 << 20 } });
  const seen = new Map<number, string[]>();
  let resolveAll!: () => void;
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const errors: unknown[] = [];
  // rawHeaders (the flat list in wire order) is the 4th argument; @types/node 20 does not declare it.
  const onStream = (stream: http2.ServerHttp2Stream, _headers: unknown, _flags: number, rawHeaders: string[]) => {
    seen.set(stream.id!, rawHeaders);
    stream.respond({ ':status': 200 }, { endStream: true });
    if (seen.size === lists.length) resolveAll();
  };
  server.on('stream', onStream as (stream: http2.ServerHttp2Stream) => void);
  server.on('sessionError', (err) => errors.push(err));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const sock = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const goaway: Buffer[] = [];
  const rst: number[] = [];
  sock.on('data', frameReader(0, (type, flags, stream, payload) => {
    if (type === FrameType.SETTINGS && !(flags & ACK)) sock.write(frame(FrameType.SETTINGS, ACK, 0));
    if (type === FrameType.GOAWAY) goaway.push(payload);
    if (type === FrameType.RST_STREAM) rst.push(stream);
  }));
  sock.on('error', () => {});
  sock.write(PREFACE);
  sock.write(frame(FrameType.SETTINGS, 0, 0));
  const encoder = new HpackEncoder();
  lists.forEach((list, i) => sock.write(headerFrames(2 * i + 1, encoder.encode(list), true)));
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref());
  await Promise.race([all, timeout]);
  sock.destroy();
  server.close();

  t.same(errors, [], 'no session error');
  t.same(goaway.map((p) => p.toString('hex')), [], 'no GOAWAY (a COMPRESSION_ERROR would end the connection)');
  t.same(rst, [], 'no stream reset');
  t.equal(seen.size, lists.length, 'every stream reached the server');
  let mismatches = 0;
  lists.forEach((list, i) => {
    const got = seen.get(2 * i + 1);
    if (JSON.stringify(got) !== JSON.stringify(list) && mismatches++ < 3) t.same(got, list, `stream ${2 * i + 1}`);
  });
  t.equal(mismatches, 0, 'nghttp2 saw exactly the fields we encoded, in order');
});

// ---------------------------------------------------------------------------------------------------------------
// Malformed blocks.

t.test('malformed blocks throw HpackError', async (t) => {
  const bad: [string, Uint8Array, HpackDecoder?][] = [
    ['indexed field, index 0', hex('80')],
    ['indexed field beyond an empty dynamic table (62)', hex('be')],
    ['indexed field 127 (multi-byte index) beyond the table', hex('ff00')],
    ['indexed name beyond the table, incremental indexing', hex('7e 01 61')],
    ['indexed name beyond the table, 4-bit prefix 15 + 47', hex('0f2f 0161')],
    ['indexed name beyond the table, never indexed', hex('1f2f 0161')],
    ['truncated: literal name missing', hex('40')],
    ['truncated: value missing after an indexed name', hex('41')],
    ['truncated: string shorter than its length', hex('40 05 6162')],
    ['truncated: integer continuation missing', hex('ff')],
    ['truncated: integer continuation bit on the last byte', hex('7f 80')],
    ['truncated: value after a literal name', hex('00 01 61')],
    ['integer overflow (continuation bytes without end)', hex('ff ffffffffffffffff7f')],
    ['integer too large for a string length', hex('00 7f ffffffff0f')],
    ['table size update above our limit (4097)', hex('3f e21f')],
    ['table size update after a field', hex('82 20')],
    ['Huffman string containing EOS (30 one-bits)', hex('00 0161 84 ffffffff')],
    ['Huffman padding longer than 7 bits', Buffer.from([0x00, 0x01, 0x61, 0x82, ...huffmanEncode('a'), 0xff])],
    ['Huffman padding not all ones', Buffer.from([0x00, 0x01, 0x61, 0x81, huffmanEncode('a')[0] & 0xf8])],
    ['Huffman padding of 8 one-bits alone', hex('00 0161 81 ff')],
    ['Huffman name with bad padding', hex('00 81 18 0161')],
  ];
  for (const [name, block, decoder] of bad) {
    t.throws(() => (decoder ?? new HpackDecoder()).decode(block), HpackError, name);
  }
  // Sanity: the valid neighbours of some of the above decode.
  t.same(new HpackDecoder().decode(Buffer.from([0x00, 0x01, 0x61, 0x81, ...huffmanEncode('a')])), ['a', 'a'], 'valid Huffman "a"');
  t.same(new HpackDecoder().decode(hex('00 0161 80')), ['a', ''], 'empty Huffman string');
  t.same(new HpackDecoder().decode(hex('20 3f e11f 82')), [':method', 'GET'], 'two size updates at the start (0, 4096)');

  // An entry larger than the table empties it (RFC 7541 §4.4), so referring to it afterwards is an error.
  const small = new HpackDecoder({ maxTableSize: 64 });
  t.same(small.decode(hex('40 0161 0162')), ['a', 'b']);
  t.equal(small.dynamicTableSize, 34);
  t.same(small.decode(Buffer.from([0x40, 0x01, 0x63, 0x28, ...Buffer.from('x'.repeat(40))])), ['c', 'x'.repeat(40)]);
  t.equal(small.dynamicTableSize, 0, 'a 73-octet entry emptied the 64-octet table');
  t.throws(() => small.decode(hex('be')), HpackError);

  // The header list limit counts name + value + 32 per field, like SETTINGS_MAX_HEADER_LIST_SIZE.
  const block = new HpackEncoder().encode(['aaaa', 'bbbb', 'cccc', 'dddd']); // 2 × 40
  t.same(new HpackDecoder({ maxHeaderListBytes: 80 }).decode(block), ['aaaa', 'bbbb', 'cccc', 'dddd']);
  t.throws(() => new HpackDecoder({ maxHeaderListBytes: 79 }).decode(block), HpackError);
});

t.test('fuzz: random and mutated blocks only ever throw HpackError', async (t) => {
  const rnd = prng(7);
  const valid: Uint8Array[] = [
    ...['828684410f7777772e6578616d706c652e636f6d', '828684be58086e6f2d6361636865', '828684418cf1e3c2e5f23a6ba0ab90f4ff',
      '828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf', '4803333037c1c0bf'].map(hex),
    new HpackEncoder().encode(['content-type', 'application/grpc', 'x-a', 'b'.repeat(300), 'grpc-status', '0']),
    Buffer.from([0x40, 0x84, ...huffmanEncode('name'), 0x8a, ...huffmanEncode('some value with \xff bytes')]),
  ];
  let errors = 0;
  let decoded = 0;
  const unexpected: unknown[] = [];
  const decoder = new HpackDecoder({ maxTableSize: 512, maxHeaderListBytes: 4096 });
  let shared = decoder;
  for (let i = 0; i < 6000; i++) {
    let block: Uint8Array;
    if (i % 2 === 0) {
      block = Uint8Array.from({ length: Math.floor(rnd() * 48) }, () => Math.floor(rnd() * 256));
    } else {
      const base = valid[Math.floor(rnd() * valid.length)];
      const b = Array.from(base);
      const edits = 1 + Math.floor(rnd() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rnd() * (b.length + 1));
        const op = Math.floor(rnd() * 4);
        if (op === 0) b[at % b.length] ^= 1 << Math.floor(rnd() * 8);
        else if (op === 1) b.length = at;
        else if (op === 2) b.splice(at, 0, Math.floor(rnd() * 256));
        else b.splice(at, 1);
      }
      block = Uint8Array.from(b);
    }
    try {
      const fields = shared.decode(block);
      decoded++;
      if (fields.length % 2 !== 0) unexpected.push(`odd field list ${fields.length}`);
    } catch (err) {
      if (err instanceof HpackError) errors++;
      else unexpected.push(err);
      shared = new HpackDecoder({ maxTableSize: 512, maxHeaderListBytes: 4096 }); // a failed decoder is discarded
    }
  }
  t.same(unexpected.slice(0, 5), [], 'nothing but HpackError');
  t.ok(errors > 1000 && decoded > 500, `both outcomes exercised (${errors} errors, ${decoded} decoded)`);
});
