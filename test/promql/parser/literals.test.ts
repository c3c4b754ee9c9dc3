// Literal decoding through parse(): numbers, durations, strings. Expected values are hand-computed from
// Go's rules (strconv.ParseInt base 0 then ParseFloat, model.ParseDuration, Go string escapes).
import t from 'tap';
import { parse } from '../../../src/promql/parser/index.js';
import type { Expr } from '../../../src/promql/ast.js';

function numberOf(q: string): number {
  const e: Expr = parse(q);
  if (e.type !== 'NumberLiteral') throw new Error(`${q} parsed as ${e.type}`);
  return e.value;
}

function stringOf(q: string): string {
  const e = parse(q);
  if (e.type !== 'StringLiteral') throw new Error(`${q} parsed as ${e.type}`);
  return e.value;
}

function rangeOf(q: string): number {
  const e = parse(q);
  if (e.type !== 'MatrixSelector') throw new Error(`${q} parsed as ${e.type}`);
  return e.rangeMs;
}

t.test('numbers', async (t) => {
  const cases: [string, number][] = [
    ['1', 1],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['1e3', 1000],
    ['1E-2', 0.01],
    ['2.5e+2', 250],
    ['0x1f', 31],
    ['010', 8], // Go's base-0 ParseInt reads a leading 0 as octal (checked on Prometheus 2.42: 8)
    ['09', 9], // not octal: falls back to ParseFloat
    ['1_000', 1000],
    ['1_000.000_5', 1000.0005],
    ['-1', -1],
    ['+2', 2],
    ['- 3', -3],
    ['-0x10', -16],
    ['5m', 300], // a duration used as a number means seconds
    ['1h30m', 5400],
    ['1ms', 0.001],
    ['1y', 365 * 86400],
    ['-2w', -14 * 86400],
  ];
  for (const [q, want] of cases) t.equal(numberOf(q), want, q);
  for (const q of ['Inf', 'inf', 'INF', '+Inf', 'iNf']) t.equal(numberOf(q), Infinity, q);
  t.equal(numberOf('-Inf'), -Infinity);
  for (const q of ['NaN', 'nan', 'NAN', '-nan']) t.ok(Number.isNaN(numberOf(q)), q);
});

t.test('durations in ranges', async (t) => {
  const cases: [string, number][] = [
    ['x[5m]', 300_000],
    ['x[1h30m]', 5_400_000],
    ['x[1d2h3m4s5ms]', 86_400_000 + 7_200_000 + 180_000 + 4_000 + 5],
    ['x[1w]', 604_800_000],
    ['x[1y]', 31_536_000_000],
    ['x[1y2w]', 31_536_000_000 + 1_209_600_000],
    ['x[100ms]', 100],
    ['x[90]', 90_000], // Prometheus 3: a bare number in a range is seconds
    ['x[1.5]', 1_500],
    ['x[5m+30s]', 330_000], // duration arithmetic, folded
    ['x[1h/2]', 1_800_000],
    ['x[2*(1m+1m)]', 240_000],
    ['x[max_of(1m, 2m)]', 120_000],
    ['x[min_of(1m, 2m)]', 60_000],
    ['x[10m%3m]', 60_000],
    ['x[2^3]', 8_000],
  ];
  for (const [q, want] of cases) t.equal(rangeOf(q), want, q);
});

t.test('strings', async (t) => {
  const cases: [string, string][] = [
    ['"abc"', 'abc'],
    ["'abc'", 'abc'],
    ['`abc`', 'abc'],
    ['"a\\nb"', 'a\nb'],
    ['"\\a\\b\\f\\n\\r\\t\\v\\\\"', '\x07\b\f\n\r\t\v\\'],
    ['"say \\"hi\\""', 'say "hi"'],
    ["'it\\'s'", "it's"],
    ['"it\'s"', "it's"],
    ["'say \"hi\"'", 'say "hi"'],
    ['"\\x41\\102\\u00e9\\U0001F600"', 'ABé😀'],
    ['"\\xc3\\xa9"', 'é'], // \x escapes are bytes: these two form one UTF-8 character
    ['"é😀"', 'é😀'],
    ['`a\\nb`', 'a\\nb'], // raw: no escapes
    ['`multi\nline`', 'multi\nline'],
    ['""', ''],
  ];
  for (const [q, want] of cases) t.equal(stringOf(q), want, q);
});

t.test('@ timestamps are seconds, rounded to ms like Go math.Round', async (t) => {
  const atOf = (q: string) => {
    const e = parse(q);
    if (e.type !== 'VectorSelector' || e.at?.kind !== 'time') throw new Error(q);
    return e.at.ms;
  };
  t.equal(atOf('foo @ 10'), 10_000);
  t.equal(atOf('foo @ 1.5'), 1_500);
  t.equal(atOf('foo @ 1.0005'), 1_001); // 1000.5 ms rounds half away from zero
  t.equal(atOf('foo @ -1.0005'), -1_001);
  t.equal(atOf('foo @ 1e3'), 1_000_000);
  t.equal(atOf('foo @ 0x10'), 16_000);
});
