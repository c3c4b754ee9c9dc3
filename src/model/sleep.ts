/**
 * Waits `ms` (Infinity: until aborted), ending early — resolved, not rejected — when `signal` aborts: the
 * loops that sleep check the signal themselves and stop or throw the error that fits them.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
