// The Reloader's change detection on real files, with the reload itself counted (the e2e test drives a real
// Prometheus): a Kubernetes ConfigMap volume's symlink swap is a change, touching nothing is not, and a
// reload that fails is asked again until it is taken.
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Registry } from 'prom-client';
import { Reloader } from '../../../src/sidecar/reloader/index.js';
import { waitFor } from '../sidecar-fixture.js';

const quiet = { info: () => undefined, warn: () => undefined };

/** A ConfigMap volume as the kubelet lays it out: files are links through `..data` to a timestamped directory. */
function configMap(dir: string, version: string, files: Record<string, string>): void {
  const v = join(dir, `..${version}`);
  mkdirSync(v);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(v, name), text);
  // The kubelet's atomic swap: a new link, renamed over ..data.
  symlinkSync(`..${version}`, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  for (const name of Object.keys(files)) {
    try {
      symlinkSync(join('..data', name), join(dir, name));
    } catch {
      // the link exists from an earlier version
    }
  }
}

t.test('ConfigMap swaps are changes; passes over unchanged files reload nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'promfed-reloader-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  configMap(dir, 'v1', { 'a.yml': 'groups: []\n' });
  symlinkSync(join(dir, 'missing'), join(dir, 'dangling.yml')); // a dangling link is not a rule file
  let reloads = 0;
  const abort = new AbortController();
  t.teardown(() => abort.abort());
  const r = new Reloader({ ruleDirs: [dir], watchIntervalMs: 50, retryIntervalMs: 10, reload: async () => void reloads++, registry: new Registry(), log: quiet });
  const running = r.run(abort.signal);
  await waitFor(() => reloads === 1, 5_000, 'the reload at start');
  await new Promise((r) => setTimeout(r, 400)); // several passes over unchanged files
  t.equal(reloads, 1, 'unchanged rules: no further reload');
  configMap(dir, 'v2', { 'a.yml': 'groups: [{name: g, rules: []}]\n' });
  await waitFor(() => reloads === 2, 5_000, 'the reload after the swap');
  t.pass('the swap of ..data is seen through the links');
  mkdirSync(join(dir, 'subdir'));
  writeFileSync(join(dir, 'subdir', 'x.yml'), 'ignored');
  await new Promise((r) => setTimeout(r, 400));
  t.equal(reloads, 2, 'files in subdirectories are not rule files of this directory');
  abort.abort();
  await running;
});

t.test('a refused reload is asked again until taken, and then not again', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'promfed-reloader-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a.yml'), 'groups: []\n');
  let attempts = 0;
  const abort = new AbortController();
  const registry = new Registry();
  const r = new Reloader({
    ruleDirs: [dir],
    watchIntervalMs: 50,
    retryIntervalMs: 10,
    reload: async () => {
      if (++attempts < 4) throw new Error('not yet');
    },
    registry,
    log: quiet,
  });
  const running = r.run(abort.signal);
  await waitFor(() => attempts === 4, 5_000, 'four attempts');
  await new Promise((r) => setTimeout(r, 300));
  t.equal(attempts, 4, 'taken at the fourth attempt, not asked again');
  const text = await registry.metrics();
  t.match(text, /promfed_sidecar_reloader_reloads_total 4/);
  t.match(text, /promfed_sidecar_reloader_reloads_failed_total 3/);
  t.match(text, /promfed_sidecar_reloader_last_reload_successful 1/);
  abort.abort();
  await running;
});

t.test('nothing to watch: runs until stopped, reloads nothing', async (t) => {
  let reloads = 0;
  const abort = new AbortController();
  const running = new Reloader({ ruleDirs: [], watchIntervalMs: 10, retryIntervalMs: 10, reload: async () => void reloads++, log: quiet }).run(abort.signal);
  await new Promise((r) => setTimeout(r, 100));
  abort.abort();
  await running;
  t.equal(reloads, 0);
});
