// Unit tests of the store's small parts: postings set algebra, set-regex detection, flag value syntax, the
// byte semaphore and the index cache budget. Expected values are hand-computed.
import t from 'tap';
import { IndexCache, intersect, parseBase2Bytes, parseTimeOrDuration, resolveTime, Semaphore, setRegexValues, subtract, union } from '../../src/store/index.js';

const u = (...xs: number[]): Uint32Array => Uint32Array.from(xs);

t.test('postings algebra on ascending lists', async (t) => {
  t.same([...union([u(1, 4, 9), u(2, 4, 10), u()])], [1, 2, 4, 9, 10]);
  t.same([...union([])], []);
  t.same([...intersect(u(1, 3, 5, 7), u(3, 4, 7, 8))], [3, 7]);
  t.same([...intersect(u(), u(1))], []);
  t.same([...subtract(u(1, 2, 3, 4, 5), u(2, 4, 6))], [1, 3, 5]);
  t.same([...subtract(u(1, 2), u())], [1, 2]);
});

t.test('set regex fast path: only alternations of literals', async (t) => {
  t.same(setRegexValues('a|b|c'), ['a', 'b', 'c']);
  t.same(setRegexValues('api'), ['api']);
  t.equal(setRegexValues('a|b.*'), undefined);
  t.equal(setRegexValues('a||b'), undefined, 'an empty alternative matches "" — not a plain set');
  t.equal(setRegexValues(''), undefined);
  t.equal(setRegexValues('(a|b)'), undefined);
});

t.test('sizes are kingpin Base2Bytes: MB = 2^20', async (t) => {
  t.equal(parseBase2Bytes('250MB'), 250 * 1024 * 1024);
  t.equal(parseBase2Bytes('2GB'), 2 * 1024 ** 3);
  t.equal(parseBase2Bytes('512MiB'), 512 * 1024 ** 2);
  t.equal(parseBase2Bytes('1GB512MB'), 1024 ** 3 + 512 * 1024 ** 2);
  t.equal(parseBase2Bytes('4096'), 4096);
  for (const bad of ['', 'MB', '5XB', '12 MB', '-1MB', '1MBx']) t.equal(parseBase2Bytes(bad), undefined, bad);
});

t.test('times: RFC 3339 or a signed duration relative to now', async (t) => {
  const now = Date.UTC(2024, 5, 1);
  t.equal(resolveTime(parseTimeOrDuration('2024-01-01T00:00:00Z')!, now), Date.UTC(2024, 0, 1));
  t.equal(resolveTime(parseTimeOrDuration('-2w')!, now), now - 14 * 86400_000);
  t.equal(resolveTime(parseTimeOrDuration('-1h30m')!, now), now - 5400_000);
  t.equal(resolveTime(parseTimeOrDuration('3d')!, now), now + 3 * 86400_000);
  t.equal(parseTimeOrDuration('yesterday'), undefined);
  t.equal(parseTimeOrDuration('2024-13-01T00:00:00Z'), undefined);
});

t.test('semaphore: waits in order, a request larger than the capacity runs alone, aborts leave no leak', async (t) => {
  const s = new Semaphore(100);
  await s.acquire(60);
  const order: string[] = [];
  const a = s.acquire(50).then(() => order.push('a'));
  const b = s.acquire(10).then(() => order.push('b')); // fits now, but must not overtake a
  await new Promise((r) => setImmediate(r));
  t.same(order, []);
  s.release(60);
  await Promise.all([a, b]);
  t.same(order, ['a', 'b']);
  t.equal(s.used, 60);
  const big = s.acquire(1000);
  const ac = new AbortController();
  const aborted = s.acquire(5, ac.signal);
  ac.abort();
  await t.rejects(aborted, /waiting/);
  s.release(60);
  await big; // alone
  t.equal(s.used, 1000);
  s.release(1000);
  t.equal(s.used, 0);
  t.equal(s.waiting, 0);
});

t.test('index cache stays within its byte budget and counts hits and misses', async (t) => {
  const events = { hit: 0, miss: 0 };
  const c = new IndexCache(10_000, { hit: () => events.hit++, miss: () => events.miss++ });
  // IDs 256 apart: each entry in its own page (the unit of eviction).
  for (let i = 0; i < 100; i++) c.setSeries('B', i * 256, new Uint8Array(500));
  t.ok(c.size <= 10_000, `size ${c.size}`);
  t.ok(c.items > 0 && c.items < 100, `${c.items} items kept`);
  t.ok(c.getSeries('B', 99 * 256), 'the newest is kept');
  t.equal(c.getSeries('B', 0), undefined, 'the oldest was evicted');
  t.same(events, { hit: 1, miss: 1 });
  c.setPostings('B', 'job', 'api', u(1, 2));
  t.same([...c.getPostings('B', 'job', 'api')!], [1, 2]);
  t.equal(c.getPostings('B', 'job', 'web'), undefined);
  c.setSeries('B', 1000, new Uint8Array(20_000)); // larger than the whole budget: refused, nothing evicted
  t.equal(c.getSeries('B', 1000), undefined);
  c.dropBlock('B');
  t.equal(c.items, 0);
  const off = new IndexCache(0);
  off.setSeries('B', 1, new Uint8Array(1));
  t.equal(off.getSeries('B', 1), undefined);
});

t.test('index cache pages: entries sharing a page are found, counted and evicted together', async (t) => {
  const events = { hit: 0, miss: 0 };
  const c = new IndexCache(100_000, { hit: (_k, n = 1) => (events.hit += n), miss: (_k, n = 1) => (events.miss += n) });
  const ids = [3, 7, 255, 256, 300, 1024];
  for (const id of ids) c.setSeries('B', id, new Uint8Array([id & 0xff, id >> 8]));
  c.setSeries('B', 7, new Uint8Array([7, 0, 1])); // replaced, not counted twice
  t.equal(c.items, ids.length);
  const out: (Uint8Array | undefined)[] = [];
  t.equal(c.getSeriesMany('B', [1, 3, 7, 8, 255, 256, 300, 511, 1024], out), 3);
  t.same(out.map((e) => (e === undefined ? undefined : [...e])), [undefined, [3, 0], [7, 0, 1], undefined, [255, 0], [0, 1], [44, 1], undefined, [0, 4]]);
  t.same(events, { hit: 6, miss: 3 });
  t.equal(c.getSeries('C', 3), undefined, 'another block');
  const one = c.size;
  c.dropBlock('B');
  t.equal(c.items, 0);
  t.equal(c.size, 0);
  t.ok(one > 0);

  // Pages are the unit of eviction: the least recently used page goes whole, a used one stays.
  const small = new IndexCache(6_000);
  for (let i = 0; i < 3; i++) small.setSeries('B', i, new Uint8Array(500)); // page 0
  small.setSeries('B', 256, new Uint8Array(500)); // page 1
  small.getSeries('B', 0); // page 0 used last
  for (let i = 0; i < 3; i++) small.setSeries('B', 512 + i, new Uint8Array(500)); // page 2 evicts page 1
  t.ok(small.size <= 6_000, `size ${small.size}`);
  t.equal(small.getSeries('B', 256), undefined, 'the least recently used page was evicted');
  t.ok(small.getSeries('B', 1) && small.getSeries('B', 2) && small.getSeries('B', 514), 'the others are kept whole');
  t.equal(small.items, 6);
});
