// Positions in bytes and lines, and robustness: whatever the input, parse() returns an AST or throws a
// BadDataError, never anything else, and never takes long.
import t from 'tap';
import { BadDataError } from '../../../src/model/index.js';
import { parse, printExpr } from '../../../src/promql/parser/index.js';

function errorOf(q: string): BadDataError {
  try {
    parse(q);
  } catch (err) {
    if (err instanceof BadDataError) return err;
    throw err;
  }
  throw new Error(`${q} parsed`);
}

t.test('positions are UTF-8 byte offsets', async (t) => {
  // `{"` 2 bytes, "é" 2, "😀" 4, `"} ` 3: `bar` starts at byte 11 (col 12), though at UTF-16 offset 8.
  const e = errorOf('{"é😀"} bar');
  t.equal(e.message, '1:12: parse error: unexpected identifier "bar"');
  t.same(e.position, { start: 11, end: 14 });
  const ok = parse('foo{a="é"} + bar');
  if (ok.type !== 'BinaryExpr') throw new Error('expected BinaryExpr');
  t.same(ok.lhs.pos, { start: 0, end: 11 });
  t.same(ok.rhs.pos, { start: 14, end: 17 });
});

t.test('multi-line queries report line:col', async (t) => {
  t.equal(errorOf('sum(\n  rate(foo[5m])\n) +').message, '3:4: parse error: unexpected end of input');
  t.equal(errorOf('foo\n  + bar(1)').message, '2:5: parse error: unknown function with name "bar"');
  // Both checked on Prometheus 2.42.
  t.equal(errorOf('foo +\n\n  bar(1)').message, '3:3: parse error: unknown function with name "bar"');
  t.equal(errorOf('foo +\n\n  1 < 2 and 3').message, '1:1: parse error: set operator "and" not allowed in binary scalar expression');
});

t.test('node positions', async (t) => {
  const e = parse('sum by (job) (rate(foo[5m] offset 1m))');
  if (e.type !== 'AggregateExpr' || e.expr.type !== 'Call') throw new Error('shape');
  t.same(e.pos, { start: 0, end: 38 });
  t.same(e.expr.pos, { start: 14, end: 37 });
  t.same(e.expr.args[0]!.pos, { start: 19, end: 36 }, 'a range with offset spans its modifiers');
  const b = parse('a + b offset 1m');
  if (b.type !== 'BinaryExpr') throw new Error('shape');
  t.same(b.rhs.pos, { start: 4, end: 15 });
  t.same(b.pos, { start: 0, end: 15 });
});

/** A small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const seeds = [
  'sum by (job) (rate(http_requests_total{code=~"5..", job!="x"}[5m] offset 1m @ 100))',
  'histogram_quantile(0.9, sum without (instance) (rate(foo_bucket[5m])))',
  'foo * on(a) group_left(b) bar > bool 1 or -baz unless qux[1h:5m]',
  'label_replace(up, "a", "$1", "b", "(.*)") and topk(3, count_values("v", x))',
  `{"my.metric", 'x'=~"y"} + 0x1f * 1e3 - Inf / 5m ^ -2`,
];
const alphabet = ['(', ')', '[', ']', '{', '}', ',', ':', '"', "'", '`', '\\', ' ', '@', '-', '+', '*', '/', '=', '!', '~', '<', '>', '#', '\n', 'é', 'by', 'on', 'offset', 'bool', 'group_left', '5m', '1', '.', 'x', 'sum', 'rate'];

t.test('random mutations: an AST or a BadDataError, never a crash', async (t) => {
  const rand = rng(42);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  let parsed = 0;
  let rejected = 0;
  const started = performance.now();
  for (let i = 0; i < 5000; i++) {
    let q = pick(seeds);
    const edits = 1 + Math.floor(rand() * 3);
    for (let k = 0; k < edits; k++) {
      const at = Math.floor(rand() * (q.length + 1));
      const r = rand();
      if (r < 0.4) q = q.slice(0, at) + q.slice(at + 1 + Math.floor(rand() * 3)); // delete
      else if (r < 0.8) q = q.slice(0, at) + pick(alphabet) + q.slice(at); // insert
      else q = q.slice(0, at); // truncate
    }
    try {
      const e = parse(q, { enableExperimentalFunctions: true });
      parsed++;
      // Whatever parses must print to something that parses again.
      parse(printExpr(e), { enableExperimentalFunctions: true });
    } catch (err) {
      if (!(err instanceof BadDataError)) {
        t.fail(`${JSON.stringify(q)} threw ${(err as Error).name}: ${(err as Error).message}`);
        continue;
      }
      rejected++;
    }
  }
  t.ok(parsed > 50 && rejected > 1000, `parsed ${parsed}, rejected ${rejected}`);
  t.ok(performance.now() - started < 20_000, 'fast enough');
});

t.test('deep nesting: fine up to hundreds of levels, then a clear error rather than a crash', async (t) => {
  const ors = (n: number) => 'a' + ' or a'.repeat(n);
  const e = parse(ors(500));
  t.equal(e.type, 'BinaryExpr');
  t.equal(printExpr(e), ors(500));
  t.equal(parse('('.repeat(300) + 'a' + ')'.repeat(300)).type, 'ParenExpr');
  // lezer-promql stops building deeper trees; Prometheus has no such limit (a documented difference).
  for (const q of [ors(1000), '('.repeat(5000) + 'a' + ')'.repeat(5000), '-'.repeat(20000) + 'a', `sum(${'rate(x[5m]) + '.repeat(3000)}1)`]) {
    t.match(errorOf(q).message, /parse error: expression is nested too deeply/, q.slice(0, 30));
  }
});
