/**
 * The API's own metrics (prom-client): query counts by kind and outcome, and latency.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface QueryMetrics {
  /** Starts timing a query; call the result with its outcome. */
  start(kind: 'instant' | 'range'): (outcome: 'success' | 'error') => void;
}

export function queryMetrics(registry: Registry): QueryMetrics {
  const total = new Counter({
    name: 'promfed_query_requests_total',
    help: 'PromQL queries served, by kind and outcome.',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'promfed_query_duration_seconds',
    help: 'PromQL query latency, from admission to result.',
    labelNames: ['kind'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  return {
    start(kind) {
      const end = duration.startTimer({ kind });
      return (outcome) => {
        end();
        total.inc({ kind, outcome });
      };
    },
  };
}
