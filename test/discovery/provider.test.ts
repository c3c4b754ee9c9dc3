// Provider logic against a fake DNS network (the real-server behaviour is in dnsmasq.test.ts).
import t from 'tap';
import { DnsProvider, parseEndpointSpec, type Resolver, type SrvRecord } from '../../src/discovery/index.js';

type Answer<T> = T | { error: string };

/** A scripted DNS server: unknown names are NXDOMAIN (ENOTFOUND), like dnsmasq under `--local`. */
class FakeDns implements Resolver {
  srv = new Map<string, Answer<SrvRecord[]>>();
  a = new Map<string, Answer<string[]>>();
  aaaa = new Map<string, Answer<string[]>>();
  asked: string[] = [];

  resolveSrv(name: string) {
    return this.answer('SRV', name, this.srv);
  }
  resolve4(name: string) {
    return this.answer('A', name, this.a);
  }
  resolve6(name: string) {
    return this.answer('AAAA', name, this.aaaa);
  }
  private async answer<T>(type: string, name: string, m: Map<string, Answer<T>>): Promise<T> {
    this.asked.push(`${type} ${name}`);
    const v = m.get(name);
    if (v === undefined) throw dnsError('ENOTFOUND', name);
    if (typeof v === 'object' && v !== null && 'error' in v) throw dnsError(v.error, name);
    return v;
  }
}

function dnsError(code: string, name: string): Error {
  return Object.assign(new Error(`query ${code} ${name}`), { code });
}

const srv = (name: string, port: number): SrvRecord => ({ name, port, priority: 0, weight: 0 });
const specs = (...s: string[]) => s.map(parseEndpointSpec);

t.test('dnssrv+: each SRV target resolved to A and AAAA with the SRV port; IPv6 in brackets', async (t) => {
  const dns = new FakeDns();
  dns.srv.set('_grpc._tcp.store', [srv('store-1', 10902), srv('store-0', 10901)]);
  dns.a.set('store-0', ['10.0.0.1']);
  dns.a.set('store-1', ['10.0.0.2']);
  dns.aaaa.set('store-1', ['fd00::2']);
  const p = new DnsProvider({ resolver: dns });
  t.same(await p.resolve(specs('dnssrv+_grpc._tcp.store')), []);
  t.same(p.addresses(), ['10.0.0.1:10901', '10.0.0.2:10902', '[fd00::2]:10902']);
  t.same(p.stats, { lookups: 1, failures: 0, notFound: 0, rounds: 1 });
});

t.test('dnssrv+ with an explicit port: that port for every target', async (t) => {
  const dns = new FakeDns();
  dns.srv.set('_grpc._tcp.store', [srv('store-0', 10901), srv('store-1', 10902)]);
  dns.a.set('store-0', ['10.0.0.1']);
  dns.a.set('store-1', ['10.0.0.2']);
  const p = new DnsProvider({ resolver: dns });
  await p.resolve(specs('dnssrv+_grpc._tcp.store:9000'));
  t.same(p.addresses(), ['10.0.0.1:9000', '10.0.0.2:9000']);
});

t.test('dnssrvnoa+: targets as host:port with the trailing dot trimmed, no A queries', async (t) => {
  const dns = new FakeDns();
  dns.srv.set('_grpc._tcp.store', [srv('store-0.example.', 10901), srv('store-1.example', 10902)]);
  const p = new DnsProvider({ resolver: dns });
  await p.resolve(specs('dnssrvnoa+_grpc._tcp.store'));
  t.same(p.addresses(), ['store-0.example:10901', 'store-1.example:10902']);
  t.same(dns.asked, ['SRV _grpc._tcp.store']);
});

t.test('dns+ and dnsdualstack+: A and AAAA; an IP literal needs no query', async (t) => {
  const dns = new FakeDns();
  dns.a.set('web', ['10.0.0.1', '10.0.0.2']);
  dns.aaaa.set('web', ['fd00::1']);
  const p = new DnsProvider({ resolver: dns });
  await p.resolve(specs('dns+web:9090', 'dnsdualstack+web:9091', 'dns+10.9.9.9:1', 'dns+[fd00::9]:2'));
  t.same(p.bySpec().get('dnsdualstack+web:9091'), ['[fd00::1]:9091', '10.0.0.1:9091', '10.0.0.2:9091'], 'IPv6 first');
  t.same(p.bySpec().get('dns+[fd00::9]:2'), ['[fd00::9]:2']);
  t.same(p.addresses(), [
    '10.0.0.1:9090', '10.0.0.1:9091', '10.0.0.2:9090', '10.0.0.2:9091', '10.9.9.9:1', '[fd00::1]:9090', '[fd00::1]:9091', '[fd00::9]:2',
  ]);
  t.notOk(dns.asked.some((q) => q.includes('10.9.9.9') || q.includes('fd00::9')), 'literals not sent to DNS');
});

t.test('static and duplicate results are merged into one sorted list; statics are not lookups', async (t) => {
  const dns = new FakeDns();
  dns.a.set('web', ['10.0.0.1']);
  const p = new DnsProvider({ resolver: dns });
  await p.resolve(specs('10.0.0.1:9090', 'dns+web:9090', 'dns+web:9090', '1.1.1.1:1'));
  t.same(p.addresses(), ['1.1.1.1:1', '10.0.0.1:9090']);
  t.equal(p.stats.lookups, 1, 'the repeated spec is looked up once');
});

t.test('a scheme on the name is kept on every result', async (t) => {
  const dns = new FakeDns();
  dns.a.set('web', ['10.0.0.1']);
  const p = new DnsProvider({ resolver: dns });
  await p.resolve(specs('dns+http://web:80'));
  t.same(p.addresses(), ['http://10.0.0.1:80']);
});

t.test('NXDOMAIN empties its spec without an error; counted and logged', async (t) => {
  const dns = new FakeDns();
  dns.srv.set('_grpc._tcp.store', [srv('store-0', 10901)]);
  dns.a.set('store-0', ['10.0.0.1']);
  const warnings: string[] = [];
  const p = new DnsProvider({ resolver: dns, logger: { warn: (f, msg) => warnings.push(`${String(f.name)}: ${msg}`) } });
  await p.resolve(specs('dnssrv+_grpc._tcp.store'));
  t.same(p.addresses(), ['10.0.0.1:10901']);
  dns.srv.delete('_grpc._tcp.store');
  t.same(await p.resolve(specs('dnssrv+_grpc._tcp.store')), [], 'not an error');
  t.same(p.addresses(), []);
  t.equal(p.stats.notFound, 1);
  t.equal(p.stats.failures, 0);
  t.match(warnings, [/^_grpc\._tcp\.store: no DNS records/]);
});

t.test('ENODATA (name exists, no record of the type) is "no records" too', async (t) => {
  const dns = new FakeDns();
  dns.a.set('web', { error: 'ENODATA' });
  dns.aaaa.set('web', { error: 'ENODATA' });
  const p = new DnsProvider({ resolver: dns });
  t.same(await p.resolve(specs('dns+web:1')), []);
  t.same(p.addresses(), []);
  t.equal(p.stats.notFound, 1);
});

t.test('a failed lookup keeps that spec\'s previous addresses while others update', async (t) => {
  const dns = new FakeDns();
  dns.a.set('a', ['10.0.0.1']);
  dns.a.set('b', ['10.0.1.1']);
  const p = new DnsProvider({ resolver: dns });
  await p.resolve(specs('dns+a:1', 'dns+b:1'));
  dns.a.set('a', { error: 'ETIMEOUT' });
  dns.a.set('b', ['10.0.1.2']);
  const errors = await p.resolve(specs('dns+a:1', 'dns+b:1'));
  t.equal(errors.length, 1);
  t.match(errors[0]?.message, 'resolve endpoint "dns+a:1"');
  t.match((errors[0]?.cause as Error).message, 'lookup IP addresses "a"');
  t.same(p.addresses(), ['10.0.0.1:1', '10.0.1.2:1']);
  t.same(p.stats, { lookups: 4, failures: 1, notFound: 0, rounds: 2 });
});

t.test('Thanos flushOld: a round with failures drops nothing; the next clean round drops removed specs', async (t) => {
  const dns = new FakeDns();
  dns.a.set('a', ['10.0.0.1']);
  dns.a.set('b', ['10.0.1.1']);
  const p = new DnsProvider({ resolver: dns });
  await p.resolve(specs('dns+a:1', 'dns+b:1'));
  dns.a.set('a', { error: 'ESERVFAIL' });
  await p.resolve(specs('dns+a:1'));
  t.same(p.addresses(), ['10.0.0.1:1', '10.0.1.1:1'], 'b no longer asked for, but kept in a failing round');
  dns.a.set('a', ['10.0.0.5']);
  await p.resolve(specs('dns+a:1'));
  t.same(p.addresses(), ['10.0.0.5:1']);
});

t.test('A answered but AAAA failed: the A answer counts (Go resolver semantics)', async (t) => {
  const dns = new FakeDns();
  dns.a.set('web', ['10.0.0.1']);
  dns.aaaa.set('web', { error: 'ETIMEOUT' });
  const p = new DnsProvider({ resolver: dns });
  t.same(await p.resolve(specs('dns+web:1')), []);
  t.same(p.addresses(), ['10.0.0.1:1']);
});

t.test('no address, one query failed: a failure, not "no records"', async (t) => {
  const dns = new FakeDns();
  dns.a.set('web', { error: 'ENODATA' });
  dns.aaaa.set('web', { error: 'ECONNREFUSED' });
  const p = new DnsProvider({ resolver: dns });
  t.equal((await p.resolve(specs('dns+web:1'))).length, 1);
  t.equal(p.stats.failures, 1);
});

t.test('SRV targets: one without records is skipped, one that fails fails the spec', async (t) => {
  const dns = new FakeDns();
  dns.srv.set('_s', [srv('gone', 1), srv('ok', 2)]);
  dns.a.set('ok', ['10.0.0.2']);
  const p = new DnsProvider({ resolver: dns });
  t.same(await p.resolve(specs('dnssrv+_s')), []);
  t.same(p.addresses(), ['10.0.0.2:2']);
  t.equal(p.stats.notFound, 1, 'the target "gone"');

  dns.srv.set('_s', [srv('bad', 1), srv('ok', 3)]);
  dns.a.set('bad', { error: 'EREFUSED' });
  t.equal((await p.resolve(specs('dnssrv+_s'))).length, 1);
  t.same(p.addresses(), ['10.0.0.2:2'], 'previous result kept, not half of the new one');
});

t.test('overlapping rounds: a slow older round does not overwrite a newer one', async (t) => {
  let release: (() => void) | undefined;
  let calls = 0;
  const dns: Resolver = {
    resolveSrv: async () => [],
    resolve6: async () => [],
    resolve4: async () => {
      if (++calls === 1) {
        await new Promise<void>((r) => (release = r));
        return ['10.0.0.1'];
      }
      return ['10.0.0.2'];
    },
  };
  const p = new DnsProvider({ resolver: dns });
  const slow = p.resolve(specs('dns+web:1'));
  await p.resolve(specs('dns+web:1'));
  t.same(p.addresses(), ['10.0.0.2:1']);
  release!();
  await slow;
  t.same(p.addresses(), ['10.0.0.2:1'], 'the newer answer stays');
});

t.test('run: resolves at once, again after each interval, and returns when aborted', async (t) => {
  const dns = new FakeDns();
  dns.a.set('web', ['10.0.0.1']);
  const slept: number[] = [];
  let wake: (() => void) | undefined;
  const sleep = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      slept.push(ms);
      wake = resolve;
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  const p = new DnsProvider({ resolver: dns, sleep });
  const ac = new AbortController();
  const running = p.run(specs('dns+web:1'), 30_000, ac.signal);
  await until(() => p.stats.rounds === 1 && wake !== undefined);
  t.same(p.addresses(), ['10.0.0.1:1']);

  dns.a.set('web', ['10.0.0.2']);
  t.same(p.addresses(), ['10.0.0.1:1'], 'nothing changes between rounds');
  const w = wake!;
  wake = undefined;
  w();
  await until(() => p.stats.rounds === 2 && wake !== undefined);
  t.same(p.addresses(), ['10.0.0.2:1']);
  t.same(slept, [30_000, 30_000]);

  ac.abort();
  await running;
  t.equal(p.stats.rounds, 2, 'no round after abort');
});

t.test('run after a blocking first resolve does not repeat it at once; real timers', async (t) => {
  const dns = new FakeDns();
  dns.a.set('web', ['10.0.0.1']);
  const p = new DnsProvider({ resolver: dns });
  await p.resolve(specs('dns+web:1'));
  const ac = new AbortController();
  const running = p.run(specs('dns+web:1'), 20, ac.signal);
  t.equal(p.stats.rounds, 1);
  await until(() => p.stats.rounds >= 3);
  const started = Date.now();
  ac.abort();
  await running;
  t.ok(Date.now() - started < 100, 'abort ends the wait at once');
});

async function until(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 1));
  }
}
