/**
 * Everything one query evaluation needs besides the AST: where data comes from, the query's time frame,
 * lookback, limits, annotations and the function implementation tables.
 */
import type { Queryable } from '../../storage/index.js';
import type { ValueFunction, WindowFunction } from '../functions/types.js';
import type { Expr, VectorSelector } from '../ast.js';
import { Annotations } from './annotations.js';
import { Interrupter, SampleTracker } from './limits.js';
import type { SelectorHints } from './selector.js';

/**
 * Classic-histogram arithmetic the engine borrows from the functions module: the first `n` entries of
 * two parallel arrays (upper bounds, cumulative counts, any order; reordered in place).
 */
export interface BucketHelpers {
  bucketQuantile(q: number, upperBounds: Float64Array, counts: Float64Array, n: number): { value: number; forcedMonotonic: boolean };
  bucketFraction(lower: number, upper: number, upperBounds: Float64Array, counts: Float64Array, n: number): number;
}

/** The implementation tables of src/promql/functions, injected so the engine can be tested without them. */
export interface FunctionTables {
  value: Readonly<Record<string, ValueFunction>>;
  window: Readonly<Record<string, WindowFunction>>;
  buckets: BucketHelpers;
}

export interface EvalConfig {
  queryable: Queryable;
  tables: FunctionTables;
  lookbackMs: number;
  subqueryStepMs: number;
  enableExperimental: boolean;
  /** Start/end/step of the outermost query, ms; step 0 for instant queries. */
  queryStartMs: number;
  queryEndMs: number;
  queryStepMs: number;
  maxSamples: number;
  signal: AbortSignal;
  /** Query text (for annotation positions); '' when the query came as an AST. */
  query: string;
  /** Nodes whose value does not depend on the step (under `@`, literals); evaluated once and repeated. */
  stepInvariant: ReadonlySet<Expr>;
  /** The function/aggregation around each selector, for storage hints. */
  selectorHints: ReadonlyMap<VectorSelector, SelectorHints>;
  /** Selectors whose sample times timestamp() reads. */
  needSampleTimes: ReadonlySet<VectorSelector>;
}

export class EvalContext {
  readonly annotations: Annotations;
  readonly samples: SampleTracker;
  readonly interrupt: Interrupter;
  /** Input samples processed (stats.totalQueryableSamples). */
  totalSamples = 0;

  constructor(readonly cfg: EvalConfig) {
    this.annotations = new Annotations(cfg.query);
    this.samples = new SampleTracker(cfg.maxSamples);
    this.interrupt = new Interrupter(cfg.signal);
  }

  checkpoint(): Promise<void> {
    return this.interrupt.checkpoint();
  }

  /** For per-series loops: `if (ctx.checkpointDue()) await ctx.checkpoint();` (see Interrupter.due). */
  checkpointDue(): boolean {
    return this.interrupt.due();
  }
}
