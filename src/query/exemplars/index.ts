/**
 * query/exemplars: the querier's federated exemplars — `thanos.Exemplars/Exemplars` fanned out to every healthy
 * endpoint that advertises it, the query narrowed per endpoint by its external labels, answers merged across
 * HA replicas. api/ parses the HTTP parameters and renders the JSON.
 *
 *   const exemplars = exemplarsFanout(() => endpoints.queryable());
 *   const app = await createApiServer({ ...deps, exemplars });
 */
export { dedupExemplars, exemplarsFanout, queryForLabelSets, type ExemplarsFunc } from './fanout.js';
