import t from 'tap';
import { BadDataError } from '../../src/model/index.js';
import { InvalidEndpointSpecError, parseEndpointSpec, parseResolverAddress } from '../../src/discovery/index.js';

// Expected values follow thanos.md §4.1 (split on the first '+', port rules per prefix).
const valid: [string, string, object][] = [
  ['static IPv4 passes through unchanged', '10.0.0.1:10901', { qtype: 'static', address: '10.0.0.1:10901' }],
  ['static name passes through unchanged', 'store-0.example:10901', { qtype: 'static', address: 'store-0.example:10901' }],
  ['static IPv6 in brackets', '[::1]:10901', { qtype: 'static', address: '[::1]:10901' }],
  ['dns+ host and port', 'dns+store.example:10901', { qtype: 'dns', scheme: '', host: 'store.example', port: '10901' }],
  ['dns+ IPv6 literal loses its brackets', 'dns+[fd00::1]:10901', { qtype: 'dns', host: 'fd00::1', port: '10901' }],
  ['dnsdualstack+ host and port', 'dnsdualstack+store.example:10901', { qtype: 'dnsdualstack', host: 'store.example', port: '10901' }],
  ['dnssrv+ takes the full name, no port', 'dnssrv+_grpc._tcp.store.example', { qtype: 'dnssrv', host: '_grpc._tcp.store.example', port: '' }],
  ['dnssrv+ with an explicit port', 'dnssrv+_grpc._tcp.store.example:9000', { qtype: 'dnssrv', host: '_grpc._tcp.store.example', port: '9000' }],
  ['dnssrvnoa+', 'dnssrvnoa+_grpc._tcp.store.example', { qtype: 'dnssrvnoa', host: '_grpc._tcp.store.example', port: '' }],
  ['scheme kept apart from the name', 'dns+http://store.example:80', { qtype: 'dns', scheme: 'http:', host: 'store.example', port: '80' }],
  ['a trailing-dot FQDN is a host', 'dns+store.example.:10901', { qtype: 'dns', host: 'store.example.', port: '10901' }],
];

for (const [name, spec, want] of valid) {
  t.test(name, async (t) => {
    t.match(parseEndpointSpec(spec), { ...want, spec });
  });
}

const invalid: [string, string, RegExp][] = [
  ['empty', '', /empty address/],
  ['static without port', 'store-0.example', /static address needs host:port \(missing port\)/],
  ['static bare IPv6 is ambiguous', '::1:10901', /too many colons/],
  ['dns+ without port (Thanos: "missing port in address")', 'dns+store.example', /dns\+ needs host:port \(missing port\)/],
  ['dns+ with an empty port', 'dns+store.example:', /dns\+ needs host:port/],
  ['dnsdualstack+ without port', 'dnsdualstack+store.example', /dnsdualstack\+ needs host:port/],
  ['unknown lookup type', 'dnsa+store.example:1', /unknown lookup type "dnsa"/],
  ['lookup types are case-sensitive', 'DNS+store.example:1', /unknown lookup type "DNS"/],
  ['split on the first plus only', 'dns+a+b:1', /malformed host "a\+b"/],
  ['empty name after the prefix', 'dnssrv+', /empty name/],
  ['named port', 'dns+store.example:grpc', /port "grpc" is not a number/],
  ['port out of range', 'store.example:65536', /port "65536" is not a number in 1-65535/],
  ['port zero', 'dns+store.example:0', /port "0"/],
  ['whitespace', 'dns+store example:1', /contains whitespace/],
  ['empty host', ':10901', /malformed host ""/],
  ['unclosed bracket', 'dns+[::1:10901', /missing "]"/],
];

for (const [name, spec, msg] of invalid) {
  t.test(`rejects: ${name}`, async (t) => {
    const err = catchError(() => parseEndpointSpec(spec));
    t.ok(err instanceof InvalidEndpointSpecError, 'typed error');
    t.ok(err instanceof BadDataError, 'maps to bad input at every boundary');
    t.match((err as Error).message, msg);
    t.match((err as Error).message, `invalid endpoint ${JSON.stringify(spec)}`, 'names the offending value');
    t.equal((err as InvalidEndpointSpecError).spec, spec);
  });
}

t.test('resolver address: IP with optional port accepted as given', async (t) => {
  for (const a of ['127.0.0.1', '127.0.0.1:5353', '::1', '[::1]:53', '[fd00::53]']) t.equal(parseResolverAddress(a), a, a);
});

t.test('resolver address: names and malformed ports rejected', async (t) => {
  const cases: [string, RegExp][] = [
    ['dns.example:53', /a host name cannot be a DNS server/],
    ['dns.example', /want an IP address/],
    ['', /want an IP address/],
    ['127.0.0.1:', /port "" is not a number/],
    ['127.0.0.1:dns', /port "dns"/],
    ['[::1]:99999', /port "99999"/],
    ['[127.0.0.1]:53', /must be IPv6/],
  ];
  for (const [a, msg] of cases) {
    const err = catchError(() => parseResolverAddress(a));
    t.ok(err instanceof BadDataError, a);
    t.match((err as Error).message, msg, a);
  }
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}
