/**
 * The querier's /api/v1/rules and /alerts data: `thanos.Rules/Rules` on every queryable endpoint that
 * advertised the Rules API in its Info, streams read concurrently, groups merged across HA replicas
 * (dedup.ts) and rendered as Prometheus/Thanos JSON (json.ts).
 *
 * A failing endpoint is a warning `fetching rules from rules client <addr>: <why>` under partial response
 * (Thanos pkg/rules/proxy.go words it so) and fails the request otherwise (a StorageError → HTTP 500, as
 * Thanos answers ErrorInternal "error retrieving rules"): stream-fanout.ts.
 */
import type { Matcher } from '../../model/index.js';
import { PartialResponseStrategy, RulesRequestType, type RulesRequest, type RulesResponse } from '../../storeapi/index.js';
import type { RulesQuery, RulesResult } from '../../api/index.js';
import type { Endpoint } from '../endpoints/endpoint.js';
import { fanoutStreams } from '../stream-fanout.js';
import { dedupGroups, filterRulesByMatchers } from './dedup.js';
import { ruleGroupJson } from './json.js';
import { ruleGroupFromProto, type RuleGroup } from './model.js';

export type RulesFunc = (query: RulesQuery, signal: AbortSignal) => Promise<RulesResult>;

export function rulesFanout(endpoints: () => readonly Endpoint[]): RulesFunc {
  return async (query, signal) => {
    const request = rulesRequest(query);
    const groups: RuleGroup[] = [];
    const warnings: string[] = [];
    const failures = await fanoutStreams(
      endpoints().filter((e) => e.metadata.hasRulesApi),
      {
        what: 'rules',
        partialResponse: query.partialResponse,
        open: (e, s) => e.rules.rules(request, { signal: s }),
        onFrame: (frame: RulesResponse) => {
          if (frame.result === 'warning') warnings.push(frame.warning);
          else if (frame.result === 'group') groups.push(ruleGroupFromProto(frame.group));
        },
      },
      signal,
    );
    const filtered = filterRulesByMatchers(filterGroups(groups, query), query.matchers);
    return { groups: dedupGroups(filtered, query.replicaLabels).map(ruleGroupJson), warnings: [...warnings, ...failures] };
  };
}

function rulesRequest(q: RulesQuery): RulesRequest {
  return {
    type: q.type === 'alert' ? RulesRequestType.ALERT : q.type === 'record' ? RulesRequestType.RECORD : RulesRequestType.ALL,
    partial_response_strategy: q.partialResponse ? PartialResponseStrategy.WARN : PartialResponseStrategy.ABORT,
    matcher_string: q.matchers.map(selectorText),
    rule_name: q.ruleNames,
    rule_group: q.ruleGroups,
    file: q.files,
  };
}

/** A matcher set back to selector text for `matcher_string`, e.g. `{severity="page",team=~"a|b"}`. */
function selectorText(ms: readonly Matcher[]): string {
  return '{' + ms.map((m) => m.toString()).join(',') + '}';
}

/**
 * The request's type, rule_name, rule_group and file filters applied again here, because a store that
 * ignores one (an older sidecar ignores rule_name) must not widen the answer. A group emptied by a filter
 * is dropped, as Prometheus drops it; a group that arrived empty is kept.
 */
function filterGroups(groups: RuleGroup[], q: RulesQuery): RuleGroup[] {
  const groupNames = new Set(q.ruleGroups);
  const files = new Set(q.files);
  const ruleNames = new Set(q.ruleNames);
  const wantType = q.type === 'alert' ? 'alerting' : q.type === 'record' ? 'recording' : undefined;
  const out: RuleGroup[] = [];
  for (const g of groups) {
    if (groupNames.size > 0 && !groupNames.has(g.name)) continue;
    if (files.size > 0 && !files.has(g.file)) continue;
    if (wantType === undefined && ruleNames.size === 0) {
      out.push(g);
      continue;
    }
    const rules = g.rules.filter((r) => (wantType === undefined || r.type === wantType) && (ruleNames.size === 0 || ruleNames.has(r.name)));
    if (rules.length > 0 || g.rules.length === 0) out.push({ ...g, rules });
  }
  return out;
}
