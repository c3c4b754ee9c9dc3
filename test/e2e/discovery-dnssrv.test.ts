// Discovery end to end (issue 4 item 9): a real DNS server (Debian dnsmasq on a loopback port, peers.md §2)
// serves SRV records pointing at two in-process stores; `startQuery` finds them with `dnssrv+`, lists them in
// /api/v1/stores and queries them; when the records change, the next DNS round plus endpoint round drop
// (or add) an endpoint. A DNS server that goes away leaves the endpoints in place (thanos.md §4.3).
import t, { type Test } from 'tap';
import { Labels } from '../../src/model/index.js';
import { MemoryStorage } from '../../src/storage/index.js';
import type { RunningGrpcServer } from '../../src/storeapi/index.js';
import type { RunningQuery } from '../../src/cli/query.js';
import { startDnsmasq, type DnsRecords } from '../helpers/dnsmasq.js';
import { api, memoryStore, querier } from '../helpers/querier.js';

const SVC = '_grpc._tcp.stores.monitoring.svc.cluster.local';
const host = (i: number) => `store-${i}.stores.monitoring.svc.cluster.local`;

/** `up{job="node"} 1` every 15 s over an hour, so the two stores differ only by their external labels. */
function db(): MemoryStorage {
  const d = new MemoryStorage();
  const ls = Labels.from({ __name__: 'up', job: 'node' });
  for (let t = 0; t <= 3_600_000; t += 15_000) d.append(ls, t, 1);
  return d;
}

function records(stores: RunningGrpcServer[]): DnsRecords {
  return {
    srv: stores.map((s, i) => ({ name: SVC, target: host(i), port: s.port })),
    hosts: stores.map((_, i) => ({ name: host(i), ips: ['127.0.0.1'] })),
  };
}

interface StoreJson {
  name: string;
  lastError: string | null;
  labelSets: Record<string, string>[];
}

async function stores(q: RunningQuery): Promise<StoreJson[]> {
  const r = await api(q.httpAddress, '/api/v1/stores', {});
  return Object.values(r.body.data as Record<string, StoreJson[]>).flat().sort((a, b) => a.name.localeCompare(b.name));
}

async function clusters(q: RunningQuery): Promise<string[]> {
  const r = await api(q.httpAddress, '/api/v1/query', { query: 'up', time: '1800' });
  return (r.body.data.result as { metric: Record<string, string> }[]).map((s) => s.metric.cluster).sort();
}

/**
 * Runs endpoint rounds ourselves (the querier's own loop runs every 5 s) until `cond` holds; the DNS loop
 * runs on its own every `dnsIntervalMs`. Bounded: gives up after `ms`.
 */
async function roundsUntil(q: RunningQuery, cond: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    await q.endpoints.update();
    if (cond() || Date.now() > end) return cond();
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function twoStores(t: Test): Promise<RunningGrpcServer[]> {
  const a = await memoryStore(db(), { cluster: 'a' });
  const b = await memoryStore(db(), { cluster: 'b' });
  t.teardown(async () => {
    await a.stop(0);
    await b.stop(0);
  });
  return [a, b];
}

t.test('dnssrv+: both SRV targets become endpoints; a target removed from DNS is dropped, and comes back', async (t) => {
  const [a, b] = await twoStores(t);
  const dns = await startDnsmasq(t, records([a, b]));
  if (!dns) return;
  const q = await querier({ endpoints: [`dnssrv+${SVC}`], dnsResolverAddress: dns.server, dnsIntervalMs: 200 });
  t.teardown(() => q.stop());

  t.same((await stores(q)).map((s) => [s.name, s.lastError, s.labelSets]), [
    [a.address, null, [{ cluster: 'a' }]],
    [b.address, null, [{ cluster: 'b' }]],
  ].sort((x, y) => (x[0] as string).localeCompare(y[0] as string)), 'both discovered stores listed, healthy, with their labels');
  t.same(await clusters(q), ['a', 'b'], 'both answer queries');

  // SRV records change only with a restart (same port: the querier's resolver keeps pointing at it).
  await dns.restart(records([a]));
  t.ok(await roundsUntil(q, () => q.endpoints.all().length === 1), 'dropped after the next DNS and endpoint rounds');
  t.same((await stores(q)).map((s) => s.name), [a.address]);
  t.same(await clusters(q), ['a']);

  await dns.restart(records([a, b]));
  t.ok(await roundsUntil(q, () => q.endpoints.all().length === 2), 'back when DNS names it again');
  t.same(await clusters(q), ['a', 'b']);
});

t.test('dnssrv+: while the DNS server is down the known endpoints stay', async (t) => {
  const [a, b] = await twoStores(t);
  const dns = await startDnsmasq(t, records([a, b]));
  if (!dns) return;
  const q = await querier({ endpoints: [`dnssrv+${SVC}`], dnsResolverAddress: dns.server, dnsIntervalMs: 100 });
  t.teardown(() => q.stop());
  t.equal(q.endpoints.all().length, 2);

  await dns.stop();
  // Several DNS intervals pass, each lookup refused; the endpoint rounds keep both.
  await new Promise((r) => setTimeout(r, 1000));
  await q.endpoints.update();
  t.same(q.endpoints.queryable().map((e) => e.address).sort(), [a.address, b.address].sort());
  t.same(await clusters(q), ['a', 'b']);
});

t.test('dns+name:port: two A records on two loopback addresses, changed live through the hosts dir', async (t) => {
  // 127.0.0.1:P and 127.0.0.2:P, the same port on both (dns+ gives one port for every address).
  const d1 = db();
  const d2 = db();
  const { startGrpcServer, memoryStoreApi } = await import('../../src/storeapi/index.js');
  const one = await startGrpcServer('127.0.0.1:0', memoryStoreApi(d1, { componentType: 'sidecar', externalLabels: Labels.from({ cluster: 'a' }) }));
  t.teardown(() => one.stop(0));
  let two: RunningGrpcServer;
  try {
    two = await startGrpcServer(`127.0.0.2:${one.port}`, memoryStoreApi(d2, { componentType: 'sidecar', externalLabels: Labels.from({ cluster: 'b' }) }));
  } catch (err) {
    t.skip(`cannot listen on 127.0.0.2:${one.port}: ${(err as Error).message}`);
    return;
  }
  t.teardown(() => two.stop(0));

  const name = 'multi.stores.monitoring.svc.cluster.local';
  const dns = await startDnsmasq(t, {});
  if (!dns) return;
  // Hosts-dir files are re-read on change (inotify), so A records change without a restart.
  await dns.writeHostsFile('stores', [['127.0.0.1', name], ['127.0.0.2', name]]);
  const q = await querier({ endpoints: [`dns+${name}:${one.port}`], dnsResolverAddress: dns.server, dnsIntervalMs: 200 });
  t.teardown(() => q.stop());
  // dnsmasq may pick the file up a moment after it is written: wait for both addresses.
  t.ok(await roundsUntil(q, () => q.endpoints.all().length === 2), 'both A records became endpoints');
  t.same((await stores(q)).map((s) => s.name), [`127.0.0.1:${one.port}`, `127.0.0.2:${one.port}`]);
  t.same(await clusters(q), ['a', 'b']);

  await dns.writeHostsFile('stores', [['127.0.0.2', name]]);
  t.ok(await roundsUntil(q, () => q.endpoints.all().length === 1), 'an A record removed → its endpoint dropped');
  t.same((await stores(q)).map((s) => s.name), [`127.0.0.2:${one.port}`]);
  t.same(await clusters(q), ['b']);
});
