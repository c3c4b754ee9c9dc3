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

export function groupSeries(e: AggregateExpr, series: StepSeries[]): Groups {
  const labelsOf = groupLabelsFn(e);
  const byKey = new Map<string, number>();
  const of = new Int32Array(series.length);
  const labels: Labels[] = [];
  const members: number[][] = [];
  for (let i = 0; i < series.length; i++) {
    const l = labelsOf(series[i]);
    const k = l.key();
    let g = byKey.get(k);
    if (g === undefined) {
      g = labels.length;
      byKey.set(k, g);
      labels.push(l);
      members.push([]);
    }
    of[i] = g;
    members[g].push(i);
  }
  return { of, labels, members };
}
