// The sidecar's config reloader (--reloader.*) against a real Prometheus (Debian 2.42): it writes the config with
// $(ENV) substituted to the file Prometheus reads and makes Prometheus reload — at start, when the config
// template changes (plain or gzipped), when a rule file appears — by POST /-/reload or by SIGHUP; a template
// naming an unset variable changes nothing and is counted; a Prometheus without --web.enable-lifecycle
// refuses and the refusal is counted and retried.
import { symlinkSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { SIDECAR_DEFAULTS, type ReloaderConfig } from '../../src/cli/sidecar.js';
import { needBinary } from '../helpers/peers.js';
import { removeDir, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { startFakeSidecar, waitFor } from '../sidecar/sidecar-fixture.js';

const prometheus = needBinary(t, 'prometheus');

const ENV = 'PROMFED_RELOADER_TEST_CLUSTER';
process.env[ENV] = 'eu';

/** Prometheus's loaded config (YAML). */
async function loadedConfig(p: RunningPrometheus): Promise<string> {
  const body = (await (await fetch(`${p.url}/api/v1/status/config`)).json()) as { data: { yaml: string } };
  return body.data.yaml;
}

async function ruleGroups(p: RunningPrometheus): Promise<string[]> {
  const body = (await (await fetch(`${p.url}/api/v1/rules`)).json()) as { data: { groups: { name: string }[] } };
  return body.data.groups.map((g) => g.name);
}

/** A sample of the sidecar's /metrics (0 when absent). */
async function metric(http: string, name: string): Promise<number> {
  const text = await (await fetch(`http://${http}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

function template(dir: string, cluster: string): string {
  return `global:\n  external_labels: {cluster: ${cluster}, replica: r0}\nrule_files: ['${join(dir, 'rules')}/*.yml']\n`;
}

const RULES = 'groups:\n  - name: promfed-reloader-test\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n';

function reloaderConfig(over: Partial<ReloaderConfig>): ReloaderConfig {
  return { ...SIDECAR_DEFAULTS.reloader, watchIntervalMs: 60_000, retryIntervalMs: 200, ...over };
}

if (prometheus) {
  t.test('http: substituted config written and reloaded at start, on template changes and on new rule files', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'promfed-reloader-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'rules'));
    const tmpl = join(dir, 'prometheus.yml.tmpl');
    writeFileSync(tmpl, template(dir, `$(${ENV})`));
    // Prometheus starts on the template with our value already in; the sidecar then owns the file.
    const prom = await startPrometheus({ binary: prometheus, config: template(dir, 'eu'), extraArgs: ['--web.enable-lifecycle'] });
    t.teardown(async () => {
      await prom.stop();
      removeDir(prom.dir);
    });
    const out = join(prom.dir, 'prometheus.yml');
    const sc = await startFakeSidecar(prom.url, {
      reloader: reloaderConfig({ configFile: tmpl, configEnvsubstFile: out, ruleDirs: [join(dir, 'rules')] }),
    });
    t.teardown(() => sc.stop());
    const http = sc.running.httpAddress;

    await waitFor(async () => (await metric(http, 'promfed_sidecar_reloader_last_reload_successful')) === 1, 15_000, 'the reload at start');
    t.equal(await metric(http, 'promfed_sidecar_reloader_reloads_total'), 1, 'one reload at start');

    writeFileSync(tmpl, template(dir, `$(${ENV})-b`));
    await waitFor(async () => (await loadedConfig(prom)).includes('cluster: eu-b'), 15_000, 'Prometheus to load the changed template');
    t.pass('a changed template reaches Prometheus, substituted');

    writeFileSync(join(dir, 'rules', 'test.yml'), RULES);
    await waitFor(async () => (await ruleGroups(prom)).includes('promfed-reloader-test'), 15_000, 'the new rule group');
    t.pass('a new rule file is loaded');
    const reloads = await metric(http, 'promfed_sidecar_reloader_reloads_total');
    t.ok(reloads >= 3, `${reloads} reloads`);

    writeFileSync(tmpl, template(dir, '$(PROMFED_RELOADER_TEST_NOT_SET)'));
    await waitFor(async () => (await metric(http, 'promfed_sidecar_reloader_config_apply_operations_failed_total')) >= 1, 15_000, 'the failed apply');
    t.ok((await loadedConfig(prom)).includes('cluster: eu-b'), 'an unset variable: Prometheus keeps its config');
    t.equal(await metric(http, 'promfed_sidecar_reloader_reloads_total'), reloads, 'and is not asked to reload');

    writeFileSync(tmpl, gzipSync(template(dir, `$(${ENV})-gz`)));
    await waitFor(async () => (await loadedConfig(prom)).includes('cluster: eu-gz'), 15_000, 'the gzipped template');
    t.pass('a gzipped template is unpacked, substituted and loaded');
    t.equal(await metric(http, 'promfed_sidecar_reloader_reloads_failed_total'), 0, 'no reload was refused');
  });

  t.test('http: a Prometheus without --web.enable-lifecycle refuses; counted and retried', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'promfed-reloader-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'rules'));
    const prom = await startPrometheus({ binary: prometheus, config: template(dir, 'eu') });
    t.teardown(async () => {
      await prom.stop();
      removeDir(prom.dir);
    });
    const sc = await startFakeSidecar(prom.url, { reloader: reloaderConfig({ ruleDirs: [join(dir, 'rules')] }) });
    t.teardown(() => sc.stop());
    const http = sc.running.httpAddress;
    await waitFor(async () => (await metric(http, 'promfed_sidecar_reloader_reloads_failed_total')) >= 2, 15_000, 'refused reloads');
    t.equal(await metric(http, 'promfed_sidecar_reloader_last_reload_successful'), 0, 'the last reload failed');
    t.ok(sc.metadata.ready, 'the sidecar serves on regardless');
  });

  t.test('signal: SIGHUP to the process named by --reloader.process-name', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'promfed-reloader-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'rules'));
    // A name no other test's Prometheus has: the binary under a link of its own.
    const name = `prom-reload-${process.pid}`;
    symlinkSync(prometheus, join(dir, name));
    const prom = await startPrometheus({ binary: join(dir, name), config: template(dir, 'eu') });
    t.teardown(async () => {
      await prom.stop();
      removeDir(prom.dir);
    });
    const sc = await startFakeSidecar(prom.url, { reloader: reloaderConfig({ ruleDirs: [join(dir, 'rules')], method: 'signal', processName: name }) });
    t.teardown(() => sc.stop());
    const http = sc.running.httpAddress;
    await waitFor(async () => (await metric(http, 'promfed_sidecar_reloader_last_reload_successful')) === 1, 15_000, 'the SIGHUP at start');
    writeFileSync(join(dir, 'rules', 'test.yml'), RULES);
    await waitFor(async () => (await ruleGroups(prom)).includes('promfed-reloader-test'), 15_000, 'the rule group after SIGHUP');
    t.pass('Prometheus reloaded on SIGHUP, without the lifecycle API');
  });

  t.test('signal: no such process is a refused reload, retried', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'promfed-reloader-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const prom = await startPrometheus({ binary: prometheus, config: template(dir, 'eu') });
    t.teardown(async () => {
      await prom.stop();
      removeDir(prom.dir);
    });
    const sc = await startFakeSidecar(prom.url, { reloader: reloaderConfig({ ruleDirs: [dir], method: 'signal', processName: 'promfed-no-such-process' }) });
    t.teardown(() => sc.stop());
    await waitFor(async () => (await metric(sc.running.httpAddress, 'promfed_sidecar_reloader_reloads_failed_total')) >= 2, 15_000, 'refused reloads');
    t.pass('counted and retried');
  });
}
