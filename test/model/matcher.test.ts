import t from 'tap';
import { BadDataError, Matcher, MatchType } from '../../src/model/index.js';

const cases: [string, MatchType, string, string, boolean][] = [
  // name, type, pattern, input, expected
  ['equality', MatchType.EQ, 'api', 'api', true],
  ['equality is exact', MatchType.EQ, 'api', 'api2', false],
  ['inequality', MatchType.NEQ, 'api', 'web', true],
  ['regex is anchored at both ends', MatchType.RE, 'api', 'xapix', false],
  ['regex alternation is anchored as a whole', MatchType.RE, 'a|b', 'ab', false],
  ['regex alternation set', MatchType.RE, 'api|web', 'web', true],
  ['regex prefix', MatchType.RE, 'foo.*', 'foobar', true],
  ['regex prefix must be at the start', MatchType.RE, 'foo.*', 'xfoo', false],
  ['dot matches newline (Prometheus 3)', MatchType.RE, 'a.b', 'a\nb', true],
  ['dot-star matches across newlines', MatchType.RE, '.*', 'line1\nline2', true],
  ['dot-plus needs one character', MatchType.RE, '.+', '', false],
  ['case-insensitive flag', MatchType.RE, '(?i)API', 'api', true],
  ['RE2 character classes', MatchType.RE, '[[:digit:]]+', '123', true],
  ['negated regex', MatchType.NRE, 'a.*', 'abc', false],
  ['negated regex accepts non-matching', MatchType.NRE, 'a.*', 'bc', true],
  ['empty regex matches only empty', MatchType.RE, '', '', true],
  ['escaped dot is literal', MatchType.RE, 'a\\.b', 'axb', false],
  ['literal alternation with escaped dot', MatchType.RE, '10\\.0\\.0\\.1|10\\.0\\.0\\.2', '10.0.0.2', true],
];

for (const [name, type, pattern, input, expected] of cases) {
  t.test(name, async (t) => {
    t.equal(new Matcher(type, 'l', pattern).matches(input), expected, `${pattern} vs ${JSON.stringify(input)}`);
  });
}

t.test('matchesEmpty tells whether series without the label are selected', async (t) => {
  t.ok(new Matcher(MatchType.RE, 'x', '.*').matchesEmpty());
  t.notOk(new Matcher(MatchType.RE, 'x', '.+').matchesEmpty());
  t.ok(new Matcher(MatchType.NEQ, 'x', 'a').matchesEmpty());
  t.notOk(new Matcher(MatchType.EQ, 'x', 'a').matchesEmpty());
});

t.test('an invalid regex is a BadDataError naming the pattern', async (t) => {
  const caught = (fn: () => unknown): unknown => {
    try {
      fn();
    } catch (err) {
      return err;
    }
    return undefined;
  };
  const e1 = caught(() => new Matcher(MatchType.RE, 'x', 'a(b'));
  t.ok(e1 instanceof BadDataError, 'unbalanced paren');
  t.match((e1 as Error).message, 'invalid regular expression "a(b"');
  t.ok(caught(() => new Matcher(MatchType.NRE, 'x', '(?<=a)b')) instanceof BadDataError, 'lookbehind is not RE2');
});

t.test('a hostile pattern against a 100 kB value finishes in linear time', async (t) => {
  const value = 'a'.repeat(100_000) + '!';
  for (const pattern of ['(a+)+$', '(a|a)*b', '(a*)*b', '(.*a){20}']) {
    const m = new Matcher(MatchType.RE, 'x', pattern);
    const start = performance.now();
    const got = m.matches(value);
    const ms = performance.now() - start;
    t.equal(got, false, pattern);
    // A backtracking engine takes longer than the age of the universe here; linear-time is well under a second.
    t.ok(ms < 2000, `${pattern} took ${ms.toFixed(1)} ms`);
  }
});

t.test('literalValue only for patterns without metacharacters', async (t) => {
  t.equal(new Matcher(MatchType.RE, 'x', 'abc').literalValue(), 'abc');
  t.equal(new Matcher(MatchType.RE, 'x', 'a.c').literalValue(), undefined);
  t.equal(new Matcher(MatchType.EQ, 'x', 'a.c').literalValue(), 'a.c');
  t.equal(new Matcher(MatchType.NRE, 'x', 'a|b').toString(), 'x!~"a|b"');
});
