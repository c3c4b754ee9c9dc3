// Shipping blocks made by a real tool: `promtool tsdb create-blocks-from openmetrics` (Prometheus 2.42), then
// promtool reading the shipped copy back. Expected: promtool's own ULIDs, files and Prometheus meta fields,
// and `promtool tsdb dump` of the bucket giving every generated sample.
import t from 'tap';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Shipper } from '../../../src/sidecar/shipper/index.js';
import { isULID, parseMeta } from '../../../src/tsdb/index.js';
import { needBinary } from '../../helpers/peers.js';
import { createBlocks, removeDir } from '../../helpers/prometheus.js';
import { H, T0, filesUnder, tempDirs } from './fixtures.js';

const run = promisify(execFile);
const STEP = 15_000;
const END = T0 + 4 * H - STEP; // two 2 h blocks and no 1 ms tail block (peers.md §1)

function openMetrics(): { text: string; samples: number } {
  const lines = ['# HELP ship_temp a gauge', '# TYPE ship_temp gauge'];
  let samples = 0;
  for (const room of ['a', 'b', 'c']) {
    for (let ts = T0 + STEP, i = 0; ts <= END; ts += STEP, i++) {
      lines.push(`ship_temp{room="${room}"} ${(20 + Math.sin(i / 7) * 3).toFixed(3)} ${ts / 1000}`);
      samples++;
    }
  }
  lines.push('# EOF', '');
  return { text: lines.join('\n'), samples };
}

const promtool = needBinary(t, 'promtool');
if (promtool) {
  t.test('promtool blocks are shipped unchanged, with the thanos section, and promtool reads the shipped copy', async (t) => {
    const d = tempDirs();
    t.teardown(d.cleanup);
    const om = openMetrics();
    const blocksDir = await createBlocks(promtool, om.text);
    t.teardown(() => removeDir(blocksDir));
    const ids = readdirSync(blocksDir).filter(isULID).sort();
    t.equal(ids.length, 2, 'promtool cut two 2 h blocks');
    for (const id of ids) cpSync(join(blocksDir, id), join(d.tsdb, id), { recursive: true });

    const res = await new Shipper({ tsdbPath: d.tsdb, bucket: d.bucket, externalLabels: () => ({ cluster: 'c1', replica: 'r0' }) }).sync();
    t.equal(res.error, undefined);
    t.same([...res.uploaded].sort(), ids);
    for (const id of ids) {
      const local = filesUnder(join(blocksDir, id));
      const shipped = filesUnder(join(d.bucketDir, id));
      t.same([...shipped.keys()].sort(), [...local.keys()].filter((k) => k !== 'tombstones').sort(), `${id}: files`);
      for (const k of shipped.keys()) if (k !== 'meta.json') t.ok(shipped.get(k)!.equals(local.get(k)!), `${id}/${k} byte for byte`);
      const { thanos, ...prom } = parseMeta(shipped.get('meta.json')!);
      t.same(prom, parseMeta(local.get('meta.json')!), `${id}: promtool's meta fields`);
      t.same([thanos?.labels, thanos?.source, thanos?.downsample.resolution], [{ cluster: 'c1', replica: 'r0' }, 'sidecar', 0]);
    }

    // promtool dump needs a wal dir and writes chunks_head: give it a copy of the bucket.
    const copy = join(d.tsdb, '..', 'dump');
    cpSync(d.bucketDir, copy, { recursive: true });
    mkdirSync(join(copy, 'wal'));
    const dump = await run(promtool, ['tsdb', 'dump', copy], { maxBuffer: 64 * 1024 * 1024 });
    const lines = dump.stdout.split('\n').filter((l) => l.startsWith('{'));
    t.equal(lines.length, om.samples, 'every generated sample is in the shipped blocks');
    t.match(lines[0], /^\{__name__="ship_temp", room="a"\} 20 1704067215000$/);
    t.same(JSON.parse(readFileSync(join(d.tsdb, 'thanos.shipper.json'), 'utf8')).uploaded.sort(), ids);
  });
}
