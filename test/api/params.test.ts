import t from 'tap';
import { parseDuration, parseTime, unescapeLabelName } from '../../src/api/params.js';

t.test('parseTime accepts float seconds and RFC 3339, rounding to ms like Prometheus', async (t) => {
  t.equal(parseTime('4', 't'), 4000);
  t.equal(parseTime('1435781451.781', 't'), 1435781451781);
  t.equal(parseTime('1.0006', 't'), 1001, 'fraction rounded to ms');
  // 1.0005 is 1.000499999… in binary, so Go's math.Round(frac*1000) gives 0, not 1.
  t.equal(parseTime('1.0005', 't'), 1000, 'binary fraction just below .5 ms rounds down');
  t.equal(parseTime('-0.0005', 't'), -1, 'negative halves round away from zero, as Go math.Round');
  t.equal(parseTime('-1.5', 't'), -1500);
  t.equal(parseTime('2015-07-01T20:10:51.781Z', 't'), 1435781451781);
  t.equal(parseTime('2015-07-01T22:10:51+02:00', 't'), 1435781451000);
});

t.test('parseTime rejects garbage with Prometheus wording', async (t) => {
  t.throws(() => parseTime('yesterday', 'time'), { message: 'invalid parameter "time": cannot parse "yesterday" to a valid timestamp' });
  t.throws(() => parseTime('2015-07-01', 'start'), { message: /invalid parameter "start"/ });
});

t.test('parseDuration accepts float seconds and Prometheus durations', async (t) => {
  t.equal(parseDuration('15', 'step'), 15000);
  t.equal(parseDuration('0.5', 'step'), 500);
  t.equal(parseDuration('1m30s', 'step'), 90000);
  t.equal(parseDuration('1h', 'step'), 3600000);
  t.equal(parseDuration('250ms', 'step'), 250);
  t.equal(parseDuration('1d', 'step'), 86400000);
  t.throws(() => parseDuration('abc', 'step'), { message: 'invalid parameter "step": cannot parse "abc" to a valid duration' });
  t.throws(() => parseDuration('1e300', 'step'), { message: /overflows int64/ });
  t.throws(() => parseDuration('30s1m', 'step'), { message: /valid duration/ }, 'units out of order');
});

t.test('unescapeLabelName decodes U__ names as Grafana sends them', async (t) => {
  t.equal(unescapeLabelName('job'), 'job', 'plain names untouched');
  t.equal(unescapeLabelName('U__my_2e_label'), 'my.label', '_2e_ is "."');
  t.equal(unescapeLabelName('U__a__b'), 'a_b', '__ is "_"');
  t.equal(unescapeLabelName('U__caf_e9_'), 'café');
  t.equal(unescapeLabelName('U__emoji_1f600_'), 'emoji😀');
  t.equal(unescapeLabelName('U__bad_zz_'), 'U__bad_zz_', 'malformed escape left as is');
  t.equal(unescapeLabelName('U__open_2e'), 'U__open_2e', 'unterminated escape left as is');
});
