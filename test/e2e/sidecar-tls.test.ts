// The sidecar against a real Prometheus (Debian 2.42) that serves HTTPS with basic auth (`--web.config.file`),
// as prometheus-operator sets one up: `--prometheus.http-client` (Thanos's YAML) gives the CA and the
// credentials; without them the sidecar stays not ready and says why. Certificates are made by openssl here.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { needBinary } from '../helpers/peers.js';
import { createBlocks, removeDir, startPrometheus } from '../helpers/prometheus.js';
import { runCli } from '../helpers/cli.js';
import { generateSeries, T0, toOpenMetrics } from '../sidecar/fixture-data.js';
import { startFakeSidecar, waitFor } from '../sidecar/sidecar-fixture.js';

const prometheus = needBinary(t, 'prometheus');
const promtool = prometheus && needBinary(t, 'promtool');
const openssl = needBinary(t, 'openssl');

// bcrypt (cost 4) of "secret", made with Python's crypt: Prometheus's web config takes hashes only.
const SECRET_HASH = '$2b$04$xEL2PLDeivVkBM4a/culTeA.TvTaM1pXZy6pQYY16hX9sWeduAj3q';

if (prometheus && promtool && openssl) {
  t.test('https + basic auth: the sidecar reads Prometheus with --prometheus.http-client, and only with it', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'promfed-tls-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const f = (name: string): string => join(dir, name);
    const ssl = (...args: string[]): void => void execFileSync(openssl, args, { stdio: 'ignore' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-subj', '/CN=promfed test CA', '-days', '1');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1');
    writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.crt'), '-days', '1', '-extfile', f('san.ext'));

    const end = T0 + 2 * 3_600_000 - 15_000;
    const data = generateSeries({ instances: 2, end });
    const blocks = await createBlocks(promtool, toOpenMetrics(data));
    const auth = `Basic ${Buffer.from('promfed:secret').toString('base64')}`;
    const prom = await startPrometheus({
      binary: prometheus,
      config: 'global:\n  external_labels: {cluster: tls, replica: r0}\n',
      blocks: [blocks],
      web: {
        config: `tls_server_config:\n  cert_file: ${f('server.crt')}\n  key_file: ${f('server.key')}\nbasic_auth_users:\n  promfed: ${SECRET_HASH}\n`,
        ca: readFileSync(f('ca.crt')),
        authorization: auth,
      },
    });
    t.teardown(async () => {
      await prom.stop();
      removeDir(prom.dir);
      removeDir(blocks);
    });
    t.match(prom.url, /^https:/);

    writeFileSync(f('client.yml'), `basic_auth:\n  username: promfed\n  password_file: ${f('password')}\ntls_config:\n  ca_file: ${f('ca.crt')}\n`);
    writeFileSync(f('password'), 'secret\n');
    const sc = await startFakeSidecar(prom.url, { prometheusHttpClientFile: f('client.yml') });
    t.teardown(() => sc.stop());
    t.same(sc.metadata.externalLabels().toObject(), { cluster: 'tls', replica: 'r0' }, 'config read over https with credentials');
    let samples = 0;
    for await (const frame of sc.store.series({ min_time: String(T0), max_time: String(end), matchers: [{ type: 2, name: '__name__', value: 'sc_.*' }] })) {
      if (frame.result === 'series') samples += frame.series.chunks.reduce((n, c) => n + ((c.raw!.data[0] << 8) | c.raw!.data[1]), 0);
    }
    t.equal(samples, data.reduce((n, g) => n + g.ts.length, 0), 'remote read over https with credentials: every sample');

    // The wrong ways in: no CA (an unknown issuer), no credentials (401), skip verification but no credentials.
    const refusals: [string, RegExp][] = [
      [`basic_auth: {username: promfed, password: secret}\n`, /certificate/i],
      [`tls_config: {ca_file: ${f('ca.crt')}}\n`, /401/],
      [`tls_config: {insecure_skip_verify: true}\n`, /401/],
    ];
    for (const [yaml, why] of refusals) {
      const bad = await startFakeSidecar(prom.url, { prometheusHttpClient: yaml, waitReady: false });
      await waitFor(() => bad.running.metadata.lastError !== undefined, 10_000, 'a refresh error');
      t.notOk(bad.running.metadata.ready, `not ready with ${yaml.trim()}`);
      t.match(bad.running.metadata.lastError?.message, why, `and it says why: ${yaml.trim()}`);
      await bad.stop();
    }
  });
}

t.test('--prometheus.http-client mistakes are usage errors (exit 2) naming the problem', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--prometheus.http-client=proxy_url: http://proxy:3128'], /proxy_url: not supported/],
    [['--prometheus.http-client=tls_config: {insecure_skip_verify: maybe}'], /insecure_skip_verify: true or false/],
    [['--prometheus.http-client=basic_auth: {username: a, password: b}\nbearer_token: c'], /mutually exclusive/],
    [['--prometheus.http-client=tls_config: {ca_file: /nonexistent/ca.crt}'], /ca_file: cannot read \/nonexistent\/ca\.crt/],
    [['--prometheus.http-client=tls: {}'], /unknown field "tls"/],
    [['--prometheus.http-client-file=/nonexistent/client.yml'], /cannot read \/nonexistent\/client\.yml/],
    [['--prometheus.http-client=a: ['], /not YAML/],
  ];
  for (const [args, why] of cases) {
    const r = await runCli(['sidecar', '--grpc-address=127.0.0.1:0', '--http-address=127.0.0.1:0', ...args]);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, why, args.join(' '));
  }
});
