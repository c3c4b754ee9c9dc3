/**
 * Aggregation groups: which output group each input series belongs to, computed once per series since
 * labels do not change between steps. `without` also drops `__name__`; a series already marked for name
 * removal is grouped as if the name were gone (delayed name removal gives the same groups as eager).
 */
import { METRIC_NAME, type Labels } from '../../model/index.js';
import type { AggregateExpr } from '../ast.js';
import type { StepSeries } from './value.js';

export interface Groups {
  /** Group index per input series. */
  of: Int32Array;
  /** Labels per group, in order of first appearance. */
  labels: Labels[];
  /** Input series indices per group, in input order. */
  members: number[][];
}

export function groupLabelsFn(e: AggregateExpr, extraBy: string[] = []): (s: StepSeries) => Labels {
  if (e.without) {
    const drop = [...new Set([...e.grouping, METRIC_NAME])];
    return (s) => s.labels.drop(drop);
  }
  const keep = [...e.grouping, ...extraBy];
  return (s) => (s.dropName ? s.labels.dropMetricName() : s.labels).keep(keep);
}

/**
 * The key of a series' group, read straight off its labels: equal exactly when groupLabelsFn gives equal
 * label sets, without building those label sets for every input series (10k series, 10 groups: 10 built).
 */
function groupKeyFn(e: AggregateExpr): (s: StepSeries) => string {
  if (e.without) {
    const drop = [...new Set([...e.grouping, METRIC_NAME])].sort();
    return (s) => s.labels.keyWithout(drop);
  }
  const keep = [...new Set(e.grouping)].sort();
  if (!keep.includes(METRIC_NAME)) return (s) => s.labels.keyFor(keep);
  return (s) => (s.dropName ? s.labels.dropMetricName() : s.labels).keyFor(keep);
}

export function groupSeries(e: AggregateExpr, series: StepSeries[]): Groups {
  const labelsOf = groupLabelsFn(e);
  const keyOf = groupKeyFn(e);
  const byKey = new Map<string, number>();
  const of = new Int32Array(series.length);
  const labels: Labels[] = [];
  const members: number[][] = [];
  for (let i = 0; i < series.length; i++) {
    const k = keyOf(series[i]);
    let g = byKey.get(k);
    if (g === undefined) {
      g = labels.length;
      byKey.set(k, g);
      labels.push(labelsOf(series[i]));
      members.push([]);
    }
    of[i] = g;
    members[g].push(i);
  }
  return { of, labels, members };
}
