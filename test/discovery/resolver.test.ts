// The default c-ares resolver against real sockets: a server that never answers, and a bad server address.
import { createSocket } from 'node:dgram';
import t from 'tap';
import { BadDataError } from '../../src/model/index.js';
import { DnsProvider, NO_SEARCH, dnsResolver, parseEndpointSpec } from '../../src/discovery/index.js';

t.test('a DNS server that never answers: ETIMEOUT within the configured budget, old endpoints kept', async (t) => {
  const blackhole = createSocket('udp4');
  await new Promise<void>((resolve) => blackhole.bind(0, '127.0.0.1', resolve));
  t.teardown(() => blackhole.close());
  let received = 0;
  blackhole.on('message', () => received++);

  const resolver = dnsResolver({ server: `127.0.0.1:${blackhole.address().port}`, timeoutMs: 200, tries: 1, search: NO_SEARCH });
  const p = new DnsProvider({ resolver });
  const started = Date.now();
  const errors = await p.resolve(['10.0.0.1:1', 'dns+web.example:1'].map(parseEndpointSpec));
  const ms = Date.now() - started;
  t.equal(errors.length, 1);
  t.match(errors[0]?.cause, { cause: { code: 'ETIMEOUT' } });
  t.ok(received >= 1, 'the query went to the configured server, not the system resolver');
  // measured: c-ares gives up after about twice the first-try timeout; far below a 30 s refresh interval
  t.ok(ms >= 150 && ms < 2000, `timed out in ${ms} ms`);
  t.same(p.addresses(), ['10.0.0.1:1'], 'the static spec is unaffected');
});

t.test('a bad resolver address is a BadDataError before any query', async (t) => {
  t.throws(() => dnsResolver({ server: 'kube-dns.kube-system:53' }), BadDataError);
  t.throws(() => dnsResolver({ server: '127.0.0.1:0' }), BadDataError);
});
