/**
 * The data and topology shared by the API end-to-end tests (test/e2e/api-*.test.ts): two HA replicas of
 * one Prometheus (external labels cluster="c1", replica="A"|"B") served as in-process StoreAPIs, and a real
 * querier over them with replica label `replica`.
 *
 * The data is defined by formulas so tests can state expected values by hand:
 *   http_requests_total{job="api",code="200"}   = t          (t in seconds; a sample every 15 s, 0..3600 s)
 *   http_requests_total{job="web",code="200"}   = 2t
 *   temperature_celsius{room="kitchen"}          = 21.5       (same 15 s grid)
 *   temperature_celsius{room="lab"}              = 18
 *   build_info{"http.version"="2", version="1.0"} = 1        (a label name outside the legacy charset)
 *   replica_marker                               = 1 in A, 2 in B (shows which replica answered)
 * Both replicas hold identical samples for all but replica_marker, so deduplicated answers are exact.
 */
import { Labels } from '../../src/model/index.js';
import { MemoryStorage } from '../../src/storage/index.js';
import type { RunningGrpcServer } from '../../src/storeapi/index.js';
import type { QueryConfig, RunningQuery } from '../../src/cli/query.js';
import { memoryStore, querier } from '../helpers/querier.js';

export const SCRAPE_S = 15;
export const END_S = 3600;

/** The newest scrape time at or before `t` seconds (the 5 m lookback always finds one inside the data). */
export function lastScrape(t: number): number {
  return Math.floor(Math.min(t, END_S) / SCRAPE_S) * SCRAPE_S;
}

export function replicaData(replica: 'A' | 'B'): MemoryStorage {
  const db = new MemoryStorage();
  const series: [Labels, (tSec: number) => number][] = [
    [Labels.from({ __name__: 'http_requests_total', job: 'api', code: '200' }), (s) => s],
    [Labels.from({ __name__: 'http_requests_total', job: 'web', code: '200' }), (s) => 2 * s],
    [Labels.from({ __name__: 'temperature_celsius', room: 'kitchen' }), () => 21.5],
    [Labels.from({ __name__: 'temperature_celsius', room: 'lab' }), () => 18],
    [Labels.from({ __name__: 'build_info', 'http.version': '2', version: '1.0' }), () => 1],
    [Labels.from({ __name__: 'replica_marker' }), () => (replica === 'A' ? 1 : 2)],
  ];
  for (const [ls, f] of series) for (let s = 0; s <= END_S; s += SCRAPE_S) db.append(ls, s * 1000, f(s));
  return db;
}

export interface Stack {
  a: RunningGrpcServer;
  b: RunningGrpcServer;
  q: RunningQuery;
  /** host:port of the querier's HTTP API. */
  base: string;
  stop(): Promise<void>;
}

/** Both replicas and a ready querier over them (replica label `replica` unless overridden). */
export async function startStack(overrides: Partial<QueryConfig> = {}): Promise<Stack> {
  const a = await memoryStore(replicaData('A'), { cluster: 'c1', replica: 'A' });
  const b = await memoryStore(replicaData('B'), { cluster: 'c1', replica: 'B' });
  const q = await querier({ endpoints: [a.address, b.address], replicaLabels: ['replica'], ...overrides });
  return {
    a,
    b,
    q,
    base: q.httpAddress,
    async stop() {
      await q.stop();
      await Promise.all([a.stop(0), b.stop(0)]);
    },
  };
}
