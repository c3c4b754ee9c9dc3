/**
 * One server-streaming call on many endpoints at once, under Thanos's partial-response rules (the Rules and
 * Metadata APIs; Series has its own path, fanout.ts): every stream is read concurrently and each frame handed
 * to `onFrame` as it arrives. A failing endpoint is a warning `fetching <what> from <what> client <address>:
 * <why>` under partial response; otherwise it cancels the other streams and fails the request with a
 * StorageError `error retrieving <what>: …` (HTTP 500, as Thanos answers). The request's own timeout or
 * cancellation is never turned into a warning.
 */
import { StorageError, throwIfAborted } from '../model/index.js';
import type { Endpoint } from './endpoints/endpoint.js';

export interface StreamFanout<F> {
  /** Names the data in messages: `rules`, `metric metadata`. */
  what: string;
  partialResponse: boolean;
  open(endpoint: Endpoint, signal: AbortSignal): AsyncIterable<F>;
  onFrame(frame: F, endpoint: Endpoint): void;
}

/** Resolves with the warnings once every stream has ended; rejects as described above. */
export async function fanoutStreams<F>(targets: readonly Endpoint[], f: StreamFanout<F>, signal: AbortSignal): Promise<string[]> {
  // Under ABORT the first failure cancels the other streams: their answers would be thrown away.
  const local = new AbortController();
  const onAbort = (): void => local.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const warnings: string[] = [];
  try {
    await Promise.all(
      targets.map(async (e) => {
        try {
          for await (const frame of f.open(e, local.signal)) f.onFrame(frame, e);
        } catch (err) {
          throwIfAborted(signal, f.what);
          const why = `fetching ${f.what} from ${f.what} client ${e.address}: ${err instanceof Error ? err.message : String(err)}`;
          if (!f.partialResponse) {
            local.abort(new StorageError(why));
            throw new StorageError(`error retrieving ${f.what}: ${why}`, { cause: err });
          }
          warnings.push(why);
        }
      }),
    );
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return warnings;
}
