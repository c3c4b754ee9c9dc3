// Stores that fail in the middle of a Series stream, seen through the querier's HTTP API (issue 4 item 9):
// a dead store is a warning (partial response) or an error, never a hang; a silent one is cut off by
// --store.response-timeout; a query that times out or whose client leaves cancels its gRPC streams.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { api, memoryStore, querier } from '../helpers/querier.js';
import { counterData, startScriptedStore, type Script, type ScriptedStore } from '../query/fanout/scripted-store.js';

// 640 series × 1 h at 60 s: the querier asks for batches of 64, so one stream is 10 frames.
const SERIES = 640;
const data = () => counterData('big', SERIES, 3_600_000, 60_000);
const QUERY = { query: 'count by (cluster) (big)', time: '3600' };

async function scripted(t: Test, cluster: string, script: Script): Promise<ScriptedStore> {
  const s = await startScriptedStore(data(), { cluster }, script);
  t.teardown(() => s.stop());
  return s;
}

async function eventually(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return cond();
}

type Result = { metric: Record<string, string>; value: [number, string] }[];
const countOf = (res: Result, cluster: string): number | undefined => {
  const r = res.find((x) => x.metric.cluster === cluster);
  return r ? Number(r.value[1]) : undefined;
};

t.test('a store process SIGKILLed mid-stream: a warning naming it, quickly, and the other store complete', async (t) => {
  const script = fileURLToPath(new URL('../query/fanout/store-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import=tsx', script, JSON.stringify({ cluster: 'a' }), '30'], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  const lines: ((line: string) => void)[] = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    let i: number;
    while ((i = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, i);
      out = out.slice(i + 1);
      lines.forEach((f) => f(line));
    }
  });
  const waitLine = (re: RegExp): Promise<string> => new Promise((resolve) => lines.push((l) => re.test(l) && resolve(l)));
  const address = (JSON.parse(await waitLine(/^\{/)) as { address: string }).address;

  const live = await memoryStore(data(), { cluster: 'b' }, 'store');
  const q = await querier({ endpoints: [address, live.address] });
  t.teardown(async () => {
    await q.stop();
    await live.stop(0);
  });
  t.equal(q.endpoints.queryable().length, 2, 'both stores healthy before the query');

  const killed = waitLine(/^FRAMES 3$/).then(() => {
    child.kill('SIGKILL');
    return performance.now();
  });
  const res = api(q.httpAddress, '/api/v1/query', QUERY);
  const killedAt = await killed;
  const { status, body } = await res;
  const after = performance.now() - killedAt;
  t.equal(status, 200);
  t.equal(body.status, 'success');
  t.match(body.warnings?.join('\n') ?? '', new RegExp(`store ${address.replace(/\./g, '\\.')}`), 'the warning names the dead store');
  t.equal(countOf(body.data.result, 'b'), SERIES, 'the live store answered in full');
  const partial = countOf(body.data.result, 'a');
  t.ok(partial === undefined || partial < SERIES, `the dead store's part is partial (${partial})`);
  // Seconds, not the 2-minute call deadline; generous for a loaded test machine.
  t.ok(after < 10_000, `answered ${after.toFixed(0)} ms after the kill`);
});

t.test('a store that dies mid-stream fails the query without partial response, and the other streams are cancelled', async (t) => {
  const dying = await scripted(t, 'a', { afterFrames: 3, then: 'die' });
  // Slow enough to still be streaming when the other dies: 10 frames × 300 ms.
  const other = await scripted(t, 'b', { afterFrames: Infinity, then: 'hang', frameDelayMs: 300 });
  const q = await querier({ endpoints: [dying.address, other.address] });
  t.teardown(() => q.stop());

  const t0 = performance.now();
  const { status, body } = await api(q.httpAddress, '/api/v1/query', { ...QUERY, partial_response: 'false' });
  t.ok(performance.now() - t0 < 10_000, 'no hang');
  t.equal(status, 500);
  t.equal(body.status, 'error');
  t.equal(body.errorType, 'internal', 'a storage error, as Prometheus maps ErrStorage');
  t.match(body.error, new RegExp(`store ${dying.address.replace(/\./g, '\\.')}`));
  t.equal(other.calls.length, 1);
  t.ok(await eventually(() => other.calls[0].abortedAt !== undefined, 1500), 'the surviving store\'s stream was cancelled, not left open until its deadline');
  t.notOk(other.calls[0].completed, 'and did not run to its end');
});

t.test('a store that hangs mid-stream is cut off by the response timeout with a warning', async (t) => {
  const hanging = await scripted(t, 'a', { afterFrames: Infinity, then: 'hang' });
  const live = await memoryStore(data(), { cluster: 'b' }, 'store');
  const q = await querier({ endpoints: [hanging.address, live.address], responseTimeoutMs: 1000 });
  t.teardown(async () => {
    await q.stop();
    await live.stop(0);
  });
  // The stores share this process (and a busy machine) with the querier: one warm-up query first, so the
  // first frames of the real one are not slowed by cold code past the timeout.
  const warm = await api(q.httpAddress, '/api/v1/query', QUERY);
  t.same(warm.body.warnings ?? [], [], 'warm-up: both stores answer in time');
  t.equal(countOf(warm.body.data.result, 'a'), SERIES);

  hanging.script = { afterFrames: 3, then: 'hang' };
  const t0 = performance.now();
  const { status, body } = await api(q.httpAddress, '/api/v1/query', QUERY);
  const took = performance.now() - t0;
  t.equal(status, 200);
  t.match(body.warnings ?? [], [new RegExp(`store ${hanging.address.replace(/\./g, '\\.')}: failed to receive any data in 1000 ms`)]);
  t.equal(body.warnings?.length, 1, 'only the hanging store is named');
  t.equal(countOf(body.data.result, 'b'), SERIES);
  t.equal(countOf(body.data.result, 'a'), 3 * 64, 'the hanging store\'s three frames count');
  t.ok(took >= 950 && took < 10_000, `answered after ${took.toFixed(0)} ms (timeout 1000 ms)`);
  t.ok(await eventually(() => hanging.calls[1]?.abortedAt !== undefined, 3000), 'the hanging stream was cancelled');

  // Without partial response the same silence is the query's error.
  const strict = await api(q.httpAddress, '/api/v1/query', { ...QUERY, partial_response: 'false' });
  t.equal(strict.status, 500);
  t.match(strict.body.error, /failed to receive any data in 1000 ms/);
});

t.test('an HTTP client that disconnects mid-query cancels the gRPC streams', async (t) => {
  const hanging = await scripted(t, 'a', { afterFrames: 3, then: 'hang' });
  const q = await querier({ endpoints: [hanging.address] });
  t.teardown(() => q.stop());
  const client = new AbortController();
  const req = fetch(`http://${q.httpAddress}/api/v1/query?${new URLSearchParams(QUERY)}`, { signal: client.signal }).catch((e: Error) => e);
  const rec = await hanging.framesSent(3);
  t.equal(rec.abortedAt, undefined, 'the stream is open and waiting');
  const goneAt = performance.now();
  client.abort();
  t.match(await req, { name: 'AbortError' });
  t.ok(await eventually(() => rec.abortedAt !== undefined, 3000), 'the store saw its Series call cancelled');
  t.ok(rec.abortedAt! - goneAt < 3000, `cancelled ${(rec.abortedAt! - goneAt).toFixed(0)} ms after the client left`);

  // The querier is fine afterwards.
  hanging.script = { afterFrames: Infinity, then: 'hang' };
  const ok = await api(q.httpAddress, '/api/v1/query', QUERY);
  t.equal(countOf(ok.body.data.result, 'a'), SERIES);
});

t.test('a query timeout shorter than a slow store: 503 timeout and the stream cancelled', async (t) => {
  // 200 ms per frame: ~6 s for the whole stream.
  const slow = await scripted(t, 'a', { afterFrames: Infinity, then: 'hang', frameDelayMs: 200 });
  const q = await querier({ endpoints: [slow.address] });
  t.teardown(() => q.stop());
  const t0 = performance.now();
  const { status, body } = await api(q.httpAddress, '/api/v1/query', { ...QUERY, timeout: '500ms' });
  const took = performance.now() - t0;
  t.equal(status, 503);
  t.equal(body.errorType, 'timeout');
  t.ok(took >= 450 && took < 4000, `timed out after ${took.toFixed(0)} ms (timeout 500 ms)`);
  t.ok(await eventually(() => slow.calls[0]?.abortedAt !== undefined, 3000), 'the slow stream was cancelled');
  t.notOk(slow.calls[0]?.completed, 'and did not run to the end');
});

t.test(
  'a query that fails for a reason of its own (too many samples) cancels the store streams it leaves unread',
  // Store failures cancel sibling streams (fan-out's own abort group); an error raised above the fan-out is
  // covered by the API aborting the request signal once the query ends (api/request-context.ts done()).
  async (t) => {
    const slow = (cluster: string) => scripted(t, cluster, { afterFrames: Infinity, then: 'hang', frameDelayMs: 100 });
    const a = await slow('a');
    const b = await slow('b');
    const q = await querier({ endpoints: [a.address, b.address], maxSamples: 5000 });
    t.teardown(() => q.stop());
    const { status, body } = await api(q.httpAddress, '/api/v1/query', { query: 'count(count_over_time(big[10m]))', time: '3600' });
    t.equal(status, 422);
    t.match(body.error, /too many samples/);
    t.ok(await eventually(() => [a, b].every((s) => s.calls[0]?.abortedAt !== undefined), 1500), 'both streams cancelled');
  },
);
