// Http1Client against real node:http / net / tls servers on 127.0.0.1: streamed bodies, the keep-alive
// pool and its retry of a stale pooled connection, deadlines, aborts, the maxSockets limit, backpressure,
// early exit, TLS verification, basic auth, and PrometheusHttp.post's error for a non-200 answer.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { QueryCanceledError, QueryTimeoutError, StorageError } from '../../../src/model/index.js';
import { Http1Client, type Http1ClientOptions, type StreamedResponse } from '../../../src/sidecar/http1/client.js';
import { PrometheusHttp } from '../../../src/sidecar/prometheus-http.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Served {
  url: string;
  port: number;
  /** Connections accepted so far. */
  connections: number;
  /** Requests seen so far. */
  requests: http.IncomingMessage[];
  sockets: net.Socket[];
}

/** A node:http server on 127.0.0.1:0 that counts connections and requests; closed at teardown. */
async function serve(t: Test, handler: (req: http.IncomingMessage, res: http.ServerResponse, s: Served) => void, setup?: (server: http.Server) => void): Promise<Served> {
  const served: Served = { url: '', port: 0, connections: 0, requests: [], sockets: [] };
  const server = http.createServer((req, res) => {
    served.requests.push(req);
    handler(req, res, served);
  });
  setup?.(server);
  server.on('connection', (s: net.Socket) => {
    served.connections++;
    served.sockets.push(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  served.port = (server.address() as net.AddressInfo).port;
  served.url = `http://127.0.0.1:${served.port}/`;
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return served;
}

function client(t: Test, url: string, opts: Partial<Http1ClientOptions> = {}): Http1Client {
  const c = new Http1Client(new URL(url), { timeoutMs: 10_000, ...opts });
  t.teardown(() => c.close());
  return c;
}

async function readAll(res: StreamedResponse): Promise<{ text: string; groups: number }> {
  const parts: Buffer[] = [];
  let groups = 0;
  for await (const group of res.body()) {
    groups++;
    parts.push(...group);
  }
  return { text: Buffer.concat(parts).toString(), groups };
}

const post = (c: Http1Client, p = '/api/v1/read', body = Buffer.from('req'), signal?: AbortSignal): Promise<StreamedResponse> =>
  c.request('POST', p, { 'content-type': 'application/x-protobuf' }, body, signal);

/** A condition the test waits for, polled (no tight timing). */
async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

t.test('a chunked response written in parts with pauses arrives complete and in order; status, headers, request', async (t) => {
  const parts = Array.from({ length: 20 }, (_, k) => `part-${k};`);
  let gotBody = '';
  const s = await serve(t, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      gotBody = Buffer.concat(chunks).toString();
      res.writeHead(200, 'Fine', { 'Content-Type': 'application/x-streamed-protobuf', 'X-Multi': ['a', 'b'] });
      void (async () => {
        for (const p of parts) {
          res.write(p);
          await sleep(3);
        }
        res.end();
      })();
    });
  });
  const c = client(t, s.url);
  const res = await post(c, '/api/v1/read?x=1', Buffer.from('the request body'));
  t.equal(res.status, 200);
  t.equal(res.reason, 'Fine');
  t.equal(res.headers.get('content-type'), 'application/x-streamed-protobuf');
  t.equal(res.headers.get('x-multi'), 'a, b');
  t.equal(res.headers.get('transfer-encoding'), 'chunked');
  const { text, groups } = await readAll(res);
  t.equal(text, parts.join(''));
  t.ok(groups > 1, `the body streamed in ${groups} groups`);
  t.equal(res.complete, true);
  const req = s.requests[0];
  t.equal(req.method, 'POST');
  t.equal(req.url, '/api/v1/read?x=1');
  t.equal(req.headers.host, `127.0.0.1:${s.port}`);
  t.equal(req.headers['content-type'], 'application/x-protobuf');
  t.equal(req.headers['content-length'], '16');
  t.equal(gotBody, 'the request body');
});

t.test('status other than 200 resolves too; the caller decides', async (t) => {
  const s = await serve(t, (req, res) => {
    res.writeHead(503, { 'Content-Length': 4 });
    res.end('busy');
  });
  const res = await post(client(t, s.url));
  t.equal(res.status, 503);
  t.equal(res.reason, 'Service Unavailable');
  t.equal((await readAll(res)).text, 'busy');
});

t.test('sequential requests reuse one connection', async (t) => {
  const s = await serve(t, (req, res) => {
    req.resume();
    req.on('end', () => res.end(`answer ${s.requests.length}`));
  });
  const c = client(t, s.url);
  for (let k = 1; k <= 3; k++) t.equal((await readAll(await post(c))).text, `answer ${k}`);
  t.equal(s.requests.length, 3);
  t.equal(s.connections, 1);
});

t.test('maxIdle 0 keeps no connection; idleMs drops an idle one', async (t) => {
  const s = await serve(t, (req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  const none = client(t, s.url, { maxIdle: 0 });
  await readAll(await post(none));
  await readAll(await post(none));
  t.equal(s.connections, 2, 'maxIdle 0: a connection per request');
  await until('the server to see the first one closed', () => s.sockets[0].destroyed);

  const brief = client(t, s.url, { idleMs: 50 });
  await readAll(await post(brief));
  t.equal(s.connections, 3);
  await until('the idle connection to be dropped', () => s.sockets[2].destroyed);
  await readAll(await post(brief));
  t.equal(s.connections, 4, 'a new connection after idleMs');
});

t.test('a pooled connection the server closed while idle is not used again', async (t) => {
  const s = await serve(
    t,
    (req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    },
    (server) => {
      server.keepAliveTimeout = 50;
    },
  );
  const c = client(t, s.url);
  t.equal((await readAll(await post(c))).text, 'ok');
  await until('the server to close the idle connection', () => s.sockets[0].destroyed);
  await sleep(50);
  t.equal((await readAll(await post(c))).text, 'ok');
  t.equal(s.connections, 2);
});

t.test('a reused connection the server drops on the next request, before any response byte: sent once more on a new one', async (t) => {
  const perSocket = new Map<net.Socket, number>();
  const s = await serve(t, (req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    // Second request on a connection: dropped unanswered, as a server closing an idle connection races us.
    if (n > 1) {
      req.socket.destroy();
      return;
    }
    req.resume();
    req.on('end', () => res.end(`answer on connection ${s.connections}`));
  });
  const c = client(t, s.url);
  t.equal((await readAll(await post(c))).text, 'answer on connection 1');
  t.equal((await readAll(await post(c))).text, 'answer on connection 2');
  t.equal(s.requests.length, 3, 'one request dropped, then sent again');
  t.equal(s.connections, 2);
});

t.test('a new connection closed before answering fails with a StorageError, without retrying', async (t) => {
  const s = await serve(t, (req) => req.socket.destroy());
  const c = client(t, s.url);
  await t.rejects(post(c), StorageError);
  await t.rejects(post(c), { name: 'StorageError', message: new RegExp(`^POST http://127\\.0\\.0\\.1:${s.port}/api/v1/read: `) });
  t.equal(s.requests.length, 2, 'one request per call');
});

t.test('connection refused is a StorageError naming the origin', async (t) => {
  // A port that was just free: listen, note it, close.
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  const c = client(t, `http://127.0.0.1:${port}/`);
  await t.rejects(post(c), { name: 'StorageError', message: new RegExp(`^POST http://127\\.0\\.0\\.1:${port}/api/v1/read: .*ECONNREFUSED`) });
});

t.test('a Connection: close answer is not reused', async (t) => {
  const s = await serve(t, (req, res) => {
    req.resume();
    res.setHeader('Connection', 'close');
    req.on('end', () => res.end('bye'));
  });
  const c = client(t, s.url);
  t.equal((await readAll(await post(c))).text, 'bye');
  t.equal((await readAll(await post(c))).text, 'bye');
  t.equal(s.connections, 2);
});

t.test('a close-delimited body is read up to the close', async (t) => {
  const srv = net.createServer((sock) => {
    sock.once('data', () => {
      sock.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil ');
      setTimeout(() => sock.end('the end'), 20);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => srv.close(() => resolve())));
  const c = client(t, `http://127.0.0.1:${(srv.address() as net.AddressInfo).port}/`);
  const res = await post(c);
  t.equal((await readAll(res)).text, 'until the end');
  t.equal(res.complete, true);
});

t.test('a malformed response is a StorageError naming the request', async (t) => {
  const srv = net.createServer((sock) => sock.once('data', () => sock.write('HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n')));
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => srv.close(() => resolve())));
  const c = client(t, `http://127.0.0.1:${(srv.address() as net.AddressInfo).port}/`);
  await t.rejects(post(c), { name: 'StorageError', message: /^POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/read: malformed HTTP response: bad Content-Length/ });
});

t.test('a body cut short by the close is an error for its reader', async (t) => {
  const srv = net.createServer((sock) =>
    sock.once('data', () => {
      sock.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this');
      setTimeout(() => sock.end(), 20);
    }),
  );
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => srv.close(() => resolve())));
  const c = client(t, `http://127.0.0.1:${(srv.address() as net.AddressInfo).port}/`);
  const res = await post(c);
  await t.rejects(readAll(res), { name: 'StorageError', message: /connection closed: HTTP response ended after 9 of 100 body bytes/ });
  t.equal(res.complete, false);
});

t.test('timeoutMs: a server that never answers', async (t) => {
  const sockets: net.Socket[] = [];
  const srv = net.createServer((sock) => {
    sockets.push(sock);
    sock.resume();
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => srv.close(() => resolve()));
  });
  const c = client(t, `http://127.0.0.1:${(srv.address() as net.AddressInfo).port}/`, { timeoutMs: 300 });
  const start = Date.now();
  await t.rejects(post(c), { name: 'StorageError', message: /no response within 300 ms/ });
  const took = Date.now() - start;
  t.ok(took >= 250, `not before the deadline (${took} ms)`);
  t.ok(took < 5000, `about at the deadline (${took} ms)`);
  await until('the client to close its connection', () => sockets.length === 1 && sockets[0].destroyed, 5000).catch(() => {});
  t.ok(sockets[0].readableEnded || sockets[0].destroyed, 'the connection is dropped');
});

t.test('abort before the head: the signal reason as throwIfAborted maps it', async (t) => {
  const s = await serve(t, () => {}); // never answers
  const c = client(t, s.url);

  const ac = new AbortController();
  const p = post(c, '/api/v1/read', undefined, ac.signal);
  await until('the request to reach the server', () => s.requests.length === 1);
  ac.abort();
  await t.rejects(p, { name: 'QueryCanceledError', message: `query was canceled in POST http://127.0.0.1:${s.port}/api/v1/read` });
  await t.rejects(p, QueryCanceledError);

  // A QueryTimeoutError reason comes out as itself; a TimeoutError one as a QueryTimeoutError.
  const mine = new QueryTimeoutError('my query');
  const ac2 = new AbortController();
  const p2 = post(c, '/api/v1/read', undefined, ac2.signal);
  await until('the second request', () => s.requests.length === 2);
  ac2.abort(mine);
  t.equal(await p2.then(() => undefined, (err: unknown) => err), mine);

  const p3 = post(c, '/api/v1/read', undefined, AbortSignal.timeout(100));
  await t.rejects(p3, QueryTimeoutError);

  // Already aborted: nothing is sent.
  const before = s.requests.length;
  await t.rejects(post(c, '/api/v1/read', undefined, AbortSignal.abort()), QueryCanceledError);
  await sleep(50);
  t.equal(s.requests.length, before);
});

t.test('abort during the body: the reader gets the cancel and the connection is closed', async (t) => {
  const s = await serve(t, (req, res) => {
    res.write('first');
  });
  const c = client(t, s.url);
  const ac = new AbortController();
  const res = await post(c, '/x', undefined, ac.signal);
  const it = res.body()[Symbol.asyncIterator]();
  const first = await it.next();
  t.equal(Buffer.concat(first.value as Buffer[]).toString(), 'first');
  const pending = it.next();
  ac.abort();
  await t.rejects(pending, { name: 'QueryCanceledError', message: /^query was canceled in POST http:\/\/127\.0\.0\.1:\d+\/x$/ });
  await until('the server to see the close', () => s.sockets[0].destroyed);
  t.pass('server-side socket closed');
});

t.test('maxSockets 1: a second request waits until the first body is complete', async (t) => {
  let inFlight = 0;
  let maxInFlight = 0;
  const order: string[] = [];
  const s = await serve(t, (req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    order.push(`start ${req.url}`);
    req.resume();
    res.on('finish', () => {
      inFlight--;
      order.push(`end ${req.url}`);
    });
    void (async () => {
      for (let k = 0; k < 5; k++) {
        res.write(`${req.url}:${k};`);
        await sleep(20);
      }
      res.end();
    })();
  });
  const c = client(t, s.url, { maxSockets: 1 });
  const [a, b] = await Promise.all([post(c, '/a').then(readAll), post(c, '/b').then(readAll)]);
  t.equal(a.text, '/a:0;/a:1;/a:2;/a:3;/a:4;');
  t.equal(b.text, '/b:0;/b:1;/b:2;/b:3;/b:4;');
  t.equal(maxInFlight, 1);
  t.same(order, ['start /a', 'end /a', 'start /b', 'end /b']);
  t.equal(s.connections, 1, 'and the second reuses the first one’s connection');
});

t.test('maxSockets 1: waiting for a slot is bounded by timeoutMs and by the signal', async (t) => {
  const s = await serve(t, () => {}); // holds the only slot
  const c = client(t, s.url, { maxSockets: 1, timeoutMs: 400 });
  const first = post(c, '/hold');
  const ac = new AbortController();
  const second = post(c, '/queued', undefined, ac.signal);
  await sleep(50);
  ac.abort();
  await t.rejects(second, QueryCanceledError);
  await t.rejects(first, { message: /no response within 400 ms/ });
  t.equal(s.requests.length, 1);
});

t.test('backpressure: an unread body pauses the socket until the server cannot write', async (t) => {
  let written = 0;
  let blocked = false;
  let finished = false;
  const piece = Buffer.alloc(64 * 1024, 'z');
  const LIMIT = 64 * 1024 * 1024; // far above loopback socket buffers; a client that never pauses reads it all
  await serve(t, (req, res) => {
    void (async () => {
      while (written < LIMIT) {
        written += piece.length;
        if (!res.write(piece)) {
          const drained = await Promise.race([new Promise<boolean>((r) => res.once('drain', () => r(true))), sleep(1000).then(() => false)]);
          if (!drained) {
            blocked = true;
            await new Promise((r) => res.once('drain', r));
          }
        }
      }
      res.end();
      finished = true;
    })();
  }).then(async (s) => {
    const c = client(t, s.url, { highWaterBytes: 16 * 1024 });
    const res = await post(c);
    await until('the server to block', () => blocked || finished, 30_000);
    t.ok(blocked, `the server's writes blocked after ${written} bytes`);
    t.notOk(finished, 'not everything was sent');
    // Reading resumes the socket; everything arrives.
    let got = 0;
    for await (const group of res.body()) for (const b of group) got += b.length;
    t.equal(got, written);
    t.ok(finished);
  });
});

t.test('destroy() mid-body closes the connection; the server sees it', async (t) => {
  const s = await serve(t, (req, res) => res.write('partial'));
  const c = client(t, s.url);
  const res = await post(c);
  const it = res.body()[Symbol.asyncIterator]();
  await it.next();
  res.destroy();
  await until('the server-side socket to close', () => s.sockets[0].destroyed);
  t.equal(res.complete, false);
  await t.rejects(it.next(), { name: 'StorageError', message: /response abandoned/ });
  // The slot is free again: a new request gets a new connection.
  s.sockets.length = 0;
  const s2 = await serve(t, (req, res) => res.end('x'));
  const c2 = client(t, s2.url, { maxSockets: 1 });
  const r1 = await post(c2);
  r1.destroy(); // already complete: nothing to drop, the connection stays pooled
  t.equal((await readAll(await post(c2))).text, 'x');
  t.equal(s2.connections, 1);
});

t.test('breaking out of body() early drops the connection', async (t) => {
  const s = await serve(t, (req, res) => {
    res.write('one');
    setTimeout(() => res.write('two'), 20);
  });
  const c = client(t, s.url, { maxSockets: 1 });
  const res = await post(c);
  for await (const group of res.body()) {
    t.equal(Buffer.concat(group).toString(), 'one');
    break;
  }
  await until('the server-side socket to close', () => s.sockets[0].destroyed);
  t.pass('closed');
});

/** A self-signed certificate for CN=localhost made by openssl now, or undefined when openssl is missing. */
function selfSigned(): { key: Buffer; cert: Buffer } | undefined {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'promfed-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pair = selfSigned();
t.test('https: a self-signed certificate is refused (verification on by default)', { skip: pair === undefined ? 'openssl not available to make a certificate' : false }, async (t) => {
  if (pair === undefined) return;
  let requests = 0;
  let tlsErrors = 0;
  const server = https.createServer(pair, (req, res) => {
    requests++;
    res.end('should not get here');
  });
  server.on('tlsClientError', () => tlsErrors++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const port = (server.address() as net.AddressInfo).port;
  // The server is real: node's own https client with verification off talks to it.
  const body = await new Promise<string>((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, rejectUnauthorized: false }, (res) => {
      let s = '';
      res.on('data', (d: Buffer) => (s += d.toString()));
      res.on('end', () => resolve(s));
    }).on('error', reject);
  });
  t.equal(body, 'should not get here');
  const before = requests;
  for (const host of ['127.0.0.1', 'localhost']) {
    const c = client(t, `https://${host}:${port}/`);
    await t.rejects(post(c), { name: 'StorageError', message: new RegExp(`^POST https://${host}:${port}/api/v1/read: .*(self[- ]signed|certificate)`, 'i') });
  }
  t.equal(requests, before, 'no request got through');
});

t.test('basic auth from the URL userinfo (percent-decoded); the path is sent as given', async (t) => {
  const s = await serve(t, (req, res) => res.end('ok'));
  const c = client(t, s.url.replace('http://', 'http://us%3Aer:p%40ss@'));
  await readAll(await post(c, '/prom/prefix/api/v1/read'));
  t.equal(s.requests[0].headers.authorization, `Basic ${Buffer.from('us:er:p@ss').toString('base64')}`);
  t.equal(s.requests[0].url, '/prom/prefix/api/v1/read');
  t.equal(s.requests[0].headers.host, `127.0.0.1:${s.port}`, 'no userinfo in Host');

  const plain = client(t, s.url);
  await readAll(await post(plain));
  t.equal(s.requests[1].headers.authorization, undefined, 'no userinfo, no authorization');
});

t.test('the constructor refuses non-http URLs; a closed client refuses requests', async (t) => {
  t.throws(() => new Http1Client(new URL('ftp://127.0.0.1/'), { timeoutMs: 1000 }), TypeError);
  const s = await serve(t, (req, res) => res.end('ok'));
  const c = client(t, s.url);
  c.close();
  await t.rejects(post(c), { name: 'StorageError', message: /client closed/ });
  t.equal(s.requests.length, 0);
});

t.test('close() fails the requests in flight', async (t) => {
  const s = await serve(t, () => {});
  const c = client(t, s.url);
  const p = post(c);
  await until('the request to reach the server', () => s.requests.length === 1);
  c.close();
  await t.rejects(p, { name: 'StorageError', message: /client closed/ });
});

t.test('PrometheusHttp.post: a non-200 answer is a StorageError with the status and the quoted text', async (t) => {
  const s = await serve(t, (req, res) => {
    req.resume();
    res.writeHead(422, 'Unprocessable Entity', { 'Content-Type': 'text/plain' });
    res.end('  remote read: too many samples\n');
  });
  const prom = new PrometheusHttp(`${s.url}prefix`, { timeoutMs: 5000 });
  t.teardown(() => prom.close());
  await t.rejects(prom.post('api/v1/read', Buffer.from('x'), { 'content-type': 'application/x-protobuf' }), {
    name: 'StorageError',
    message: 'POST /prefix/api/v1/read: 422 Unprocessable Entity: remote read: too many samples',
  });
  t.equal(s.requests[0].url, '/prefix/api/v1/read');

  const ok = await serve(t, (req, res) => res.end('body'));
  const prom2 = new PrometheusHttp(ok.url, { timeoutMs: 5000 });
  t.teardown(() => prom2.close());
  const res = await prom2.post('api/v1/read', Buffer.from('x'), {});
  t.equal((await readAll(res)).text, 'body');
});
