import t from 'tap';
import { Labels } from '../../src/model/index.js';
import { MemoryStorage } from '../../src/storage/index.js';
import { memoryStoreApi, startGrpcServer, type RunningGrpcServer } from '../../src/storeapi/index.js';
import { querier } from '../helpers/querier.js';

// An HTTP request that goes away or runs out of time must cancel the gRPC streams it opened (issue 4 item 4),
// and a query waiting for a --query.max-concurrent slot must give up at its timeout. The store here never
// answers Series: it waits for the call's cancellation and records it.

interface HangingStore {
  server: RunningGrpcServer;
  started: number;
  /** Resolves with the number of cancelled Series calls each time one is cancelled. */
  cancelled: () => Promise<void>;
  cancelCount: number;
}

async function hangingStore(): Promise<HangingStore> {
  // Info advertises the time range of real data (0..200 s), so the querier does not prune this store away.
  const db = new MemoryStorage();
  for (let s = 0; s <= 200; s += 15) db.append(Labels.from({ __name__: 'up', job: 'x' }), s * 1000, 1);
  const base = memoryStoreApi(db, { componentType: 'sidecar', externalLabels: Labels.from({ replica: 'A' }) });
  const waiters: (() => void)[] = [];
  const state: HangingStore = {
    server: undefined as unknown as RunningGrpcServer,
    started: 0,
    cancelCount: 0,
    cancelled: () => new Promise<void>((r) => waiters.push(r)),
  };
  state.server = await startGrpcServer('127.0.0.1:0', {
    info: base.info,
    store: {
      ...base.store,
      async series(_req, _send, ctx) {
        state.started++;
        await new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r(), { once: true }));
        state.cancelCount++;
        waiters.splice(0).forEach((w) => w());
      },
    },
  });
  return state;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 5000 ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))]);

t.test('a client that hangs up cancels the store stream', async (t) => {
  const store = await hangingStore();
  const q = await querier({ endpoints: [store.server.address] });
  t.teardown(async () => {
    await q.stop();
    await store.server.stop(0);
  });
  const client = new AbortController();
  const req = fetch(`http://${q.httpAddress}/api/v1/query?query=up&time=100`, { signal: client.signal }).catch((e: Error) => e);
  await until(() => store.started > 0, 'Series call reached the store');
  const cancelled = store.cancelled();
  client.abort();
  await within(cancelled, 5000, 'store stream cancelled after the client left');
  t.equal(store.cancelCount, 1);
  t.type(await req, Error, 'the client saw its own abort');
  // The querier is still serving.
  const ok = await fetch(`http://${q.httpAddress}/api/v1/query?query=1&time=1`);
  t.equal(ok.status, 200);
});

t.test('a query timeout answers 503 and cancels the store stream', async (t) => {
  const store = await hangingStore();
  const q = await querier({ endpoints: [store.server.address] });
  t.teardown(async () => {
    await q.stop();
    await store.server.stop(0);
  });
  const cancelled = store.cancelled();
  const t0 = Date.now();
  const res = await fetch(`http://${q.httpAddress}/api/v1/query?query=up&time=100&timeout=300ms`);
  const elapsed = Date.now() - t0;
  t.equal(res.status, 503);
  t.equal((await res.json()).errorType, 'timeout');
  t.ok(elapsed >= 290 && elapsed < 5000, `answered after ${elapsed} ms`);
  await within(cancelled, 5000, 'store stream cancelled after the timeout');
});

t.test('--query.max-concurrent: a queued query times out in the queue, then the slot frees', async (t) => {
  const store = await hangingStore();
  const q = await querier({ endpoints: [store.server.address], maxConcurrent: 1 });
  t.teardown(async () => {
    await q.stop();
    await store.server.stop(0);
  });
  // The first query holds the only slot until its 1 s timeout.
  const first = fetch(`http://${q.httpAddress}/api/v1/query?query=up&time=100&timeout=1s`);
  await until(() => store.started > 0, 'Series call reached the store');
  const queued = await fetch(`http://${q.httpAddress}/api/v1/query?query=1&time=1&timeout=200ms`);
  t.equal(queued.status, 503, 'the second never got a slot');
  t.equal((await queued.json()).errorType, 'timeout');
  t.equal(store.started, 1, 'the queued query never reached the store');
  t.equal((await first).status, 503);
  const after = await fetch(`http://${q.httpAddress}/api/v1/query?query=1&time=1`);
  t.equal(after.status, 200, 'the slot was released');
});
