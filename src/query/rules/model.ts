/**
 * Rule groups as the querier holds them between the wire and the JSON: decoded `thanos.Rules` frames
 * (protos/rules/rulespb/rpc.proto, read with the storeapi loader options: snake_case, int64 as strings,
 * enums as numbers, absent messages null) turned into plain objects with `Labels`, so replica labels can be
 * dropped and rules compared the way Thanos's pkg/rules/rules.go does.
 */
import { Labels } from '../../model/index.js';
import { labelsFromProto, type ProtoLabelSet } from '../../storeapi/index.js';

/** rulespb.AlertState; the numbers are the wire values and order the states for dedup. */
export enum AlertState {
  UNKNOWN = 0,
  INACTIVE = 1,
  PENDING = 2,
  FIRING = 3,
}

/** google.protobuf.Timestamp; `null` when the sender left it out. */
export interface Timestamp {
  seconds: number;
  nanos: number;
}

export interface AlertInstance {
  labels: Labels;
  annotations: Labels;
  state: AlertState;
  activeAt: Timestamp | null;
  value: string;
  partialResponseStrategy: number;
}

export interface AlertingRule {
  type: 'alerting';
  state: AlertState;
  name: string;
  query: string;
  durationSeconds: number;
  labels: Labels;
  annotations: Labels;
  alerts: AlertInstance[];
  health: string;
  lastError: string;
  evaluationSeconds: number;
  lastEvaluation: Timestamp | null;
  keepFiringForSeconds: number;
}

export interface RecordingRule {
  type: 'recording';
  name: string;
  query: string;
  labels: Labels;
  health: string;
  lastError: string;
  evaluationSeconds: number;
  lastEvaluation: Timestamp | null;
}

export type Rule = AlertingRule | RecordingRule;

export interface RuleGroup {
  name: string;
  file: string;
  rules: Rule[];
  intervalSeconds: number;
  evaluationSeconds: number;
  lastEvaluation: Timestamp | null;
  limit: number;
  partialResponseStrategy: number;
}

// ---- decoding ----------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : 0);
const obj = (v: unknown): Obj | null => (typeof v === 'object' && v !== null ? (v as Obj) : null);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function labelSet(v: unknown): Labels {
  const set = obj(v) as ProtoLabelSet | null;
  return set && Array.isArray(set.labels) ? labelsFromProto(set.labels) : Labels.EMPTY;
}

function timestamp(v: unknown): Timestamp | null {
  const t = obj(v);
  return t ? { seconds: num(t.seconds), nanos: num(t.nanos) } : null;
}

function alertState(v: unknown): AlertState {
  const n = num(v);
  return n === AlertState.INACTIVE || n === AlertState.PENDING || n === AlertState.FIRING ? n : AlertState.UNKNOWN;
}

function alertInstance(a: Obj): AlertInstance {
  return {
    labels: labelSet(a.labels),
    annotations: labelSet(a.annotations),
    state: alertState(a.state),
    activeAt: timestamp(a.active_at),
    value: str(a.value),
    partialResponseStrategy: num(a.PartialResponseStrategy),
  };
}

/** One `Rule` message; null when neither member of its oneof is set (nothing to show). */
function rule(r: Obj): Rule | null {
  const alert = obj(r.alert);
  if (alert) {
    return {
      type: 'alerting',
      state: alertState(alert.state),
      name: str(alert.name),
      query: str(alert.query),
      durationSeconds: num(alert.duration_seconds),
      labels: labelSet(alert.labels),
      annotations: labelSet(alert.annotations),
      alerts: list(alert.alerts).map((a) => alertInstance(obj(a) ?? {})),
      health: str(alert.health),
      lastError: str(alert.last_error),
      evaluationSeconds: num(alert.evaluation_duration_seconds),
      lastEvaluation: timestamp(alert.last_evaluation),
      keepFiringForSeconds: num(alert.keep_firing_for_seconds),
    };
  }
  const rec = obj(r.recording);
  if (rec) {
    return {
      type: 'recording',
      name: str(rec.name),
      query: str(rec.query),
      labels: labelSet(rec.labels),
      health: str(rec.health),
      lastError: str(rec.last_error),
      evaluationSeconds: num(rec.evaluation_duration_seconds),
      lastEvaluation: timestamp(rec.last_evaluation),
    };
  }
  return null;
}

/** A decoded `RuleGroup` frame → RuleGroup. Tolerant of missing fields: a store's bug is not our crash. */
export function ruleGroupFromProto(g: Record<string, unknown>): RuleGroup {
  const rules: Rule[] = [];
  for (const r of list(g.rules)) {
    const parsed = rule(obj(r) ?? {});
    if (parsed) rules.push(parsed);
  }
  return {
    name: str(g.name),
    file: str(g.file),
    rules,
    intervalSeconds: num(g.interval),
    evaluationSeconds: num(g.evaluation_duration_seconds),
    lastEvaluation: timestamp(g.last_evaluation),
    limit: num(g.limit),
    partialResponseStrategy: num(g.PartialResponseStrategy),
  };
}
