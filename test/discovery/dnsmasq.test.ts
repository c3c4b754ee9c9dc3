// Discovery against a real DNS server: Debian dnsmasq on a loopback port (peers.md §2).
import { setTimeout as sleepFor } from 'node:timers/promises';
import t from 'tap';
import { DnsProvider, NO_SEARCH, dnsResolver, parseEndpointSpec, type SearchConfig } from '../../src/discovery/index.js';
import { startDnsmasq, type DnsRecords } from '../helpers/dnsmasq.js';

const SVC = '_grpc._tcp.thanos-store.monitoring.svc.cluster.local';
const host = (i: number) => `store-${i}.thanos-store.monitoring.svc.cluster.local`;

/** Two stores as in peers.md: SRV → store-0:10901, store-1:10902; A → 127.0.0.1, 127.0.0.2. */
const twoStores: DnsRecords = {
  srv: [
    { name: SVC, target: host(0), port: 10901 },
    { name: SVC, target: host(1), port: 10902 },
  ],
  hosts: [
    { name: host(0), ips: ['127.0.0.1'] },
    { name: host(1), ips: ['127.0.0.2'] },
    { name: 'v6.monitoring.svc.cluster.local', ips: ['fd00::7', '127.0.0.7'] },
  ],
  addresses: [
    { domain: 'multi.monitoring.svc.cluster.local', ip: '127.0.0.1' },
    { domain: 'multi.monitoring.svc.cluster.local', ip: '127.0.0.2' },
  ],
};

const specs = (...s: string[]) => s.map(parseEndpointSpec);
/** The host's /etc/resolv.conf search list must not change what a name means here: pinned. */
const at = (server: string, timeoutMs: number, search: SearchConfig = NO_SEARCH) =>
  dnsResolver({ server, timeoutMs, tries: 1, search });

t.test('records served by dnsmasq resolve per prefix', async (t) => {
  const dns = await startDnsmasq(t, twoStores);
  if (!dns) return;
  const resolver = at(dns.server, 500);
  const cases: [string, string[]][] = [
    [`dnssrv+${SVC}`, ['127.0.0.1:10901', '127.0.0.2:10902']],
    [`dnssrv+${SVC}:9000`, ['127.0.0.1:9000', '127.0.0.2:9000']],
    [`dnssrvnoa+${SVC}`, [`${host(0)}:10901`, `${host(1)}:10902`]],
    ['dns+multi.monitoring.svc.cluster.local:10901', ['127.0.0.1:10901', '127.0.0.2:10901']],
    // --address also answers subdomains (peers.md): a real-DNS wildcard, resolved like any name
    ['dns+x.multi.monitoring.svc.cluster.local:1', ['127.0.0.1:1', '127.0.0.2:1']],
    ['dns+v6.monitoring.svc.cluster.local:10901', ['127.0.0.7:10901', '[fd00::7]:10901']],
    ['dnsdualstack+v6.monitoring.svc.cluster.local:10901', ['127.0.0.7:10901', '[fd00::7]:10901']],
    ['dns+multi.monitoring.svc.cluster.local.:1', ['127.0.0.1:1', '127.0.0.2:1']],
  ];
  for (const [spec, want] of cases) {
    const p = new DnsProvider({ resolver });
    t.same(await p.resolve(specs(spec)), [], `${spec}: no errors`);
    t.same(p.addresses(), want, spec);
  }
});

t.test('short names in a pod: found through the resolv.conf search list', async (t) => {
  const dns = await startDnsmasq(t, twoStores);
  if (!dns) return;
  const podSearch = { search: ['monitoring.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5 };
  const short = specs('dnssrv+_grpc._tcp.thanos-store', 'dnssrv+_grpc._tcp.thanos-store.monitoring.svc:9000', 'dns+multi:1');
  const p = new DnsProvider({ resolver: at(dns.server, 500, podSearch) });
  t.same(await p.resolve(short), []);
  t.same(p.addresses(), ['127.0.0.1:1', '127.0.0.1:10901', '127.0.0.1:9000', '127.0.0.2:1', '127.0.0.2:10902', '127.0.0.2:9000']);

  // what c-ares alone does: the short name goes out as written, outside the zone → REFUSED
  const plain = new DnsProvider({ resolver: at(dns.server, 500) });
  t.equal((await plain.resolve(short)).length, 3);
  t.same(plain.addresses(), []);
});

t.test('NXDOMAIN under the zone empties the spec, no error', async (t) => {
  const dns = await startDnsmasq(t, twoStores);
  if (!dns) return;
  const p = new DnsProvider({ resolver: at(dns.server, 500) });
  const errors = await p.resolve(specs('dnssrv+_grpc._tcp.nope.cluster.local', 'dns+nope.cluster.local:1', '10.1.1.1:10901'));
  t.same(errors, []);
  t.same(p.addresses(), ['10.1.1.1:10901']);
  t.equal(p.stats.notFound, 2);
  t.equal(p.stats.failures, 0);
});

t.test('SRV records change: the next refresh of the running loop reflects it', async (t) => {
  const dns = await startDnsmasq(t, twoStores);
  if (!dns) return;
  // The sleep hook sees the list after every round, including rounds that hit dnsmasq mid-restart.
  const seen: string[] = [];
  const p: DnsProvider = new DnsProvider({
    resolver: at(dns.server, 500),
    sleep: (ms, signal) => {
      const now = p.addresses().join(' ');
      if (seen.at(-1) !== now) seen.push(now);
      return sleepFor(ms, undefined, { signal });
    },
  });
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  const running = p.run(specs(`dnssrv+${SVC}`), 50, ac.signal);
  await until(() => p.addresses().length === 2);
  t.same(p.addresses(), ['127.0.0.1:10901', '127.0.0.2:10902']);

  // store-0 goes away, store-2 appears (a StatefulSet rolled); SRV records only change by restart.
  // Let at least one round hit the stopped server first, so the failure path is always part of this test.
  await dns.stop();
  await until(() => p.stats.failures >= 1);
  await dns.restart({
    srv: [
      { name: SVC, target: host(1), port: 10902 },
      { name: SVC, target: host(2), port: 10903 },
    ],
    hosts: [
      { name: host(1), ips: ['127.0.0.2'] },
      { name: host(2), ips: ['127.0.0.3'] },
    ],
  });
  await until(() => p.addresses().includes('127.0.0.3:10903'));
  t.same(p.addresses(), ['127.0.0.2:10902', '127.0.0.3:10903']);

  // the service scaled to zero: the SRV name is gone → NXDOMAIN → no endpoints (not "keep old")
  await dns.restart({});
  await until(() => p.addresses().length === 0);
  t.same(p.addresses(), []);
  ac.abort();
  await running;
  t.same(
    seen,
    ['127.0.0.1:10901 127.0.0.2:10902', '127.0.0.2:10902 127.0.0.3:10903', ''],
    'rounds that failed while dnsmasq was down changed nothing',
  );
  t.comment(`rounds: ${p.stats.rounds}, failed lookups during restarts: ${p.stats.failures}`);
});

t.test('A records change live through the hosts directory', async (t) => {
  const dns = await startDnsmasq(t, {});
  if (!dns) return;
  const name = 'web.monitoring.svc.cluster.local';
  const p = new DnsProvider({ resolver: at(dns.server, 500) });
  const round = async () => {
    t.same(await p.resolve(specs(`dns+${name}:9090`)), []);
    return p.addresses();
  };
  t.same(await round(), [], 'no records yet');
  await dns.writeHostsFile('web', [['127.0.0.1', name], ['127.0.0.2', name]]);
  await untilAsync(async () => (await round()).length === 2);
  t.same(p.addresses(), ['127.0.0.1:9090', '127.0.0.2:9090']);
  await dns.writeHostsFile('web', [['127.0.0.2', name]]);
  await untilAsync(async () => (await round()).length === 1);
  t.same(p.addresses(), ['127.0.0.2:9090']);
  await dns.removeHostsFile('web');
  await untilAsync(async () => (await round()).length === 0);
  t.same(p.addresses(), []);
});

t.test('DNS server down: lookups fail and the previous endpoints stay; back up: refreshed', async (t) => {
  const dns = await startDnsmasq(t, twoStores);
  if (!dns) return;
  const p = new DnsProvider({ resolver: at(dns.server, 300) });
  const all = specs(`dnssrv+${SVC}`, 'dns+multi.monitoring.svc.cluster.local:1');
  await p.resolve(all);
  const before = ['127.0.0.1:1', '127.0.0.1:10901', '127.0.0.2:1', '127.0.0.2:10902'];
  t.same(p.addresses(), before);

  await dns.stop();
  const started = Date.now();
  const errors = await p.resolve(all);
  const ms = Date.now() - started;
  t.equal(errors.length, 2, 'both lookups failed');
  t.match(errors[0]?.message, /resolve endpoint/);
  t.same(p.addresses(), before, 'previous endpoints kept');
  t.equal(p.stats.failures, 2);
  t.ok(ms < 3000, `failed round bounded by the resolver timeout (${ms} ms)`);
  t.comment(`round against a stopped server: ${ms} ms`);

  await dns.restart({ ...twoStores, srv: twoStores.srv!.slice(0, 1) });
  t.same(await p.resolve(all), []);
  t.same(p.addresses(), ['127.0.0.1:1', '127.0.0.1:10901', '127.0.0.2:1']);
});

t.test('DNS server hung (paused): lookups time out and the previous endpoints stay', async (t) => {
  const dns = await startDnsmasq(t, twoStores);
  if (!dns) return;
  const p = new DnsProvider({ resolver: at(dns.server, 200) });
  const all = specs(`dnssrv+${SVC}`, `dnssrvnoa+${SVC}`);
  t.same(await p.resolve(all), []);
  const before = p.addresses();
  t.equal(before.length, 4);
  dns.pause();
  const started = Date.now();
  const errors = await p.resolve(all);
  const ms = Date.now() - started;
  dns.resume();
  t.equal(errors.length, 2);
  for (const e of errors) t.match(e.cause, { cause: { code: 'ETIMEOUT' } });
  t.same(p.addresses(), before);
  t.comment(`round against a hung server: ${ms} ms (first-try timeout 200 ms)`);
  t.same(await p.resolve(all), [], 'answers again once resumed');
});

t.test('a REFUSED answer (name outside the served zone) is a failure: previous endpoints stay', async (t) => {
  const dns = await startDnsmasq(t, twoStores);
  if (!dns) return;
  const resolver = at(dns.server, 500);
  const p = new DnsProvider({ resolver });
  const errors = await p.resolve(specs('dns+store.example.org:1'));
  t.equal(errors.length, 1);
  t.match((errors[0]?.cause as Error).cause, { code: 'EREFUSED' }, 'what dnsmasq answers without upstream');
  t.equal(p.stats.notFound, 0);
});

async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  await untilAsync(async () => cond(), timeoutMs);
}

async function untilAsync(cond: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
