import t from 'tap';
import { Labels, isStaleNaN } from '../../../src/model/index.js';
import { parseSeriesDesc, parseNumber, NativeHistogramError, SeriesSyntaxError } from '../../../src/promql/promqltest/index.js';

t.test('expanding notation follows Prometheus grammar (n+1 values for axn, n blanks for _xn)', async (t) => {
  const cases: [string, (number | null)[]][] = [
    ['1+2x3', [1, 3, 5, 7]],
    ['1-2x3', [1, -1, -3, -5]],
    ['-1-2x3', [-1, -3, -5, -7]],
    ['5x2', [5, 5, 5]],
    ['0+10x0', [0]],
    ['_', [null]],
    ['_x3', [null, null, null]],
    ['1 _x2 4', [1, null, null, 4]],
    ['Inf -Inf +Inf', [Infinity, -Infinity, Infinity]],
    ['1e3 .5 2.5e-1', [1000, 0.5, 0.25]],
    ['0x3', [0, 0, 0, 0]],
    ['-Inf +inf', [-Infinity, Infinity]],
    ['1.5+0.25x2', [1.5, 1.75, 2]],
  ];
  for (const [src, want] of cases) {
    const got = parseSeriesDesc(`foo ${src}`).values;
    t.same(got, want, src);
  }
  const nan = parseSeriesDesc('foo NaN nan').values;
  t.ok(nan.length === 2 && Number.isNaN(nan[0] as number) && Number.isNaN(nan[1] as number), 'NaN in any case');
});

t.test('stale is the staleness marker, distinct from NaN', async (t) => {
  t.same(parseSeriesDesc('foo 1 stale 2').values, [1, 'stale', 2]);
  t.notOk(isStaleNaN(parseSeriesDesc('foo NaN').values[0] as number));
});

t.test('labels: name, braces, escapes, quoted names, order-insensitive', async (t) => {
  const a = parseSeriesDesc('http_requests_total{job="api", code="200"} 1').labels;
  t.same(a.toObject(), { __name__: 'http_requests_total', job: 'api', code: '200' });
  t.same(parseSeriesDesc('{job="x"} 1').labels.toObject(), { job: 'x' }, 'no metric name');
  t.ok(parseSeriesDesc('{} 3').labels.isEmpty(), 'empty label set');
  t.same(parseSeriesDesc(String.raw`foo{a="q\"uo\\te\n"} 1`).labels.get('a'), 'q"uo\\te\n');
  t.same(parseSeriesDesc(`foo{a='single', b=\`raw\\n\`} 1`).labels.toObject(), { __name__: 'foo', a: 'single', b: 'raw\\n' });
  t.same(parseSeriesDesc('{"my.metric", "la.bel"="v"} 1').labels.toObject(), { __name__: 'my.metric', 'la.bel': 'v' });
  t.same(parseSeriesDesc('foo{a="x y", b="1"} 7').values, [7], 'spaces inside values do not split');
  t.ok(parseSeriesDesc('foo{b="1",a="2"} 1').labels.equals(Labels.from({ __name__: 'foo', a: '2', b: '1' })));
});

t.test('bad series lines give SeriesSyntaxError with a column', async (t) => {
  const bad: [string, RegExp][] = [
    ['foo{a=~"x"} 1', /only =/],
    ['foo{a="x"', /unterminated|expected/],
    ['foo 1+2', /repetition count/],
    ['foo abc', /bad value/],
    ['foo{a="1",a="2"} 1', /duplicate label/],
    ['123 4', /metric name/],
    ['foo NaNx3', /bad value/],
    ['foo Inf+1x2', /bad value/],
  ];
  for (const [line, re] of bad) {
    t.throws(() => parseSeriesDesc(line), re, line);
    try {
      parseSeriesDesc(line);
    } catch (e) {
      t.ok(e instanceof SeriesSyntaxError && e.column >= 0, `${line}: has a column`);
    }
  }
  t.throws(() => parseSeriesDesc('foo 1x99999999999'), /too large/);
});

t.test('native histograms are rejected plainly', async (t) => {
  t.throws(() => parseSeriesDesc('h {{schema:1 sum:3 count:22 buckets:[5 10 7]}}'), NativeHistogramError);
  t.throws(() => parseSeriesDesc('h 1 {{count:1}}x3'), /native histograms are not supported yet/);
});

t.test('parseNumber', async (t) => {
  t.equal(parseNumber('-inf'), -Infinity);
  t.equal(parseNumber('0x1F'), 31);
  t.equal(parseNumber('1e-3'), 0.001);
  t.equal(parseNumber('foo'), undefined);
  t.equal(parseNumber('1+2x3'), undefined);
});
