/**
 * The sidecar's own metrics (promfed_sidecar_*), fed by the metadata refresh loop: whether Prometheus
 * answered the last heartbeat and when it last did, as Thanos's `thanos_sidecar_prometheus_up` and
 * `thanos_sidecar_last_heartbeat_success_time_seconds`.
 */
import { Gauge, type Registry } from 'prom-client';

export interface SidecarMetrics {
  /** Record one refresh outcome. */
  onRefresh(err: Error | undefined, up: boolean): void;
}

export function sidecarMetrics(registry: Registry, now: () => number = Date.now): SidecarMetrics {
  const up = new Gauge({ name: 'promfed_sidecar_prometheus_up', help: '1 when the last heartbeat reached Prometheus.', registers: [registry] });
  const lastOk = new Gauge({
    name: 'promfed_sidecar_last_heartbeat_success_time_seconds',
    help: 'Unix time of the last heartbeat that read external labels and the lowest timestamp.',
    registers: [registry],
  });
  return {
    onRefresh(err, isUp) {
      up.set(isUp ? 1 : 0);
      if (err === undefined) lastOk.set(now() / 1000);
    },
  };
}
