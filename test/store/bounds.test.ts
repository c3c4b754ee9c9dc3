// The store's bounds over real blocks: the index cache serves repeated requests without index reads, the
// Series concurrency gate holds, a tiny chunk pool still completes (one batch at a time) and returns to 0.
import t from 'tap';
import { join } from 'node:path';
import { Matcher, MatchType } from '../../src/model/index.js';
import { FilesystemBucket } from '../../src/objstore/index.js';
import { matchersToProto, millisToInt64 } from '../../src/storeapi/index.js';
import { needBinary } from '../helpers/peers.js';
import { CountingBucket } from './counting-bucket.js';
import { makeFixture, seriesOf, startTestStore, type Group } from './fixture.js';
import { genSeries, T0 } from './promtool-blocks.js';

const H = 3600_000;
const groups: Group[] = [{ ext: { cluster: 'c1' }, series: genSeries({ name: 'g', job: 'api', n: 20, from: T0 + 15_000, to: T0 + 4 * H - 14_000, stepS: 15 }) }];
const REQ = { min_time: millisToInt64(T0), max_time: millisToInt64(T0 + 5 * H), matchers: matchersToProto([new Matcher(MatchType.RE, 'instance', 'i1.*')]) };

/** Delays every ranged read so concurrent calls overlap. */
class SlowBucket extends CountingBucket {
  override async getRange(name: string, offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    await new Promise((r) => setTimeout(r, 30));
    return super.getRange(name, offset, length, signal);
  }
}

const promtool = needBinary(t, 'promtool');
if (promtool) {
  t.test('index cache: a repeated request reads no index bytes; the metrics say so', async (t) => {
    const fx = await makeFixture(promtool, groups);
    t.teardown(fx.cleanup);
    const bucket = new CountingBucket(new FilesystemBucket(fx.bucketDir));
    const s = await startTestStore(bucket, join(fx.dir, 'data'));
    t.teardown(s.stop);
    bucket.reset();
    const first = await seriesOf(s.client, REQ);
    t.equal(first.series.length, 11, 'i1, i10…i19');
    const indexReads = (): number => [...bucket.rangesByObject].filter(([n]) => n.endsWith('/index')).reduce((a, [, v]) => a + v, 0);
    t.ok(indexReads() > 0, 'first request reads postings and series');
    bucket.reset();
    const second = await seriesOf(s.client, REQ);
    t.same(second.series, first.series);
    t.equal(indexReads(), 0, 'second request: postings and series from the cache');
    t.ok(bucket.getRanges > 0, 'chunks are still read (no chunk cache)');
    const text = await s.registry.metrics();
    t.match(text, /promfed_store_index_cache_hits_total\{item_type="series"\} (\d+)/);
    t.match(text, /promfed_store_bucket_bytes_fetched_total\{kind="chunks"\} [1-9]/);
  });

  t.test('series gate and a tiny chunk pool', async (t) => {
    const fx = await makeFixture(promtool, groups);
    t.teardown(fx.cleanup);
    for (const gate of [1, 4]) {
      const s = await startTestStore(new SlowBucket(new FilesystemBucket(fx.bucketDir)), join(fx.dir, `data${gate}`), { seriesMaxConcurrency: gate, chunkPoolBytes: 1000 });
      let maxInflight = 0;
      let maxPool = 0;
      const timer = setInterval(() => {
        maxInflight = Math.max(maxInflight, s.store.seriesGate.used);
        maxPool = Math.max(maxPool, s.store.chunkPool.used);
      }, 2);
      const results = await Promise.all([0, 1, 2].map(() => seriesOf(s.client, REQ)));
      clearInterval(timer);
      for (const r of results) t.equal(r.series.length, 11, `gate ${gate}: complete answers`);
      if (gate === 1) t.equal(maxInflight, 1, 'never more than one Series at once');
      else t.ok(maxInflight >= 2, `gate 4 lets calls overlap (max ${maxInflight})`);
      t.ok(maxPool > 0, `chunk pool used (${maxPool} bytes at most)`);
      t.equal(s.store.chunkPool.used, 0, 'every chunk byte released');
      await s.stop();
    }
  });
}
