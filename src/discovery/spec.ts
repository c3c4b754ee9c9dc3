/**
 * Endpoint specs as Thanos writes them (`pkg/discovery/dns/provider.go` GetQTypeName, `resolver.go`):
 * `<qtype>+<name>` split on the first `+`; no `+` is a static `host:port` passed through unchanged.
 *
 *   10.0.0.1:10901                         static
 *   dns+store.example:10901                A and AAAA of the host, each `ip:10901`; port required
 *   dnsdualstack+store.example:10901       the same, IPv6 first (see lookup.ts for why both exist)
 *   dnssrv+_grpc._tcp.store.example        SRV of the full name, then A/AAAA of each target, SRV port
 *   dnssrv+_grpc._tcp.store.example:9000   the same, but every result gets port 9000
 *   dnssrvnoa+_grpc._tcp.store.example     SRV only: `target:port`, the target's trailing `.` trimmed
 *
 * An optional `scheme://` before the name (`dns+http://host:80`) is kept on every result, as in Thanos.
 *
 * Deliberate difference: Thanos finds a bad spec only when it resolves it (and then keeps old results
 * forever); we reject it at parse time, so the CLI can exit 2 on a malformed `--endpoint`. For the same
 * reason a static address must be `host:port` with a numeric port.
 */
import { isIP } from 'node:net';
import { BadDataError } from '../model/index.js';

export type QType = 'dns' | 'dnsdualstack' | 'dnssrv' | 'dnssrvnoa';
const QTYPES: readonly QType[] = ['dns', 'dnsdualstack', 'dnssrv', 'dnssrvnoa'];

export type EndpointSpec =
  /** `address` is the spec itself, untouched. */
  | { readonly qtype: 'static'; readonly spec: string; readonly address: string }
  | {
      readonly qtype: QType;
      /** The original string: results are keyed by it. */
      readonly spec: string;
      /** `http:` for `http://…`, else ''. */
      readonly scheme: string;
      /** Name to look up, without brackets for an IPv6 literal. */
      readonly host: string;
      /** Decimal port, or '' when absent (allowed only for the SRV kinds). */
      readonly port: string;
    };

/** A malformed `--endpoint` value. Extends BadDataError so every boundary maps it to "bad input". */
export class InvalidEndpointSpecError extends BadDataError {
  override name = 'InvalidEndpointSpecError';
  constructor(
    readonly spec: string,
    reason: string,
  ) {
    super(`invalid endpoint ${JSON.stringify(spec)}: ${reason}`);
  }
}

/** Parses one spec; throws InvalidEndpointSpecError with the reason. */
export function parseEndpointSpec(spec: string): EndpointSpec {
  const bad = (reason: string): never => {
    throw new InvalidEndpointSpecError(spec, reason);
  };
  if (spec.trim() === '') bad('empty address');
  if (/\s/.test(spec)) bad('contains whitespace');

  const plus = spec.indexOf('+');
  const qtype = plus < 0 ? 'static' : spec.slice(0, plus);
  const rest = plus < 0 ? spec : spec.slice(plus + 1);
  if (qtype !== 'static' && !(QTYPES as readonly string[]).includes(qtype)) {
    bad(`unknown lookup type ${JSON.stringify(qtype)} (want dns+, dnssrv+, dnssrvnoa+, dnsdualstack+, or none for host:port)`);
  }

  // Thanos splits the scheme off on "//", so `http://h:1` gives scheme "http:".
  const slashes = rest.indexOf('//');
  const scheme = slashes < 0 ? '' : rest.slice(0, slashes);
  const name = slashes < 0 ? rest : rest.slice(slashes + 2);
  if (scheme !== '' && !/^[A-Za-z][A-Za-z0-9+.-]*:$/.test(scheme)) bad(`malformed scheme ${JSON.stringify(scheme)}`);
  if (name === '') bad('empty name');

  // Like Thanos: a name that does not split is all host, no port; only the SRV kinds may lack a port.
  const hp = splitHostPort(name);
  const { host, port } = 'error' in hp ? { host: name, port: '' } : hp;
  if (port === '' && (qtype === 'static' || qtype === 'dns' || qtype === 'dnsdualstack')) {
    const what = qtype === 'static' ? 'a static address' : `${qtype}+`;
    bad(`${what} needs host:port (${'error' in hp ? hp.error : 'missing port'})`);
  }
  if (!isIP(host) && !/^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_.])?$/.test(host)) bad(`malformed host ${JSON.stringify(host)}`);
  if (port !== '' && !validPort(port)) bad(`port ${JSON.stringify(port)} is not a number in 1-65535`);

  if (qtype === 'static') return { qtype, spec, address: spec };
  return { qtype: qtype as QType, spec, scheme, host, port };
}

/** Go's net.SplitHostPort, enough of it: `[v6]:port` or `host:port`, exactly one colon outside brackets. */
function splitHostPort(s: string): { host: string; port: string } | { error: string } {
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) return { error: 'missing "]"' };
    if (close === s.length - 1) return { error: 'missing port' };
    if (s[close + 1] !== ':') return { error: 'unexpected text after "]"' };
    return { host: s.slice(1, close), port: s.slice(close + 2) };
  }
  const colon = s.lastIndexOf(':');
  if (colon < 0) return { error: 'missing port' };
  if (s.indexOf(':') !== colon) return { error: 'too many colons; write an IPv6 address as [addr]:port' };
  return { host: s.slice(0, colon), port: s.slice(colon + 1) };
}

function validPort(p: string): boolean {
  if (!/^[0-9]{1,5}$/.test(p)) return false;
  const n = Number(p);
  return n >= 1 && n <= 65535;
}

/** `host:port` with IPv6 in brackets (Go's net.JoinHostPort), with the spec's scheme in front. */
export function joinHostPort(scheme: string, host: string, port: string | number): string {
  const hp = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return scheme === '' ? hp : `${scheme}//${hp}`;
}
