import t from 'tap';
import { BadDataError, Labels, Matcher, MatchType } from '../../src/model/index.js';
import {
  MAX_INT64,
  MIN_INT64,
  PromChunkEncoding,
  ThanosChunkEncoding,
  bigintToInt64,
  extendLabels,
  int64ToMillis,
  labelsFromProto,
  labelsToProto,
  matcherFromProto,
  matcherToProto,
  millisToInt64,
  promEncodingFromThanos,
  thanosEncodingFromProm,
} from '../../src/storeapi/index.js';

const L = (o: Record<string, string>) => Labels.from(o);
const pl = (...pairs: [string, string][]) => pairs.map(([name, value]) => ({ name, value }));

t.test('labels: proto ⇄ model', async (t) => {
  const sorted = labelsFromProto(pl(['__name__', 'up'], ['job', 'a']));
  t.equal(sorted.toString(), 'up{job="a"}');
  t.same(labelsToProto(sorted), pl(['__name__', 'up'], ['job', 'a']), 'order kept');
  t.equal(labelsFromProto(pl(['z', '1'], ['a', '2'])).toString(), '{a="2", z="1"}', 'unsorted input is sorted');
  t.equal(labelsFromProto(pl(['a', '1'], ['a', '2'])).toString(), '{a="2"}', 'duplicate name: last wins');
  t.equal(labelsFromProto(pl(['a', ''], ['b', '1'])).toString(), '{b="1"}', 'empty value dropped, as Prometheus');
  t.ok(labelsFromProto([]).isEmpty());
  t.ok(Labels.compare(labelsFromProto(pl(['a', '1'])), L({ a: '1' })) === 0);
});

t.test('extendLabels: external labels added in order; on a clash the external value wins', async (t) => {
  const ext = L({ cluster: 'eu', replica: 'r1' });
  t.equal(extendLabels(L({ __name__: 'up', job: 'x' }), ext).toString(), 'up{cluster="eu", job="x", replica="r1"}');
  t.equal(extendLabels(L({ cluster: 'mine', zone: 'z' }), ext).toString(), '{cluster="eu", replica="r1", zone="z"}');
  t.equal(extendLabels(L({ a: '1' }), Labels.EMPTY).toString(), '{a="1"}');
  t.equal(extendLabels(Labels.EMPTY, ext).toString(), '{cluster="eu", replica="r1"}');
  t.equal(extendLabels(L({ replica: 'x', z: '1' }), L({ a: '0', replica: 'r' })).toString(), '{a="0", replica="r", z="1"}');
});

t.test('matchers: proto ⇄ model with the same numbers', async (t) => {
  for (const [type, mt] of [
    [0, MatchType.EQ],
    [1, MatchType.NEQ],
    [2, MatchType.RE],
    [3, MatchType.NRE],
  ] as const) {
    const m = matcherFromProto({ type, name: 'job', value: 'a|b' });
    t.equal(m.type, mt);
    t.same(matcherToProto(m), { type, name: 'job', value: 'a|b' });
  }
  t.ok(matcherFromProto({ type: 2, name: 'job', value: 'a.*' }).matches('abc'), 'RE is anchored RE2');
  t.notOk(matcherFromProto({ type: 2, name: 'job', value: 'b' }).matches('abc'));
  t.throws(() => matcherFromProto({ type: 2, name: 'job', value: '(' }), BadDataError, 'bad regex');
  t.throws(() => matcherFromProto({ type: 7 as never, name: 'job', value: 'x' }), BadDataError, 'unknown type');
  t.same(matcherToProto(new Matcher(MatchType.NRE, 'a', 'b')), { type: 3, name: 'a', value: 'b' });
});

t.test('chunk encodings: Thanos = Prometheus − 1', async (t) => {
  t.equal(thanosEncodingFromProm(PromChunkEncoding.XOR), ThanosChunkEncoding.XOR);
  t.equal(ThanosChunkEncoding.XOR, 0);
  t.equal(thanosEncodingFromProm(2), 1);
  t.equal(thanosEncodingFromProm(3), 2);
  t.throws(() => thanosEncodingFromProm(PromChunkEncoding.UNKNOWN), BadDataError);
  t.throws(() => thanosEncodingFromProm(9 as PromChunkEncoding), BadDataError);
  t.equal(promEncodingFromThanos(0), 1);
  t.equal(promEncodingFromThanos(2), 3);
  t.throws(() => promEncodingFromThanos(3 as ThanosChunkEncoding), BadDataError);
});

t.test('int64 ⇄ millis', async (t) => {
  t.equal(millisToInt64(0), '0');
  t.equal(millisToInt64(-1), '-1');
  t.equal(millisToInt64(1_700_000_000_123), '1700000000123');
  t.equal(millisToInt64(2 ** 53), '9007199254740992');
  t.equal(millisToInt64(1.9), '1', 'truncated toward zero');
  t.equal(millisToInt64(-1.9), '-1');
  t.equal(millisToInt64(Infinity), MAX_INT64);
  t.equal(millisToInt64(-Infinity), MIN_INT64);
  t.equal(millisToInt64(1e19), MAX_INT64, 'clamped');
  t.equal(millisToInt64(2 ** 60), '1152921504606846976', 'beyond 2^53 but exact as a double');
  t.throws(() => millisToInt64(NaN), BadDataError);
  t.equal(int64ToMillis('1700000000123'), 1_700_000_000_123);
  t.equal(int64ToMillis('-5'), -5);
  t.equal(int64ToMillis(MAX_INT64), 2 ** 63);
  t.throws(() => int64ToMillis('x'), BadDataError);
  // The sentinels survive wire → model → wire exactly.
  t.equal(millisToInt64(int64ToMillis(MAX_INT64)), MAX_INT64);
  t.equal(millisToInt64(int64ToMillis(MIN_INT64)), MIN_INT64);
  t.equal(bigintToInt64(0xffffffffffffffffn, true), '18446744073709551615');
  t.throws(() => bigintToInt64(2n ** 63n), BadDataError);
});
