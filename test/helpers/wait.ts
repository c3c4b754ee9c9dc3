// Waiting in tests: a sleep that an AbortSignal cuts short, and polling for a condition with a deadline.

/** Resolves after `ms`, or rejects with the signal's reason when it fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

/** Polls `cond` every `pollMs` until it holds or `ms` pass; returns its last value. */
export async function until(cond: () => boolean, ms: number, pollMs = 5): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(pollMs);
  return cond();
}
