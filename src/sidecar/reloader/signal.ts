/**
 * `--reloader.method=signal`: SIGHUP to the process whose executable is named `--reloader.process-name`, as
 * Thanos does for a Prometheus without --web.enable-lifecycle. The sidecar must see Prometheus's process
 * (Kubernetes: `shareProcessNamespace: true`); processes are found through /proc (Linux).
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';

/** Sends SIGHUP to the first process (other than us) whose argv[0] has base name `name`; returns its PID. */
export async function sighupProcess(name: string): Promise<number> {
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone since the listing, or not ours to read
    }
    const argv0 = cmdline.split('\0', 1)[0];
    if (argv0 === '' || basename(argv0) !== name) continue;
    process.kill(pid, 'SIGHUP');
    return pid;
  }
  throw new Error(`no process named ${JSON.stringify(name)} to send SIGHUP to (--reloader.process-name; does the sidecar share Prometheus's process namespace?)`);
}
