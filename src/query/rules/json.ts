/**
 * Rule groups → the JSON of `/api/v1/rules` as a Thanos querier writes it: the rulespb gogoproto JSON tags
 * (thanos.md §1.9) plus `type` ("alerting"/"recording") from rulespb's Rule.MarshalJSON.
 *
 * How Go renders each field, and so how we do:
 *   labels, annotations   ZLabelSet.MarshalJSON: an object name → value ({} when empty, never null)
 *   state                 AlertState.MarshalJSON: lower-case enum name ("firing")
 *   lastEvaluation        time.Time (stdtime, non-nullable): RFC 3339 with up to 9 fraction digits, trailing
 *                         zeros trimmed; never evaluated = Go's zero time "0001-01-01T00:00:00Z"
 *   activeAt              *time.Time, omitempty: left out when the alert has none
 *   lastError             omitempty
 *   partialResponseStrategy  the enum name ("WARN"/"ABORT")
 *   interval, duration, keepFiringFor, evaluationTime   seconds as JSON numbers
 *   rules, alerts         [] when empty, never null (RuleGroup/Alert MarshalJSON force it)
 */
import type { Labels } from '../../model/index.js';
import { AlertState, type AlertInstance, type Rule, type RuleGroup, type Timestamp } from './model.js';

const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

export function ruleGroupJson(g: RuleGroup): Record<string, unknown> {
  return {
    name: g.name,
    file: g.file,
    rules: g.rules.map(ruleJson),
    interval: g.intervalSeconds,
    evaluationTime: g.evaluationSeconds,
    lastEvaluation: formatTimestamp(g.lastEvaluation),
    limit: g.limit,
    partialResponseStrategy: strategyName(g.partialResponseStrategy),
  };
}

function ruleJson(r: Rule): Record<string, unknown> {
  if (r.type === 'recording') {
    return {
      name: r.name,
      query: r.query,
      labels: labelsJson(r.labels),
      health: r.health,
      ...(r.lastError !== '' ? { lastError: r.lastError } : {}),
      evaluationTime: r.evaluationSeconds,
      lastEvaluation: formatTimestamp(r.lastEvaluation),
      type: 'recording',
    };
  }
  return {
    state: stateName(r.state),
    name: r.name,
    query: r.query,
    duration: r.durationSeconds,
    labels: labelsJson(r.labels),
    annotations: labelsJson(r.annotations),
    alerts: r.alerts.map(alertJson),
    health: r.health,
    ...(r.lastError !== '' ? { lastError: r.lastError } : {}),
    evaluationTime: r.evaluationSeconds,
    lastEvaluation: formatTimestamp(r.lastEvaluation),
    keepFiringFor: r.keepFiringForSeconds,
    type: 'alerting',
  };
}

export function alertJson(a: AlertInstance): Record<string, unknown> {
  return {
    labels: labelsJson(a.labels),
    annotations: labelsJson(a.annotations),
    state: stateName(a.state),
    ...(a.activeAt !== null ? { activeAt: formatTimestamp(a.activeAt) } : {}),
    value: a.value,
    partialResponseStrategy: strategyName(a.partialResponseStrategy),
  };
}

function labelsJson(ls: Labels): Record<string, string> {
  return ls.toObject();
}

function stateName(s: AlertState): string {
  switch (s) {
    case AlertState.INACTIVE:
      return 'inactive';
    case AlertState.PENDING:
      return 'pending';
    case AlertState.FIRING:
      return 'firing';
    case AlertState.UNKNOWN:
      return 'unknown';
  }
}

function strategyName(n: number): string {
  return n === 1 ? 'ABORT' : 'WARN';
}

/** Go's time.Time JSON (RFC3339Nano, UTC); the zero time when the message had none. */
export function formatTimestamp(t: Timestamp | null): string {
  if (t === null) return GO_ZERO_TIME;
  const d = new Date(t.seconds * 1000);
  // Outside years 0-9999 Go's MarshalJSON fails; a store sending such a time gets the zero time, not a crash.
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() > 9999 || d.getUTCFullYear() < 0) return GO_ZERO_TIME;
  const iso = d.toISOString(); // "YYYY-MM-DDTHH:MM:SS.000Z"
  const base = iso.slice(0, 19);
  const frac = t.nanos > 0 ? '.' + String(t.nanos).padStart(9, '0').replace(/0+$/, '') : '';
  return base + frac + 'Z';
}
