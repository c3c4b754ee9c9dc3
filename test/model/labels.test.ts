import t from 'tap';
import { Labels, LabelsBuilder } from '../../src/model/index.js';

t.test('from sorts by name, drops empty values, last duplicate wins', async (t) => {
  const ls = Labels.from([
    ['job', 'api'],
    ['__name__', 'up'],
    ['empty', ''],
    ['instance', 'a'],
    ['instance', 'b'],
  ]);
  t.same(ls.flat(), ['__name__', 'up', 'instance', 'b', 'job', 'api']);
  t.equal(ls.length, 3);
  t.equal(ls.get('empty'), '');
  t.equal(ls.has('empty'), false);
  t.equal(ls.metricName(), 'up');
});

t.test('compare orders like Prometheus labels.Compare', async (t) => {
  const a = Labels.from({ a: '1' });
  const ab = Labels.from({ a: '1', b: '1' });
  const a2 = Labels.from({ a: '2' });
  const b = Labels.from({ b: '0' });
  // name first, then value; a prefix set sorts first
  t.ok(Labels.compare(a, ab) < 0, 'shorter prefix first');
  t.ok(Labels.compare(ab, a2) < 0, 'value decides before length');
  t.ok(Labels.compare(a2, b) < 0, 'name decides before value');
  t.equal(Labels.compare(ab, Labels.from({ b: '1', a: '1' })), 0);
  const sorted = [b, a2, ab, a, Labels.EMPTY].sort(Labels.compare);
  t.same(
    sorted.map((l) => l.toString()),
    ['{}', '{a="1"}', '{a="1", b="1"}', '{a="2"}', '{b="0"}'],
  );
});

t.test('key is equal exactly for equal sets, and cannot be forged by joining names and values', async (t) => {
  const x = Labels.from({ a: 'b', c: 'd' });
  t.equal(x.key(), Labels.from({ c: 'd', a: 'b' }).key());
  t.not(x.key(), Labels.from({ a: 'b,c', '': 'd' }).key());
  t.not(Labels.from({ a: 'bc' }).key(), Labels.from({ ab: 'c' }).key());
  t.ok(x.equals(Labels.from({ c: 'd', a: 'b' })));
  t.notOk(x.equals(Labels.from({ a: 'b' })));
});

t.test('keyFor and keyWithout group like by(...) and without(...)', async (t) => {
  const s1 = Labels.from({ __name__: 'x', job: 'a', instance: '1' });
  const s2 = Labels.from({ __name__: 'y', job: 'a', instance: '2' });
  t.equal(s1.keyFor(['job']), s2.keyFor(['job']));
  t.not(s1.keyFor(['instance', 'job']), s2.keyFor(['instance', 'job']));
  t.equal(s1.keyWithout(['__name__', 'instance']), s2.keyWithout(['__name__', 'instance']));
  t.equal(s1.keyFor([]), '');
});

t.test('keep, drop, dropMetricName and builder', async (t) => {
  const ls = Labels.from({ __name__: 'up', job: 'api', instance: 'i' });
  t.same(ls.keep(['job']).toObject(), { job: 'api' });
  t.same(ls.drop(['job']).toObject(), { __name__: 'up', instance: 'i' });
  t.equal(ls.dropMetricName().toString(), '{instance="i", job="api"}');
  t.equal(ls.toString(), 'up{instance="i", job="api"}');
  const b = new LabelsBuilder(ls).set('zone', 'z').set('job', '').del('instance');
  t.equal(b.get('job'), '');
  t.equal(b.get('zone'), 'z');
  t.same(b.labels().flat(), ['__name__', 'up', 'zone', 'z']);
  t.equal(new LabelsBuilder(ls).labels(), ls, 'no edits gives the same set back');
});

t.test('toString quotes values like Prometheus', async (t) => {
  t.equal(Labels.from({ a: 'x"y\n' }).toString(), '{a="x\\"y\\n"}');
  t.equal(Labels.from({ __name__: 'only' }).toString(), 'only');
});
