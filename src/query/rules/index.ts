/**
 * query/rules: the querier's federated Rules API — `thanos.Rules/Rules` fanned out to every healthy endpoint
 * that advertises it (rulers, sidecars), HA replicas' groups merged as Thanos merges them (replica labels
 * dropped, equal groups and rules collapsed, the most advanced alert state kept), rendered in the JSON of
 * Prometheus's /api/v1/rules with Thanos's extra fields. /api/v1/alerts is the same data, flattened by api/.
 *
 * It does not evaluate rules (no ruler here) and does not parse HTTP parameters (api/ does).
 *
 *   const rules = rulesFanout(() => endpoints.queryable());
 *   const app = await createApiServer({ ...deps, rules });
 *   // or directly:
 *   const { groups, warnings } = await rules({ type: 'alert', partialResponse: true, replicaLabels: ['replica'],
 *     ruleNames: [], ruleGroups: [], files: [], matchers: [] }, AbortSignal.timeout(10_000));
 */
export { rulesFanout, type RulesFunc } from './fanout.js';
