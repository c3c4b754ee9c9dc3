/**
 * Finding the real peer binaries (Debian `prometheus`, `promtool`, `dnsmasq`) for end-to-end tests.
 *
 * A test that needs one calls `needBinary(t, 'promtool')`: when it is missing the test is skipped with a
 * printed reason, unless PROMFED_E2E=1 (CI installs the binaries), where missing means failure.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const SEARCH_EXTRA = ['/usr/sbin', '/sbin', '/usr/bin'];

/** Absolute path of an executable on PATH (or the sbin dirs), or undefined. */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...SEARCH_EXTRA];
  for (const dir of dirs) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The bit of tap's Test this needs (its real signatures take extra, optional arguments). */
interface SkippableTest {
  skip(...args: any[]): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
  fail(...args: any[]): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * Returns the binary's path, or undefined after skipping (or failing, under PROMFED_E2E=1) the test.
 * Use: `const promtool = needBinary(t, 'promtool'); if (!promtool) return;`
 */
export function needBinary(t: SkippableTest, name: string): string | undefined {
  const path = findBinary(name);
  if (path) return path;
  const why = `${name} not found (Debian: apt-get install -y prometheus dnsmasq)`;
  if (process.env.PROMFED_E2E === '1') t.fail(`${why}; PROMFED_E2E=1 requires it`);
  else t.skip(why);
  return undefined;
}

/** Debian's interpreter with python3-grpcio (gRPC C-core), used as an independent gRPC peer. */
export const PYTHON3 = '/usr/bin/python3';

/**
 * Returns PYTHON3 when it can `import grpc`, or undefined after skipping (or failing, under PROMFED_E2E=1) the test.
 * Use: `const python = needPythonGrpc(t); if (!python) return;`
 */
export function needPythonGrpc(t: SkippableTest): string | undefined {
  const r = spawnSync(PYTHON3, ['-c', 'import grpc'], { stdio: 'ignore', timeout: 20_000 });
  if (r.status === 0) return PYTHON3;
  const why = `${PYTHON3} cannot import grpc (Debian: apt-get install -y python3-grpcio)`;
  if (process.env.PROMFED_E2E === '1') t.fail(`${why}; PROMFED_E2E=1 requires it`);
  else t.skip(why);
  return undefined;
}
