import t from 'tap';
import { readFileSync } from 'node:fs';
import { runCli } from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

t.test('--version prints the package version and exits 0', async (t) => {
  const r = await runCli(['--version']);
  t.equal(r.code, 0);
  t.equal(r.stdout.trim(), pkg.version);
});

t.test('--help lists every component', async (t) => {
  const r = await runCli(['--help']);
  t.equal(r.code, 0);
  for (const cmd of ['query', 'store', 'sidecar', 'tools']) t.match(r.stdout, new RegExp(`^\\s+${cmd}\\b`, 'm'), cmd);
});

t.test('an unknown flag is a clear message and exit code 2', async (t) => {
  const r = await runCli(['--no-such-flag']);
  t.equal(r.code, 2);
  t.match(r.stderr, /unknown option '--no-such-flag'/);
});

t.test('an unknown subcommand is exit code 2', async (t) => {
  const r = await runCli(['frobnicate']);
  t.equal(r.code, 2);
  t.match(r.stderr, /unknown command 'frobnicate'/);
});

t.test('subcommands report errors as exit code 2 too', async (t) => {
  const r = await runCli(['tools', 'no-such-tool']);
  t.equal(r.code, 2);
});
