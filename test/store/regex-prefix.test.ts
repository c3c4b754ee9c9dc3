// Regex matchers over label values narrowed by the regex's literal prefix (src/store/postings.ts): the
// prefixes are worked out by hand from RE2 syntax, and filterValues must give exactly what testing every
// value with the matcher gives (the plain filter is the oracle).
import t from 'tap';
import { Matcher, MatchType } from '../../src/model/index.js';
import { filterValues, literalPrefix } from '../../src/store/index.js';

t.test('literal prefix of a pattern', async (t) => {
  const cases: [string, string][] = [
    ['pod-1.*5', 'pod-1'],
    ['abc', 'abc'],
    ['ab+c', 'ab'], // b+ needs at least one b
    ['ab?c', 'a'], // the quantifier makes b optional
    ['ab*', 'a'],
    ['ab{0,2}', 'a'],
    ['a|b', ''], // alternation anywhere: no prefix
    ['pod-(1|2).*', ''],
    ['(?i)pod', ''],
    ['\\.pod', ''],
    ['.*', ''],
    ['[ab]c', ''],
    ['^pod', ''],
    ['é-x.', 'é-x'],
  ];
  for (const [pattern, want] of cases) t.equal(literalPrefix(pattern), want, pattern);
});

t.test('filterValues equals testing every value', async (t) => {
  const values = [
    '', 'a', 'ab', 'abb', 'abc', 'ac', 'b', 'pod-0', 'pod-1', 'pod-10', 'pod-15', 'pod-1x5', 'pod-2', 'pod-25', 'pod-\n5', 'pod', 'é-x1', 'é-xy', 'z',
  ].sort();
  const patterns = ['pod-1.*5', 'pod-1.*', 'ab+c?', 'ab?', 'pod', 'é-x.', 'a.*', 'zz.*', 'pod-.5', '.*5', 'p|a.*'];
  for (const p of patterns) {
    for (const type of [MatchType.RE, MatchType.NRE]) {
      const m = new Matcher(type, 'l', p);
      for (const want of [true, false]) {
        const oracle = values.filter((v) => m.matches(v) === want);
        t.same(filterValues(m, values, want), oracle, `${type === MatchType.RE ? '=~' : '!~'}${JSON.stringify(p)} want ${want}`);
      }
    }
  }
  t.same(filterValues(new Matcher(MatchType.RE, 'l', 'pod-1.*5'), values, true), ['pod-15', 'pod-1x5'], 'by hand');
});
