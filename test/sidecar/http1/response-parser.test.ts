// The incremental HTTP/1.1 response parser: the same head and body however the bytes are cut into pushes
// (whole, at every byte boundary, at random), each way of delimiting a body, keep-alive decisions, body
// pieces as views of the pushed buffers, malformed input, early ends, and bytes node:http really sends.
import http from 'node:http';
import net from 'node:net';
import t, { type Test } from 'tap';
import { StorageError } from '../../../src/model/index.js';
import { ResponseParser } from '../../../src/sidecar/http1/response-parser.js';
import { mulberry32 } from '../../chunkenc/fixtures/prng.js';

interface Parsed {
  status: number;
  reason: string;
  headers: Record<string, string>;
  body: string;
  done: boolean;
  keepAlive: boolean;
  bodyBytes: number;
}

/** A copy of `bytes` in an ArrayBuffer of its own (Buffer.from of a short string shares the pool). */
function own(bytes: Buffer): Buffer {
  const b = Buffer.alloc(bytes.length);
  bytes.copy(b);
  return b;
}

/** Pushes `parts` (each in an ArrayBuffer of its own), then end() when `ended`. */
function parse(parts: Buffer[], opts: { ended?: boolean; maxHeadBytes?: number } = {}): Parsed {
  const p = new ResponseParser(opts.maxHeadBytes);
  const body: Buffer[] = [];
  for (const part of parts) {
    const chunk = own(part);
    const before = body.length;
    p.push(chunk, body);
    for (const piece of body.slice(before)) {
      // Views, not copies: the pieces share the pushed chunk's memory and lie inside it.
      if (piece.buffer !== chunk.buffer) throw new Error('body piece is not a view of the pushed chunk');
      if (piece.byteOffset < chunk.byteOffset || piece.byteOffset + piece.length > chunk.byteOffset + chunk.length) throw new Error('body piece outside the pushed chunk');
    }
  }
  if (opts.ended) p.end();
  if (p.head === undefined) throw new Error('no head');
  return {
    status: p.head.status,
    reason: p.head.reason,
    headers: Object.fromEntries(p.head.headers),
    body: Buffer.concat(body).toString('latin1'),
    done: p.done,
    keepAlive: p.keepAlive,
    bodyBytes: p.bodyBytes,
  };
}

function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const parts: Buffer[] = [];
  let from = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    parts.push(bytes.subarray(from, c));
    from = c;
  }
  parts.push(bytes.subarray(from));
  return parts;
}

/** Whole; every split into two; one byte per push; random multi-way splits: all must agree with `want`. */
function everySplit(t: Test, raw: string, want: Partial<Parsed>, opts: { ended?: boolean } = {}): void {
  const bytes = Buffer.from(raw, 'latin1');
  const check = (parts: Buffer[], how: string): boolean => {
    let got: Parsed;
    try {
      got = parse(parts, opts);
    } catch (err) {
      t.fail(`${how}: ${(err as Error).message}`);
      return false;
    }
    const sub = Object.fromEntries(Object.keys(want).map((k) => [k, got[k as keyof Parsed]]));
    return t.same(sub, want, how);
  };
  if (!check([bytes], 'whole')) return;
  let bad = 0;
  for (let c = 0; c <= bytes.length && bad === 0; c++) if (!check(splitAt(bytes, [c]), `split at ${c}`)) bad++;
  check([...bytes].map((b) => Buffer.from([b])), 'one byte per push');
  const r = mulberry32(bytes.length); // seeded, so a failing split can be reproduced
  for (let k = 0; k < 50 && bad === 0; k++) {
    const cuts = Array.from({ length: 1 + Math.floor(r() * 8) }, () => Math.floor(r() * (bytes.length + 1)));
    if (!check(splitAt(bytes, cuts), `random cuts ${cuts.join(',')}`)) bad++;
  }
}

function parseError(raw: string | Buffer, opts: { ended?: boolean; maxHeadBytes?: number; oneByte?: boolean } = {}): Error {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
  try {
    parse(opts.oneByte ? [...bytes].map((b) => Buffer.from([b])) : [bytes], opts);
  } catch (err) {
    return err as Error;
  }
  throw new Error('parsed without an error');
}

const CHUNKED =
  'HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nTransfer-Encoding: chunked\r\n\r\n' +
  '5\r\nhello\r\n' +
  '1;foo=bar\r\n,\r\n' + // a chunk extension
  'A\r\n world ok!\r\n' + // uppercase hex
  '00000001\r\n\n\r\n' + // leading zeros; the data is an LF
  '0\r\nX-Trailer: t1\r\nX-Other: t2\r\n\r\n'; // trailers

t.test('chunked: the same head and body whole, split at every byte, and at random', async (t) => {
  everySplit(t, CHUNKED, {
    status: 200,
    reason: 'OK',
    headers: { 'content-type': 'application/x-protobuf', 'transfer-encoding': 'chunked' },
    body: 'hello, world ok!\n',
    bodyBytes: 17,
    done: true,
    keepAlive: true,
  });
});

t.test('chunked: extensions on the last chunk, empty trailers, lowercase hex, a CRLF inside chunk data', async (t) => {
  everySplit(t, 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nb;a=1;b="x y"\r\nab\r\n\r\nabcde\r\n0;last\r\n\r\n', {
    body: 'ab\r\n\r\nabcde',
    done: true,
    keepAlive: true,
  });
});

t.test('chunked with bare-LF lines in the body framing (RFC 9112 §2.2)', async (t) => {
  everySplit(t, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\n2;x\nde\n0\nT: v\n\n', { body: 'abcde', done: true, keepAlive: true });
});

t.test('bare-LF head with a Content-Length body free of CRLFCRLF', async (t) => {
  everySplit(t, 'HTTP/1.1 200 OK\nContent-Length: 3\nX-A: b\n\nabc', { status: 200, headers: { 'content-length': '3', 'x-a': 'b' }, body: 'abc', done: true });
});

t.test('bare-LF head followed in the same push by a body holding CRLFCRLF (a chunked body always ends so)', async (t) => {
  everySplit(t, 'HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n5\r\nhello\r\n0\r\n\r\n', { status: 200, body: 'hello', done: true });
  everySplit(t, 'HTTP/1.1 200 OK\nContent-Length: 6\n\nab\r\n\r\n', { status: 200, body: 'ab\r\n\r\n', done: true });
});

t.test('Content-Length body: done exactly at its last byte, keep-alive', async (t) => {
  everySplit(t, 'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world', { body: 'hello world', bodyBytes: 11, done: true, keepAlive: true });
  // Not done one byte short; end() there is an error naming the counts.
  const p = new ResponseParser();
  const body: Buffer[] = [];
  p.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello worl'), body);
  t.equal(p.done, false);
  t.equal(p.bodyBytes, 10);
  t.throws(() => p.end(), { name: 'StorageError', message: 'HTTP response ended after 10 of 11 body bytes' });
});

t.test('repeated Content-Length values that agree are one length', async (t) => {
  everySplit(t, 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc', { body: 'abc', done: true, keepAlive: true });
});

t.test('no body: Content-Length 0, 204 and 304 are done at the end of the head', async (t) => {
  for (const raw of [
    'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
    'HTTP/1.1 204 No Content\r\n\r\n',
    'HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n',
    'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n',
  ]) {
    const p = new ResponseParser();
    const body: Buffer[] = [];
    p.push(Buffer.from(raw), body);
    t.ok(p.done, raw);
    t.equal(body.length, 0);
    t.equal(p.keepAlive, true);
  }
});

t.test('close-delimited body (no Content-Length, no Transfer-Encoding): done only at end(), not reusable', async (t) => {
  const p = new ResponseParser();
  const body: Buffer[] = [];
  p.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nsome'), body);
  p.push(Buffer.from(' more'), body);
  t.equal(p.done, false);
  t.equal(p.keepAlive, false);
  p.end();
  t.equal(p.done, true);
  t.equal(Buffer.concat(body).toString(), 'some more');
  everySplit(t, 'HTTP/1.1 200 OK\r\n\r\nuntil the close', { body: 'until the close', done: true, keepAlive: false }, { ended: true });
  // A transfer coding other than chunked (last) is also delimited by the close.
  everySplit(t, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz', { body: 'zz', done: true, keepAlive: false }, { ended: true });
});

t.test('keep-alive: Connection close, HTTP/1.0 with and without keep-alive', async (t) => {
  const ka = (raw: string): boolean => parse([Buffer.from(raw)]).keepAlive;
  t.equal(ka('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'), false);
  t.equal(ka('HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n'), false);
  t.equal(ka('HTTP/1.1 200 OK\r\nConnection: upgrade, close\r\nContent-Length: 0\r\n\r\n'), false);
  t.equal(ka('HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n'), true);
  t.equal(ka('HTTP/1.1 200 OK\r\nConnection: closed-captions\r\nContent-Length: 0\r\n\r\n'), true, 'a token merely starting with close');
  t.equal(ka('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'), false);
  t.equal(ka('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n'), true);
});

t.test('interim 1xx responses are skipped, the real head follows', async (t) => {
  everySplit(t, 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nX-Interim: yes\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\nX-Real: 1\r\n\r\nok', {
    status: 201,
    reason: 'Created',
    headers: { 'content-length': '2', 'x-real': '1' },
    body: 'ok',
    done: true,
  });
});

t.test('head: names lower-cased, repeated fields joined with ", ", values trimmed, status line without a reason', async (t) => {
  const got = parse([Buffer.from('HTTP/1.1 503\r\nVary: a\r\nVARY:b  \r\nX-Empty:\r\nContent-Length: 0\r\n\r\n')]);
  t.equal(got.status, 503);
  t.equal(got.reason, '');
  t.same(got.headers, { vary: 'a, b', 'x-empty': '', 'content-length': '0' });
  t.equal(parse([Buffer.from('HTTP/1.1 404 Not Found Here\r\nContent-Length: 0\r\n\r\n')]).reason, 'Not Found Here');
});

t.test('bytes after the end of the response: not reusable', async (t) => {
  for (const raw of ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokX', 'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nJUNK']) {
    const got = parse([Buffer.from(raw)]);
    t.equal(got.done, true, raw);
    t.equal(got.keepAlive, false, raw);
  }
  // The same bytes in a later push.
  const p = new ResponseParser();
  const body: Buffer[] = [];
  p.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'), body);
  t.equal(p.keepAlive, true);
  p.push(Buffer.from('x'), body);
  t.equal(p.keepAlive, false);
  t.equal(Buffer.concat(body).toString(), 'ok', 'the extra byte is not body');
});

t.test('body pieces are views of the pushed buffers, never copies', async (t) => {
  const p = new ResponseParser();
  const body: Buffer[] = [];
  const first = own(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3\r\nef'));
  p.push(first, body);
  const second = own(Buffer.from('g\r\n0\r\n\r\n'));
  p.push(second, body);
  // The chunks of one push become one piece: "ef" moved back over the framing after "abcd".
  t.equal(body.length, 2);
  t.equal(body[0].buffer, first.buffer);
  t.equal(body[0].byteOffset, first.indexOf('abcd'));
  t.equal(body[1].buffer, second.buffer);
  t.equal(body[1].byteOffset, 0);
  // Writing through the view shows in the pushed chunk: the same memory.
  body[0][0] = 0x41;
  t.equal(first[first.indexOf('Abcd')], 0x41);
  t.same(body.map((b) => b.toString()), ['Abcdef', 'g']);

  // A push that is all body is handed out as it is.
  const q = new ResponseParser();
  const qb: Buffer[] = [];
  q.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n'), qb);
  const whole = own(Buffer.from('12345678'));
  q.push(whole, qb);
  t.equal(qb[0], whole);
  t.ok(q.done);
});

t.test('pushes back to back in one buffer (slab reads): the chunked body becomes one run of bytes', async (t) => {
  const r = mulberry32(42);
  for (let round = 0; round < 300; round++) {
    // A chunked response of random chunk sizes, its bytes at the start of a larger "slab".
    const data = Buffer.from(Array.from({ length: 1 + Math.floor(r() * 3000) }, () => Math.floor(r() * 256)));
    let raw = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
    const pieces: Buffer[] = [Buffer.from(raw, 'latin1')];
    for (let at = 0; at < data.length; ) {
      const n = Math.min(data.length - at, 1 + Math.floor(r() * 400));
      pieces.push(Buffer.from(`${n.toString(16)}\r\n`, 'latin1'), data.subarray(at, at + n), Buffer.from('\r\n', 'latin1'));
      at += n;
    }
    pieces.push(Buffer.from('0\r\n\r\n', 'latin1'));
    const bytes = Buffer.concat(pieces);
    raw = '';
    const slab = Buffer.alloc(bytes.length + 64);
    bytes.copy(slab, 16);
    // Consecutive reads: views of the slab one after the other, cut at random.
    const cuts = Array.from({ length: Math.floor(r() * 12) }, () => Math.floor(r() * bytes.length)).sort((a, b) => a - b);
    const p = new ResponseParser();
    const body: Buffer[] = [];
    let from = 0;
    for (const c of [...cuts, bytes.length]) {
      p.push(slab.subarray(16 + from, 16 + c), body);
      from = c;
    }
    if (!p.done) return t.fail(`round ${round}: not done`);
    if (!Buffer.concat(body).equals(data)) return t.fail(`round ${round}: body differs (cuts ${cuts.join(',')})`);
    // One run: each piece starts where the one before ended, in the slab.
    for (let k = 1; k < body.length; k++) {
      if (body[k].buffer !== slab.buffer || body[k].byteOffset !== body[k - 1].byteOffset + body[k - 1].length) {
        return t.fail(`round ${round}: piece ${k} does not follow piece ${k - 1} (cuts ${cuts.join(',')})`);
      }
    }
  }
  t.pass('300 responses, random chunks and reads');
});

t.test('a push that does not follow the previous one in memory is not joined to it', async (t) => {
  const raw = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n', 'latin1');
  const cut = raw.indexOf('3\r\ndef');
  // The two pushes in one buffer with someone else's bytes between them, and in buffers of their own.
  const shared = Buffer.concat([raw.subarray(0, cut), Buffer.from('FOREIGN', 'latin1'), raw.subarray(cut)]);
  const apart: [Buffer, Buffer] = [own(raw.subarray(0, cut)), own(raw.subarray(cut))];
  for (const [name, first, second] of [
    ['one buffer, a gap', shared.subarray(0, cut), shared.subarray(cut + 7)],
    ['two buffers', apart[0], apart[1]],
  ] as const) {
    const p = new ResponseParser();
    const body: Buffer[] = [];
    p.push(first, body);
    const before = Buffer.from(shared);
    p.push(second, body);
    t.same(body.map((b) => b.toString()), ['abc', 'def'], name);
    t.equal(body[1].byteOffset, second.byteOffset + second.indexOf('def'), `${name}: "def" where it came`);
    t.ok(shared.equals(before), `${name}: nothing outside the second push is written to`);
  }
});

t.test('malformed: status line and header lines', async (t) => {
  const bad: [string, RegExp][] = [
    ['HTTP/2 200 OK\r\n\r\n', /^malformed HTTP response: not an HTTP\/1\.x status line: "HTTP\/2 200 OK"/],
    ['HTTP/1.1 20 OK\r\n\r\n', /^malformed HTTP response: not an HTTP\/1\.x status line/],
    ['ICY 200 OK\r\n\r\n', /^malformed HTTP response: not an HTTP\/1\.x status line/],
    ['HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', /^malformed HTTP response: bad header line "no colon here"/],
    ['HTTP/1.1 200 OK\r\n: empty name\r\n\r\n', /^malformed HTTP response: bad header line/],
    ['HTTP/1.1 200 OK\r\nA: b\r\n folded: c\r\n\r\n', /^malformed HTTP response: bad header line/],
  ];
  for (const [raw, message] of bad) {
    for (const oneByte of [false, true]) {
      const err = parseError(raw, { oneByte });
      t.type(err, StorageError, raw);
      t.match(err.message, message, `${JSON.stringify(raw)} oneByte=${oneByte}`);
    }
  }
});

t.test('malformed: a header section over the limit, in one push or many', async (t) => {
  const head = `HTTP/1.1 200 OK\r\nX-Big: ${'v'.repeat(200)}\r\nContent-Length: 0\r\n\r\n`;
  t.equal(parse([Buffer.from(head)], { maxHeadBytes: head.length }).status, 200, 'exactly at the limit is fine');
  for (const oneByte of [false, true]) {
    const err = parseError(head, { maxHeadBytes: head.length - 1, oneByte });
    t.type(err, StorageError);
    t.equal(err.message, `malformed HTTP response: header section larger than ${head.length - 1} bytes`);
  }
  // A head that never ends is refused once past the limit, not buffered forever.
  const p = new ResponseParser(100);
  t.throws(() => {
    for (let k = 0; k < 100; k++) p.push(Buffer.from('X-Long: aaaaaaaaaaaaaaaaaa\r\n'), []);
  }, { name: 'StorageError', message: 'malformed HTTP response: header section larger than 100 bytes' });
});

t.test('malformed: chunk framing', async (t) => {
  const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
  const bad: [string, RegExp][] = [
    ['zz\r\nab\r\n0\r\n\r\n', /^malformed HTTP response: bad chunk size line "zz" \(chunk 0\)/],
    ['2\r\nab\r\nq1\r\nc\r\n0\r\n\r\n', /^malformed HTTP response: bad chunk size line "q1" \(chunk 1\)/],
    ['\r\n', /^malformed HTTP response: bad chunk size line "" \(chunk 0\)/],
    [';ext\r\n', /^malformed HTTP response: bad chunk size line/],
    ['-1\r\n', /^malformed HTTP response: bad chunk size line/],
    ['10000000000000\r\n', /^malformed HTTP response: bad chunk size line "10000000000000"/], // 14 hex digits
    ['fffffffffffffff;x\r\n', /^malformed HTTP response: bad chunk size line/],
    ['3\r\nabcd\r\n0\r\n\r\n', /^malformed HTTP response: chunk 0 is longer than its declared size/],
    ['1\r\na\r\n3\r\nabcXYZ\r\n0\r\n\r\n', /^malformed HTTP response: chunk 1 is longer than its declared size/],
    [`1;${'e'.repeat(5000)}\r\n`, /^malformed HTTP response: line longer than 4096 bytes/],
    [`0\r\nX-T: ${'t'.repeat(5000)}\r\n\r\n`, /^malformed HTTP response: line longer than 4096 bytes/],
  ];
  for (const [raw, message] of bad) {
    for (const oneByte of [false, true]) {
      const err = parseError(head + raw, { oneByte });
      t.type(err, StorageError);
      t.match(err.message, message, `${JSON.stringify(raw.slice(0, 40))} oneByte=${oneByte}`);
    }
  }
  // 13 hex digits is the most a size may have; leading zeros do not count.
  const p = new ResponseParser();
  p.push(Buffer.from(`${head}0000000000000000000000003\r\nabc\r\n`), []);
  t.equal(p.bodyBytes, 3);
  const q = new ResponseParser();
  q.push(Buffer.from(`${head}fffffffffffff\r\nab`), []);
  t.equal(q.bodyBytes, 2, '13 digits accepted');
});

t.test('malformed: Content-Length', async (t) => {
  for (const cl of ['-1', 'abc', '', '1.5', '0x10', '3, 4', '1234567890123456', '+3']) {
    const err = parseError(`HTTP/1.1 200 OK\r\nContent-Length: ${cl}\r\n\r\nabc`);
    t.type(err, StorageError);
    t.equal(err.message, `malformed HTTP response: bad Content-Length ${JSON.stringify(cl)}`, cl);
  }
  const err = parseError('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd');
  t.equal(err.message, 'malformed HTTP response: bad Content-Length "3, 4"');
});

t.test('end() before the response is complete says where it stopped', async (t) => {
  const endAfter = (raw: string): Error => {
    const p = new ResponseParser();
    p.push(Buffer.from(raw, 'latin1'), []);
    try {
      p.end();
    } catch (err) {
      return err as Error;
    }
    throw new Error('end() did not throw');
  };
  const e0 = endAfter('HTTP/1.1 200 OK\r\nContent-Le');
  t.type(e0, StorageError);
  t.equal(e0.message, 'HTTP response ended inside its header (27 bytes received)');
  t.throws(() => new ResponseParser().end(), { message: 'HTTP response ended inside its header (0 bytes received)' });
  t.throws(() => {
    const p = new ResponseParser();
    p.push(Buffer.from('HTTP/1.1 100 Continue\r\n\r\n'), []);
    p.end();
  }, { message: /^HTTP response ended inside its header/ });

  const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
  t.equal(endAfter(`${chunked}5\r\nhel`).message, 'HTTP response ended inside chunk 0 of its body (3 body bytes received)');
  t.equal(endAfter(`${chunked}5\r\nhello\r\n4\r\nwo`).message, 'HTTP response ended inside chunk 1 of its body (7 body bytes received)');
  t.match(endAfter(`${chunked}5\r\nhello`).message, /^HTTP response ended inside chunk 0 of its body/, 'before the CRLF after the data');
  t.match(endAfter(`${chunked}5\r\nhello\r\n`).message, /^HTTP response ended inside chunk/, 'before the next size line');
  t.match(endAfter(`${chunked}0\r\nX-T: 1\r\n`).message, /^HTTP response ended inside chunk/, 'inside the trailers');
  t.type(endAfter(`${chunked}5\r\nhel`), StorageError);

  const cl = endAfter('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789');
  t.type(cl, StorageError);
  t.equal(cl.message, 'HTTP response ended after 10 of 100 body bytes');
  t.equal(endAfter('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n').message, 'HTTP response ended after 0 of 100 body bytes');
});

/** The raw bytes a real node:http server sends for one request (read by a raw socket up to the close). */
async function rawResponseOf(t: Test, handler: http.RequestListener, request = 'GET /x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'): Promise<Buffer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as net.AddressInfo;
  return new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    const s = net.connect(port, '127.0.0.1', () => s.write(request));
    s.on('data', (d: Buffer) => parts.push(d));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(parts)));
  });
}

t.test("node:http's own bytes: several res.write parts (chunked, with a trailer) parse to what was written", async (t) => {
  const written = ['first part,', Buffer.alloc(3000, 'x').toString(), '', 'ünïcode', 'last'];
  const raw = await rawResponseOf(t, (req, res) => {
    res.setHeader('X-Test', 'yes');
    res.setHeader('Trailer', 'X-Sum');
    res.setHeader('Set-Cookie', ['a=1', 'b=2']);
    void (async () => {
      for (const w of written.slice(0, -1)) {
        res.write(w);
        await new Promise((r) => setTimeout(r, 5));
      }
      res.addTrailers({ 'X-Sum': 'abc' });
      res.end(written.at(-1));
    })();
  });
  t.match(raw.toString('latin1'), /transfer-encoding: chunked/i, 'node chose chunked');
  const want = Buffer.from(written.join('')).toString('latin1');
  for (const parts of [[raw], splitAt(raw, [1, 50, 100, 150, 200, raw.length - 3]), [...raw].map((b) => Buffer.from([b]))]) {
    const got = parse(parts);
    t.equal(got.status, 200);
    t.equal(got.reason, 'OK');
    t.equal(got.headers['x-test'], 'yes');
    t.equal(got.headers['set-cookie'], 'a=1, b=2');
    t.equal(got.body, want);
    t.equal(got.bodyBytes, Buffer.byteLength(written.join('')));
    t.equal(got.done, true);
    t.equal(got.keepAlive, false, 'node answers Connection: close to a request that asked for it');
  }
});

t.test("node:http's own bytes: a Content-Length answer, and a keep-alive one", async (t) => {
  const payload = Buffer.from(Array.from({ length: 1000 }, (_, k) => k % 251));
  const raw = await rawResponseOf(t, (req, res) => {
    res.writeHead(404, 'Nope', { 'Content-Length': payload.length });
    res.end(payload);
  });
  const got = parse([raw]);
  t.equal(got.status, 404);
  t.equal(got.reason, 'Nope');
  t.equal(got.body, payload.toString('latin1'));
  t.ok(got.done);

  // Keep-alive: read only until the parser is done (the server keeps the socket open).
  const server = http.createServer((req, res) => {
    res.write('a');
    res.end('bc');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as net.AddressInfo;
  const p = new ResponseParser();
  const body: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
    s.on('data', (d: Buffer) => {
      p.push(d, body);
      if (p.done) {
        s.destroy();
        resolve();
      }
    });
    s.on('error', reject);
    s.on('close', () => reject(new Error('closed before the parser was done')));
  });
  t.equal(Buffer.concat(body).toString(), 'abc');
  t.equal(p.keepAlive, true);
});

t.test('fuzz: mutated and random responses, cut anywhere, only ever give StorageErrors (no other throw, no hang)', async (t) => {
  const seeds = [
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: x\r\n\r\n5;e=1\r\nhello\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nT: v\r\n\r\n',
    'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 404 Not Found\r\nContent-Length: 9\r\nConnection: keep-alive\r\n\r\nnot found',
    'HTTP/1.1 200 OK\nContent-Length: 3\n\nabc',
  ].map((s) => Buffer.from(s, 'latin1'));
  const r = mulberry32(20261122);
  let errors = 0;
  let completed = 0;
  for (let round = 0; round < 3000; round++) {
    let bytes: Buffer;
    if (round % 10 === 9) {
      bytes = Buffer.alloc(Math.floor(r() * 200));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(r() * 256);
    } else {
      bytes = Buffer.from(seeds[round % seeds.length]);
      for (let k = 1 + Math.floor(r() * 3); k > 0; k--) bytes[Math.floor(r() * bytes.length)] = r() < 0.5 ? Math.floor(r() * 256) : '\r\n0:;'.charCodeAt(Math.floor(r() * 5));
    }
    const p = new ResponseParser(256);
    try {
      let at = 0;
      while (at < bytes.length) {
        const n = 1 + Math.floor(r() * 40);
        p.push(bytes.subarray(at, at + n), []);
        at += n;
      }
      p.end();
      completed++;
    } catch (err) {
      if (!(err instanceof StorageError)) {
        t.fail(`round ${round}: ${(err as Error).name}: ${(err as Error).message} on ${JSON.stringify(bytes.toString('latin1'))}`);
        return;
      }
      errors++;
    }
  }
  t.ok(errors > 100 && completed > 100, `${errors} refused, ${completed} parsed: both kinds of outcome were exercised`);
});
