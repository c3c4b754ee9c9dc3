// Prometheus's block-duration flags as the shipper checks them. Flag values are strings as Prometheus's
// /api/v1/status/flags returns them (model.Duration text, e.g. "2h", "1d12h", "0s"); ms hand-computed.
import t from 'tap';
import { checkBlockDurations, fetchBlockDurations, parseBlockDurationFlags } from '../../../src/sidecar/shipper/index.js';

const H = 3_600_000;

t.test('parseBlockDurationFlags', async (t) => {
  const flags = (min: unknown, max: unknown): Record<string, unknown> => ({
    'storage.tsdb.min-block-duration': min,
    'storage.tsdb.max-block-duration': max,
    'storage.tsdb.path': 'data/',
  });
  t.same(parseBlockDurationFlags(flags('2h', '2h')), { minMs: 2 * H, maxMs: 2 * H });
  t.same(parseBlockDurationFlags(flags('2h', '1d12h')), { minMs: 2 * H, maxMs: 36 * H });
  t.same(parseBlockDurationFlags(flags('30m', '0s')), { minMs: 30 * 60_000, maxMs: 0 });
  t.throws(() => parseBlockDurationFlags(flags('2h', undefined)), /storage\.tsdb\.max-block-duration is missing/);
  t.throws(() => parseBlockDurationFlags(flags('2 hours', '2h')), /min-block-duration="2 hours" is not a duration/);
  t.throws(() => parseBlockDurationFlags(flags(7200, '2h')), /min-block-duration is 7200, want a duration/);
});

t.test('checkBlockDurations', async (t) => {
  t.same(checkBlockDurations({ minMs: 2 * H, maxMs: 2 * H }), [], '2h/2h: shipping-safe and recommended');
  const differ = checkBlockDurations({ minMs: 2 * H, maxMs: 36 * H });
  t.equal(differ.length, 1);
  t.match(differ[0], /min-block-duration=2h and --storage\.tsdb\.max-block-duration=1d12h: compaction must be disabled/);
  const short = checkBlockDurations({ minMs: H, maxMs: H });
  t.equal(short.length, 1);
  t.match(short[0], /is 1h: only 2h is recommended/);
  t.equal(checkBlockDurations({ minMs: 30 * 60_000, maxMs: 0 }).length, 2, 'unequal and not 2h');
});

t.test('fetchBlockDurations asks /api/v1/status/flags', async (t) => {
  const asked: string[] = [];
  const prom = {
    async getJson<T>(path: string): Promise<T> {
      asked.push(path);
      return { 'storage.tsdb.min-block-duration': '2h', 'storage.tsdb.max-block-duration': '6h' } as T;
    },
  };
  t.same(await fetchBlockDurations(prom), { minMs: 2 * H, maxMs: 6 * H });
  t.same(asked, ['api/v1/status/flags']);
  await t.rejects(fetchBlockDurations({ getJson: async () => Promise.reject(new Error('GET /api/v1/status/flags: 404')) }), /404/);
});
