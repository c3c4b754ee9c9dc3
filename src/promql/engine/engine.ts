/**
 * The Engine: checks a query's time frame, sets up limits (timeout, cancellation, max samples), plans,
 * evaluates the AST over the query's steps and builds the result. Instant queries are one-step range
 * queries inside; only the result shape differs.
 */
import { BadDataError, QueryCanceledError, QueryTimeoutError } from '../../model/index.js';
import type { Queryable } from '../../storage/index.js';
import { exprType, type Expr } from '../ast.js';
import type { Engine, EngineOptions, QueryOptions, QueryResult } from '../types.js';
import { EvalContext, type FunctionTables } from './context.js';
import { evaluate } from './evaluate.js';
import { planQuery } from './plan.js';
import { instantResult, rangeResult } from './result.js';
import type { Grid } from './value.js';

export type ParseFn = (query: string, opts: { enableExperimentalFunctions: boolean }) => Expr;

/** What the engine is built from besides options; src/promql/index.ts wires the real ones. */
export interface EngineDeps {
  tables: FunctionTables;
  parse: ParseFn;
}

const DEFAULTS = {
  lookbackDeltaMs: 5 * 60_000,
  maxSamples: 50_000_000,
  timeoutMs: 2 * 60_000,
  noStepSubqueryIntervalMs: 60_000,
  maxSteps: 11_000,
};

interface Frame {
  startMs: number;
  endMs: number;
  /** 0 for instant queries. */
  stepMs: number;
}

export function newEngine(options: EngineOptions, deps: EngineDeps): Engine {
  const opts = { ...DEFAULTS, ...stripUndefined(options), enableExperimentalFunctions: options.enableExperimentalFunctions ?? false };

  async function run(queryable: Queryable, query: string | Expr, frame: Frame, qopts: QueryOptions): Promise<QueryResult> {
    const text = typeof query === 'string' ? query : '';
    const expr = typeof query === 'string' ? deps.parse(query, { enableExperimentalFunctions: opts.enableExperimentalFunctions }) : query;
    const type = exprType(expr);
    if (frame.stepMs > 0 && type !== 'vector' && type !== 'scalar') {
      throw new BadDataError(`invalid expression type "${type === 'matrix' ? 'range vector' : type}" for range query, must be Scalar or instant Vector`);
    }
    const lookback = qopts.lookbackDeltaMs !== undefined && qopts.lookbackDeltaMs > 0 ? qopts.lookbackDeltaMs : opts.lookbackDeltaMs;

    // One signal for the timeout and the caller's abort; its reason says which happened.
    const ac = new AbortController();
    const timeoutMs = qopts.timeoutMs ?? opts.timeoutMs;
    const timer = setTimeout(() => ac.abort(new QueryTimeoutError('expression evaluation')), timeoutMs);
    const onAbort = () => {
      const r: unknown = qopts.signal?.reason;
      if (r instanceof QueryTimeoutError || r instanceof QueryCanceledError) ac.abort(r);
      // AbortSignal.timeout() aborts with a DOMException named TimeoutError.
      else if ((r as { name?: unknown } | undefined)?.name === 'TimeoutError') ac.abort(new QueryTimeoutError('expression evaluation'));
      else ac.abort(new QueryCanceledError('expression evaluation'));
    };
    if (qopts.signal?.aborted) onAbort();
    else qopts.signal?.addEventListener('abort', onAbort, { once: true });

    try {
      const plan = planQuery(expr);
      const ctx = new EvalContext({
        queryable,
        tables: deps.tables,
        lookbackMs: lookback,
        subqueryStepMs: opts.noStepSubqueryIntervalMs,
        enableExperimental: opts.enableExperimentalFunctions,
        queryStartMs: frame.startMs,
        queryEndMs: frame.endMs,
        queryStepMs: frame.stepMs,
        maxSamples: opts.maxSamples,
        signal: ac.signal,
        query: text,
        stepInvariant: plan.stepInvariant,
        selectorHints: plan.selectorHints,
        needSampleTimes: plan.needSampleTimes,
      });
      const grid: Grid =
        frame.stepMs === 0
          ? { startMs: frame.startMs, stepMs: 1, count: 1 }
          : { startMs: frame.startMs, stepMs: frame.stepMs, count: Math.floor((frame.endMs - frame.startMs) / frame.stepMs) + 1 };
      const value = await evaluate(ctx, expr, grid);
      await ctx.checkpoint();
      return {
        value: frame.stepMs === 0 ? instantResult(value, frame.startMs, (n) => ctx.samples.add(n)) : rangeResult(value, grid),
        warnings: ctx.annotations.warnings,
        infos: ctx.annotations.infos,
        stats: { totalQueryableSamples: ctx.totalSamples, peakSamples: ctx.samples.peak },
      };
    } finally {
      clearTimeout(timer);
      qopts.signal?.removeEventListener('abort', onAbort);
      // Results are materialised by now; whatever the query left unread (a store stream after an error such as
      // too many samples) is cancelled here rather than at its own deadline.
      if (!ac.signal.aborted) ac.abort(new QueryCanceledError('query finished'));
    }
  }

  return {
    instantQuery(queryable, query, timeMs, qopts = {}) {
      return run(queryable, query, { startMs: timeMs, endMs: timeMs, stepMs: 0 }, qopts);
    },
    async rangeQuery(queryable, query, startMs, endMs, stepMs, qopts = {}) {
      if (!(stepMs > 0)) throw new BadDataError('zero or negative query resolution step widths are not accepted. Try a positive integer');
      if (endMs < startMs) throw new BadDataError('end timestamp must not be before start time');
      // Prometheus's API compares whole intervals: (end - start) / step > 11000.
      if (Math.floor((endMs - startMs) / stepMs) > opts.maxSteps) {
        throw new BadDataError(
          `exceeded maximum resolution of ${opts.maxSteps.toLocaleString('en-US')} points per timeseries. Try decreasing the query resolution (?step=XX)`,
        );
      }
      return run(queryable, query, { startMs, endMs, stepMs }, qopts);
    },
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
