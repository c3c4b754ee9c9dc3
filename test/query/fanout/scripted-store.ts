/**
 * A StoreAPI server for failure tests: the in-memory store (memoryStoreApi) with a script wrapped around its
 * Series stream — send `afterFrames` frames, then die (force-shutdown of the whole gRPC server, as a crashed
 * process looks from the wire), hang (send nothing more until the caller cancels), or go on slowly
 * (`frameDelayMs` between frames). Every Series call is recorded, with when its server-side signal fired, so
 * a test can prove the querier cancelled the stream rather than leaving it open until the deadline.
 */
import { Labels } from '../../../src/model/index.js';
import { MemoryStorage } from '../../../src/storage/index.js';
import { memoryStoreApi, startGrpcServer, type RunningGrpcServer, type SeriesResponse } from '../../../src/storeapi/index.js';

export interface Script {
  /** Frames to send normally before `then` (Infinity: never). */
  afterFrames: number;
  then: 'die' | 'hang';
  /** Wait before each frame, ms (a slow store). */
  frameDelayMs?: number;
}

export interface SeriesCallRecord {
  /** performance.now() when the call arrived. */
  startedAt: number;
  frames: number;
  /** performance.now() when the server-side signal fired (client cancel, deadline, shutdown). */
  abortedAt?: number;
  /** Set when the handler finished by sending everything. */
  completed: boolean;
}

export interface ScriptedStore {
  readonly address: string;
  readonly server: RunningGrpcServer;
  script: Script;
  readonly calls: SeriesCallRecord[];
  /** Resolves when a Series call has sent `frames` frames (or now, if one already has). */
  framesSent(frames: number): Promise<SeriesCallRecord>;
  stop(): Promise<void>;
}

/** `series` counters `name{i="0…n-1"}`, one sample per `stepMs` over [0, end]: value = t/1000. */
export function counterData(name: string, series: number, end: number, stepMs: number): MemoryStorage {
  const db = new MemoryStorage();
  for (let i = 0; i < series; i++) {
    const ls = Labels.from({ __name__: name, i: String(i).padStart(5, '0') });
    for (let t = 0; t <= end; t += stepMs) db.append(ls, t, t / 1000);
  }
  return db;
}

export async function startScriptedStore(db: MemoryStorage, externalLabels: Record<string, string>, script: Script): Promise<ScriptedStore> {
  const inner = memoryStoreApi(db, { componentType: 'store', externalLabels: Labels.from(externalLabels) });
  const calls: SeriesCallRecord[] = [];
  const waiters: { frames: number; resolve: (r: SeriesCallRecord) => void }[] = [];
  let server: RunningGrpcServer;
  const state = { script };

  const notify = (rec: SeriesCallRecord): void => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (rec.frames >= waiters[i].frames) {
        waiters[i].resolve(rec);
        waiters.splice(i, 1);
      }
    }
  };
  const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });

  server = await startGrpcServer('127.0.0.1:0', {
    info: inner.info,
    store: {
      labelNames: inner.store.labelNames,
      labelValues: inner.store.labelValues,
      async series(req, send, ctx) {
        const rec: SeriesCallRecord = { startedAt: performance.now(), frames: 0, completed: false };
        calls.push(rec);
        ctx.signal.addEventListener('abort', () => (rec.abortedAt = performance.now()), { once: true });
        const scripted = async (frame: SeriesResponse): Promise<void> => {
          const s = state.script;
          if (s.frameDelayMs) await sleep(s.frameDelayMs, ctx.signal);
          if (rec.frames >= s.afterFrames) {
            if (s.then === 'die') {
              server.server.forceShutdown();
              throw new Error('store died');
            }
            await new Promise<void>((resolve) => {
              if (ctx.signal.aborted) resolve();
              else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
            });
            throw ctx.signal.reason;
          }
          await send(frame);
          rec.frames++;
          notify(rec);
        };
        await inner.store.series(req, scripted, ctx);
        rec.completed = true;
      },
    },
  });

  return {
    address: server.address,
    server,
    calls,
    get script() {
      return state.script;
    },
    set script(s: Script) {
      state.script = s;
    },
    framesSent(frames) {
      const done = calls.find((c) => c.frames >= frames);
      if (done) return Promise.resolve(done);
      return new Promise((resolve) => waiters.push({ frames, resolve }));
    },
    stop: () => server.stop(0),
  };
}
