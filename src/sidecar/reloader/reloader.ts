/**
 * The sidecar's config reloader, as Thanos's (`--reloader.*`): it watches Prometheus's config file and rule
 * directories and makes Prometheus reload when they change.
 *
 *  - The config file (`--reloader.config-file`, gzipped or not) gets `$(ENV_VAR)` references substituted
 *    (envsubst.ts) and is written to `--reloader.config-envsubst-file` — the file Prometheus reads — through a
 *    temporary file and a rename, and only when its content changed, so Prometheus never reads half a file.
 *  - Each rule directory (`--reloader.rule-dir`, repeatable) counts by the names and contents of the files in
 *    it, symlinks followed: a Kubernetes ConfigMap volume swaps a `..data` symlink, which fs events see.
 *  - A pass (on start, on a file event, every `--reloader.watch-interval`) hashes both; when the hash differs
 *    from the last one Prometheus reloaded, it triggers a reload (POST /-/reload, or SIGHUP), retried every
 *    `--reloader.retry-interval` until Prometheus takes it. So Prometheus reloads once when the sidecar starts
 *    (Thanos does the same) and then on real changes only.
 *
 * A pass that fails (unreadable file, unset variable) is logged and counted, and the reloader keeps
 * watching: a fixed file is picked up by the next pass. A directory that cannot be watched at start is an
 * error (the sidecar exits saying which), as in Thanos.
 */
import { createHash, type Hash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Counter, Gauge, type Registry } from 'prom-client';
import { sleep } from '../../model/index.js';
import { expandEnv } from './envsubst.js';

export interface ReloaderOptions {
  /** Prometheus's config file as written by the operator (may contain `$(VAR)`, may be gzipped). */
  configFile?: string;
  /** Where the substituted config goes (the file Prometheus reads); without it nothing is written. */
  configOutputFile?: string;
  ruleDirs: readonly string[];
  /** How often a pass runs without any file event (Thanos: 3 m). */
  watchIntervalMs: number;
  /** Wait between attempts of a reload Prometheus did not take (Thanos: 5 s). */
  retryIntervalMs: number;
  /** Makes Prometheus reload; rejects when it did not. */
  reload: (signal: AbortSignal) => Promise<void>;
  registry?: Registry;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

/** File events arriving within this time make one pass (an editor or kubelet writes several). */
const DEBOUNCE_MS = 100;
const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

export class Reloader {
  private readonly m: ReturnType<typeof reloaderMetrics>;
  /** Hash of config + rule files as of the last reload Prometheus took. */
  private lastReloaded: string | undefined;

  constructor(private readonly opts: ReloaderOptions) {
    this.m = reloaderMetrics(opts.registry);
  }

  /** Watches until `signal` aborts. Rejects only when a watch cannot be set up at start. */
  async run(signal: AbortSignal): Promise<void> {
    const { configFile, ruleDirs } = this.opts;
    if (configFile === undefined && ruleDirs.length === 0) {
      await sleep(Infinity, signal);
      return;
    }
    // Aborted by a file event: the wait for the next pass ends early.
    let changed = new AbortController();
    const onEvent = (): void => {
      this.m.watchEvents.inc();
      changed.abort();
    };
    const watchers: FSWatcher[] = [];
    try {
      for (const dir of [...(configFile !== undefined ? [dirname(configFile)] : []), ...ruleDirs]) {
        try {
          const w = watch(dir, { persistent: false }, onEvent);
          w.on('error', (err) => {
            this.m.watchErrors.inc();
            this.opts.log.warn({ dir, err: err.message }, 'reloader: watch failed; changes are still picked up every watch interval');
          });
          watchers.push(w);
        } catch (err) {
          throw new Error(`reloader: cannot watch ${dir}: ${(err as Error).message}`, { cause: err });
        }
      }
      while (!signal.aborted) {
        changed = new AbortController(); // events from here on count for the next pass
        try {
          await this.apply(signal);
        } catch (err) {
          if (signal.aborted) break;
          this.opts.log.warn({ err: (err as Error).message }, 'reloader: cannot apply the config; watching on');
        }
        await sleep(this.opts.watchIntervalMs, AbortSignal.any([signal, changed.signal]));
        await sleep(DEBOUNCE_MS, signal);
      }
    } finally {
      for (const w of watchers) w.close();
    }
  }

  /** One pass: writes the substituted config, and reloads Prometheus if anything changed since the last reload. */
  async apply(signal: AbortSignal): Promise<void> {
    this.m.applies.inc();
    const h = createHash('sha256');
    try {
      const { configFile, configOutputFile } = this.opts;
      if (configFile !== undefined) {
        let raw = await readFile(configFile);
        h.update(raw);
        if (configOutputFile !== undefined) {
          if (GZIP_MAGIC.every((b, i) => raw[i] === b)) raw = gunzipSync(raw);
          const text = expandEnv(raw.toString('utf8'));
          await writeIfChanged(configOutputFile, text);
        }
      }
      for (const dir of this.opts.ruleDirs) await hashDir(h, dir);
    } catch (err) {
      this.m.applyFailures.inc();
      throw err;
    }
    const hash = h.digest('hex');
    if (hash === this.lastReloaded) return;
    for (;;) {
      this.m.reloads.inc();
      try {
        await this.opts.reload(signal);
        this.lastReloaded = hash;
        this.m.lastOk.set(1);
        this.m.lastOkTime.set(Date.now() / 1000);
        this.opts.log.info({ configFile: this.opts.configFile, ruleDirs: this.opts.ruleDirs }, 'reloader: Prometheus reloaded');
        return;
      } catch (err) {
        if (signal.aborted) throw err;
        this.m.reloadFailures.inc();
        this.m.lastOk.set(0);
        this.opts.log.warn({ err: (err as Error).message, retryInMs: this.opts.retryIntervalMs }, 'reloader: Prometheus did not reload');
        await sleep(this.opts.retryIntervalMs, signal);
        if (signal.aborted) throw err;
      }
    }
  }
}

/** Names and contents of the files in `dir` (symlinks followed, subdirectories left out), in name order. */
async function hashDir(h: Hash, dir: string): Promise<void> {
  const names = (await readdir(dir)).sort();
  for (const name of names) {
    const path = join(dir, name);
    let isFile: boolean;
    try {
      isFile = (await stat(path)).isFile();
    } catch {
      continue; // a dangling symlink, or a file removed while we list: not part of the rules
    }
    if (!isFile) continue;
    h.update(`${name}\0`);
    h.update(await readFile(path));
    h.update('\0');
  }
}

/** Writes `text` to `path` through `path.tmp` and a rename, unless the file already holds exactly that. */
async function writeIfChanged(path: string, text: string): Promise<void> {
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === text) return;
  const tmp = `${path}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}


/** Thanos's `thanos_sidecar_reloader_*` under promfed_ names. */
function reloaderMetrics(registry: Registry | undefined) {
  const registers = registry ? [registry] : [];
  const p = 'promfed_sidecar_reloader_';
  return {
    reloads: new Counter({ name: `${p}reloads_total`, help: 'Reloads asked of Prometheus.', registers }),
    reloadFailures: new Counter({ name: `${p}reloads_failed_total`, help: 'Reloads Prometheus did not take (retried).', registers }),
    applies: new Counter({ name: `${p}config_apply_operations_total`, help: 'Passes over the config file and rule directories.', registers }),
    applyFailures: new Counter({ name: `${p}config_apply_operations_failed_total`, help: 'Passes that could not read or substitute the config.', registers }),
    watchEvents: new Counter({ name: `${p}watch_events_total`, help: 'File events seen in the watched directories.', registers }),
    watchErrors: new Counter({ name: `${p}watch_errors_total`, help: 'Errors of the file watches.', registers }),
    lastOk: new Gauge({ name: `${p}last_reload_successful`, help: '1 when the last reload asked was taken.', registers }),
    lastOkTime: new Gauge({ name: `${p}last_reload_success_timestamp_seconds`, help: 'Unix time of the last reload Prometheus took.', registers }),
  };
}
