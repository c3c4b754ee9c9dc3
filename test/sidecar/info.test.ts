// Info, readiness and the metadata heartbeat, against a fake Prometheus whose answers the test changes.
// The config YAML and /metrics lines are as Prometheus 2.42 serves them (peers.md §1 (c); checked on this
// machine: an empty TSDB reports prometheus_tsdb_lowest_timestamp_seconds 9.223372036854776e+15).
import t from 'tap';
import { externalLabelsFromConfig, lowestTimestampFromMetrics } from '../../src/sidecar/index.js';
import { MAX_INT64, MIN_INT64 } from '../../src/storeapi/index.js';
import { CONFIG_C1_R0, fakePrometheus } from './fake-prometheus.js';
import { startFakeSidecar, waitFor } from './sidecar-fixture.js';

t.test('external labels from the config YAML', async (t) => {
  t.same(externalLabelsFromConfig(CONFIG_C1_R0).toObject(), { cluster: 'c1', replica: 'r0' });
  t.ok(externalLabelsFromConfig('global:\n  scrape_interval: 1m\n').isEmpty());
  // YAML numbers are label values too ("replica: 1" in a config is the string "1" to Prometheus).
  t.same(externalLabelsFromConfig('global:\n  external_labels:\n    replica: 1\n').toObject(), { replica: '1' });
  t.throws(() => externalLabelsFromConfig('global: [\n'), { name: 'StorageError', message: /not valid YAML/ });
  t.throws(() => externalLabelsFromConfig('global:\n  external_labels: [a]\n'), { message: /not a map/ });
});

t.test('lowest timestamp from /metrics', async (t) => {
  t.equal(lowestTimestampFromMetrics('# TYPE x gauge\nprometheus_tsdb_lowest_timestamp_seconds 1.704067215e+09\n'), 1704067215000);
  t.equal(lowestTimestampFromMetrics('prometheus_tsdb_lowest_timestamp_seconds 1.704067215123e+09\n'), 1704067215123);
  // MaxInt64 / 1000: no data yet, so no lower bound (anything scraped next may be served).
  t.equal(lowestTimestampFromMetrics('prometheus_tsdb_lowest_timestamp_seconds 9.223372036854776e+15\n'), -Infinity);
  // The gauge of the same name without _seconds (ms) must not be taken for it.
  t.throws(() => lowestTimestampFromMetrics('prometheus_tsdb_lowest_timestamp 1.7e+12\n'), { message: /no prometheus_tsdb_lowest_timestamp_seconds/ });
});

t.test('not ready (Info "Not ready", /-/ready 503) until Prometheus answers; then ready with its labels', async (t) => {
  const prom = await fakePrometheus();
  prom.down = true;
  const sc = await startFakeSidecar(prom.url, { waitReady: false });
  t.teardown(async () => {
    await sc.stop();
    await prom.close();
  });
  await waitFor(() => sc.metadata.lastError !== undefined, 5000, 'first refresh');
  await t.rejects(sc.info.info(), { message: /Not ready: GET \/api\/v1\/status\/config: 503/ });
  t.equal((await fetch(`http://${sc.running.httpAddress}/-/ready`)).status, 503);
  t.equal((await fetch(`http://${sc.running.httpAddress}/-/healthy`)).status, 200);
  await t.rejects(sc.store.series({ min_time: '0', max_time: '1', matchers: [{ type: 0, name: 'a', value: 'b' }] }).next(), { message: /Not ready/ });

  prom.down = false;
  await waitFor(() => sc.metadata.ready, 5000, 'ready');
  t.equal((await fetch(`http://${sc.running.httpAddress}/-/ready`)).status, 200);
  const info = await sc.info.info();
  t.same(info.label_sets, [{ labels: [{ name: 'cluster', value: 'c1' }, { name: 'replica', value: 'r0' }] }]);
  t.equal(info.ComponentType, 'sidecar');
  t.match(info.store, { min_time: MIN_INT64, max_time: MAX_INT64, supports_without_replica_labels: true, supports_sharding: false });
  t.equal(info.rules, null, 'no Rules API advertised');
  t.same(info.metric_metadata, {}, 'the Metadata API advertised (an empty message)');
  t.match(info.exemplars, { min_time: MIN_INT64, max_time: MAX_INT64 }, 'the Exemplars API advertised with the store range');
  const metrics = await (await fetch(`http://${sc.running.httpAddress}/metrics`)).text();
  t.match(metrics, /^promfed_sidecar_prometheus_up 1$/m);
});

t.test('a Prometheus without external labels is refused with a clear error', async (t) => {
  const prom = await fakePrometheus();
  prom.config = 'global:\n  scrape_interval: 1m\n';
  const sc = await startFakeSidecar(prom.url, { waitReady: false });
  t.teardown(async () => {
    await sc.stop();
    await prom.close();
  });
  await waitFor(() => sc.metadata.lastError !== undefined, 5000, 'first refresh');
  t.notOk(sc.metadata.ready);
  await t.rejects(sc.info.info(), { message: /Not ready: no external labels configured on Prometheus at http:\/\/127\.0\.0\.1:\d+\/: .*set global\.external_labels/ });
  t.equal((await fetch(`http://${sc.running.httpAddress}/-/ready`)).status, 503);
});

t.test('labels and min time are re-read every interval; --min-time bounds the min time', async (t) => {
  const prom = await fakePrometheus();
  const sc = await startFakeSidecar(prom.url, { refreshIntervalMs: 100, minTime: () => 1704067200000 });
  t.teardown(async () => {
    await sc.stop();
    await prom.close();
  });
  // Empty TSDB: the flag is the bound.
  t.equal((await sc.info.info()).store?.min_time, '1704067200000');
  prom.metrics = 'prometheus_tsdb_lowest_timestamp_seconds 1.704067215e+09\n';
  prom.config = CONFIG_C1_R0.replace('replica: r0', 'replica: r9');
  await waitFor(async () => (await sc.info.info()).store?.min_time === '1704067215000', 5000, 'new min time');
  t.same((await sc.info.info()).label_sets[0].labels.find((l) => l.name === 'replica'), { name: 'replica', value: 'r9' });

  // Prometheus down after being up: still ready with the last values (a restart must not drop the sidecar).
  prom.down = true;
  await waitFor(() => !sc.metadata.up, 5000, 'heartbeat failure');
  t.ok(sc.metadata.ready);
  t.equal((await sc.info.info()).store?.min_time, '1704067215000');
});
