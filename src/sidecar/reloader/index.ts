/**
 * reloader: Thanos's `--reloader.*` for the sidecar — substitute `$(ENV)` in Prometheus's config file, watch
 * it and the rule directories, and make Prometheus reload (POST /-/reload or SIGHUP) when they change.
 */
export { Reloader, type ReloaderOptions } from './reloader.js';
export { expandEnv } from './envsubst.js';
export { sighupProcess } from './signal.js';
