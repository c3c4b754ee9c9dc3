/**
 * Merging rule groups from HA rulers/sidecars, as Thanos's querier does (pkg/rules/rules.go `dedupGroups`,
 * `dedupRules`, `filterRules`; comparisons from rulespb/custom.go).
 *
 * Two Prometheus replicas with the same rule files return the same groups, differing only in the replica
 * external label on every rule and alert. So:
 *
 *   replica A: group "g" file "f"  [alert HighLoad {replica="a", sev="page"} firing]
 *   replica B: group "g" file "f"  [alert HighLoad {replica="b", sev="page"} pending]
 *      │ filter by match[] (non-templated rule labels)
 *      │ groups sorted by "file;name", equal keys concatenated
 *      │ replica labels dropped from rule and alert labels, rules sorted (recording before alerting,
 *      │ then name, labels, `for`), equal rules collapsed keeping the "most advanced" one:
 *      │ alerts by state (firing > pending > inactive) then newest evaluation, recordings by newest evaluation
 *      ▼
 *   group "g" file "f"  [alert HighLoad {sev="page"} firing]
 *
 * Note Thanos reorders rules inside a group (by the sort above), not in rule-file order; we do the same.
 */
import { compareStrings, Labels, type Matcher } from '../../model/index.js';
import { AlertState, type AlertingRule, type RecordingRule, type Rule, type RuleGroup, type Timestamp } from './model.js';

/** Groups sorted by file then name, groups with equal (file, name) merged, rules in each deduplicated. */
export function dedupGroups(groups: RuleGroup[], replicaLabels: readonly string[]): RuleGroup[] {
  const sorted = [...groups].sort((a, b) => compareStrings(groupKey(a), groupKey(b)));
  const out: RuleGroup[] = [];
  for (const g of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && groupKey(last) === groupKey(g)) last.rules = last.rules.concat(g.rules);
    else out.push({ ...g, rules: [...g.rules] });
  }
  const drop = [...new Set(replicaLabels)];
  for (const g of out) g.rules = dedupRules(g.rules, drop);
  return out;
}

/** rulespb RuleGroup.Key(): file, then name. */
function groupKey(g: RuleGroup): string {
  return g.file + ';' + g.name;
}

function dedupRules(rules: Rule[], replicaLabels: readonly string[]): Rule[] {
  const stripped = rules.map((r) => withoutReplicaLabels(r, replicaLabels));
  stripped.sort(compareRules);
  const out: Rule[] = [];
  for (const r of stripped) {
    const i = out.length - 1;
    if (i < 0 || compareRules(out[i], r) !== 0) {
      out.push(r);
      continue;
    }
    // Same rule from another replica: keep the more advanced copy (Thanos keeps the first on a tie).
    if (moreAdvanced(r, out[i])) out[i] = r;
  }
  return out;
}

function withoutReplicaLabels(r: Rule, names: readonly string[]): Rule {
  if (names.length === 0) return r;
  if (r.type === 'recording') return { ...r, labels: r.labels.drop(names) };
  return {
    ...r,
    labels: r.labels.drop(names),
    alerts: r.alerts.map((a) => ({ ...a, labels: a.labels.drop(names) })),
  };
}

/** rulespb Rule.Compare: recording rules first, then name, labels and (alerts) the `for` duration. */
function compareRules(a: Rule, b: Rule): number {
  if (a.type !== b.type) return a.type === 'recording' ? -1 : 1;
  const byName = compareStrings(a.name, b.name);
  if (byName !== 0) return byName;
  const byLabels = Labels.compare(a.labels, b.labels);
  if (byLabels !== 0) return byLabels;
  if (a.type === 'alerting' && b.type === 'alerting') return a.durationSeconds - b.durationSeconds;
  return 0;
}

/** Whether `candidate` should replace `kept` (rulespb Alert.Compare / RecordingRule.Compare). */
function moreAdvanced(candidate: Rule, kept: Rule): boolean {
  if (candidate.type === 'alerting' && kept.type === 'alerting') return compareAlerts(candidate, kept) > 0;
  if (candidate.type === 'recording' && kept.type === 'recording') return compareRecordings(candidate, kept) > 0;
  return false;
}

function compareAlerts(a: AlertingRule, b: AlertingRule): number {
  if (a.state !== b.state) return stateRank(a.state) - stateRank(b.state);
  return compareTimestamps(a.lastEvaluation, b.lastEvaluation);
}

function compareRecordings(a: RecordingRule, b: RecordingRule): number {
  return compareTimestamps(a.lastEvaluation, b.lastEvaluation);
}

/** Firing beats pending beats inactive; UNKNOWN (0) ranks lowest, as its wire number does. */
function stateRank(s: AlertState): number {
  return s;
}

function compareTimestamps(a: Timestamp | null, b: Timestamp | null): number {
  const sa = a?.seconds ?? -Infinity;
  const sb = b?.seconds ?? -Infinity;
  if (sa !== sb) return sa < sb ? -1 : 1;
  return (a?.nanos ?? 0) - (b?.nanos ?? 0);
}

/**
 * Thanos `filterRules`: with `match[]`, keep rules whose labels satisfy any one matcher set, and groups that
 * keep at least one rule. Label values that are Go templates (`{{ $labels.x }}`) are unknown until an alert
 * fires, so a rule is matched on its non-templated labels only.
 */
export function filterRulesByMatchers(groups: RuleGroup[], sets: readonly Matcher[][]): RuleGroup[] {
  if (sets.length === 0) return groups;
  const out: RuleGroup[] = [];
  for (const g of groups) {
    const rules = g.rules.filter((r) => sets.some((ms) => ms.every((m) => m.matches(nonTemplatedValue(r.labels, m.name)))));
    if (rules.length > 0) out.push({ ...g, rules });
  }
  return out;
}

function nonTemplatedValue(labels: Labels, name: string): string {
  const v = labels.get(name);
  return v.includes('{{') ? '' : v;
}
