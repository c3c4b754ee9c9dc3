// Search-list order follows miekg/dns ClientConfig.NameList (used by Thanos's default resolver) and glibc's
// resolv.conf rules; the expected lists are written out by hand from those rules.
import t from 'tap';
import { NO_SEARCH, parseResolvConf, type Resolver } from '../../src/discovery/index.js';
import { nameList, readSystemSearchConfig, withSearchList } from '../../src/discovery/search.js';

// A pod in namespace "monitoring" (kubelet writes this resolv.conf).
const pod = parseResolvConf(
  'nameserver 10.96.0.10\nsearch monitoring.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n',
);

t.test('resolv.conf: search and ndots', async (t) => {
  t.same(pod, { search: ['monitoring.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5 });
  t.same(parseResolvConf('nameserver 1.1.1.1\n'), { search: [], ndots: 1 }, 'defaults');
  t.same(parseResolvConf('search a.example b.example\ndomain c.example\n'), { search: ['c.example'], ndots: 1 }, 'last of search/domain wins');
  t.same(parseResolvConf('search x.example. # comment\noptions rotate ndots:99\n'), { search: ['x.example'], ndots: 15 }, 'ndots capped at 15');
});

t.test('name list order', async (t) => {
  t.same(nameList('_grpc._tcp.thanos-store', pod), [
    '_grpc._tcp.thanos-store.monitoring.svc.cluster.local',
    '_grpc._tcp.thanos-store.svc.cluster.local',
    '_grpc._tcp.thanos-store.cluster.local',
    '_grpc._tcp.thanos-store',
  ], '3 labels, not more than ndots 5: suffixes first');
  t.same(nameList('a.b.c.d.e.f', pod)[0], 'a.b.c.d.e.f', '6 labels > ndots 5: as written first');
  t.same(nameList('a.b.c.d.e', pod).at(-1), 'a.b.c.d.e', 'exactly ndots labels: as written last');
  t.same(nameList('store.example.', pod), ['store.example'], 'a trailing dot means absolute');
  t.same(nameList('store', NO_SEARCH), ['store']);
});

class Scripted implements Resolver {
  asked: string[] = [];
  constructor(private readonly answers: Record<string, string[] | string>) {}
  resolveSrv(): Promise<never> {
    return Promise.reject(new Error('unused'));
  }
  resolve6(): Promise<never> {
    return Promise.reject(new Error('unused'));
  }
  async resolve4(name: string): Promise<string[]> {
    this.asked.push(name);
    const a = this.answers[name] ?? 'ENOTFOUND';
    if (typeof a === 'string') throw Object.assign(new Error(`${a} ${name}`), { code: a });
    return a;
  }
}

const conf = { search: ['one.example', 'two.example'], ndots: 1 };

t.test('walk: NXDOMAIN moves on; the first answer wins', async (t) => {
  const dns = new Scripted({ 'web.two.example': ['10.0.0.2'], web: ['10.0.0.9'] });
  t.same(await withSearchList(dns, conf).resolve4('web'), ['10.0.0.2']);
  t.same(dns.asked, ['web.one.example', 'web.two.example']);
});

t.test('walk: "exists, no records of this type" ends the walk', async (t) => {
  const dns = new Scripted({ 'web.one.example': 'ENODATA', 'web.two.example': ['10.0.0.2'] });
  await t.rejects(withSearchList(dns, conf).resolve4('web'), { code: 'ENODATA' });
  t.same(dns.asked, ['web.one.example']);
});

t.test('walk: a failed candidate is reported when no later one answers, NXDOMAIN only when all were', async (t) => {
  const flaky = new Scripted({ 'web.one.example': 'ETIMEOUT' });
  await t.rejects(withSearchList(flaky, conf).resolve4('web'), { code: 'ETIMEOUT' });
  t.same(flaky.asked, ['web.one.example', 'web.two.example', 'web'], 'every candidate tried');
  const recovered = new Scripted({ 'web.one.example': 'ETIMEOUT', web: ['10.0.0.9'] });
  t.same(await withSearchList(recovered, conf).resolve4('web'), ['10.0.0.9']);
  await t.rejects(withSearchList(new Scripted({}), conf).resolve4('web'), { code: 'ENOTFOUND' });
});

t.test('the system file: read when present, no search list when missing', async (t) => {
  const dir = t.testdir({ 'resolv.conf': 'search a.example\noptions ndots:2\n' });
  t.same(readSystemSearchConfig(`${dir}/resolv.conf`), { search: ['a.example'], ndots: 2 });
  t.same(readSystemSearchConfig(`${dir}/missing`), NO_SEARCH);
});
