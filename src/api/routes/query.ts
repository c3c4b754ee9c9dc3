/**
 * /api/v1/query and /api/v1/query_range (GET and POST form), with Thanos's `dedup`, `replicaLabels[]`,
 * `partial_response`, `storeMatch[]` and Prometheus's `time`, `timeout`, `lookback_delta`, `stats`.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../deps.js';
import { HttpApiError, invalidParam } from '../errors.js';
import { Form } from '../form.js';
import type { Gate } from '../gate.js';
import { optionalTime, parseDuration, parseTime } from '../params.js';
import { renderQueryData } from '../render.js';
import { requestAbort } from '../request-context.js';
import { storageOptions } from './storage-options.js';
import type { QueryMetrics } from '../metrics.js';
import type { QueryResult } from '../../promql/types.js';

/** Most points a range query may return per series, as Prometheus. */
const MAX_POINTS = 11_000;

export function registerQueryRoutes(app: FastifyInstance, deps: ApiDeps, gate: Gate, metrics: QueryMetrics): void {
  const run = async (
    form: Form,
    reply: import('fastify').FastifyReply,
    kind: 'instant' | 'range',
    exec: (opts: { signal: AbortSignal; timeoutMs: number; lookbackDeltaMs?: number }, storage: ReturnType<ApiDeps['storage']>) => Promise<QueryResult>,
  ) => {
    const timeoutMs = Math.min(
      form.get('timeout') !== undefined ? parseDuration(form.get('timeout')!, 'timeout') : Infinity,
      deps.defaults.queryTimeoutMs,
    );
    const lookback = form.get('lookback_delta');
    const lookbackDeltaMs = lookback !== undefined ? parseDuration(lookback, 'lookback_delta') : undefined;
    if (lookbackDeltaMs !== undefined && lookbackDeltaMs < 0) throw invalidParam('lookback_delta', 'must not be negative');
    const storage = deps.storage(storageOptions(form, deps.defaults));
    const abort = requestAbort(reply, timeoutMs);
    const stop = metrics.start(kind);
    let release: (() => void) | undefined;
    try {
      const queued = performance.now();
      release = await gate.acquire(abort.signal);
      const started = performance.now();
      const result = await exec({ signal: abort.signal, timeoutMs, lookbackDeltaMs: lookbackDeltaMs || undefined }, storage);
      const done = performance.now();
      stop('success');
      const timings = { evalTotalTime: (done - started) / 1000, execQueueTime: (started - queued) / 1000, execTotalTime: (done - queued) / 1000 };
      const data = form.get('stats') ? renderQueryData(result.value, result.stats, timings) : renderQueryData(result.value);
      return { data, warnings: result.warnings, infos: result.infos };
    } catch (err) {
      stop('error');
      throw err;
    } finally {
      release?.();
      abort.done();
    }
  };

  const instant = async (form: Form, reply: import('fastify').FastifyReply) => {
    const query = requireQuery(form);
    const time = optionalTime(form.get('time'), 'time', Date.now());
    return run(form, reply, 'instant', (opts, storage) => deps.engine.instantQuery(storage, query, time, opts));
  };

  const range = async (form: Form, reply: import('fastify').FastifyReply) => {
    const query = requireQuery(form);
    const start = parseTime(requireParam(form, 'start'), 'start');
    const end = parseTime(requireParam(form, 'end'), 'end');
    if (end < start) throw invalidParam('end', 'end timestamp must not be before start time');
    const stepText = form.get('step');
    // Thanos's querier defaults a missing step to max(range/250, 1s); Prometheus would reject it.
    const step = stepText !== undefined ? parseDuration(stepText, 'step') : Math.max(Math.floor((end - start) / 250), 1000);
    if (step <= 0) throw invalidParam('step', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
    // Go divides the two durations as integers, so 11,000.5 points' worth of range still passes.
    if (Math.floor((end - start) / step) > MAX_POINTS) {
      // Prometheus words this one without the `invalid parameter` prefix.
      throw new HttpApiError('bad_data', 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
    }
    return run(form, reply, 'range', (opts, storage) => deps.engine.rangeQuery(storage, query, start, end, step, opts));
  };

  for (const [path, handler] of [
    ['/api/v1/query', instant],
    ['/api/v1/query_range', range],
  ] as const) {
    app.route({ method: ['GET', 'POST'], url: path, handler: (request, reply) => handler(new Form(request), reply) });
  }
}

function requireQuery(form: Form): string {
  const q = form.get('query');
  if (q === undefined) throw invalidParam('query', 'no expression found in input');
  return q;
}

function requireParam(form: Form, name: string): string {
  const v = form.get(name);
  if (v === undefined) throw invalidParam(name, `cannot parse "" to a valid timestamp`);
  return v;
}
