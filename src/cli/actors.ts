/**
 * Lifecycle as a group of actors (Thanos's run.Group): each long-running part is `{run, stop}`; when the
 * first one's run ends (or a signal arrives) every actor is stopped, and the group resolves with the first
 * error, if any.
 */
export interface Actor {
  name: string;
  run(): Promise<void>;
  stop(err?: unknown): Promise<void> | void;
}

export async function runActors(actors: readonly Actor[], opts: { signals?: NodeJS.Signals[] } = {}): Promise<void> {
  let firstError: unknown;
  let stopping = false;
  let resolveStop!: () => void;
  const stopped = new Promise<void>((r) => (resolveStop = r));
  const stopAll = async (err?: unknown): Promise<void> => {
    if (stopping) return;
    stopping = true;
    firstError ??= err;
    await Promise.allSettled(actors.map(async (a) => a.stop(err)));
    resolveStop();
  };
  const onSignal = (): void => void stopAll();
  for (const s of opts.signals ?? []) process.once(s, onSignal);
  try {
    const runs = actors.map((a) =>
      a.run().then(
        () => stopAll(),
        (err: unknown) => stopAll(new Error(`${a.name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err })),
      ),
    );
    await stopped;
    await Promise.allSettled(runs);
  } finally {
    for (const s of opts.signals ?? []) process.off(s, onSignal);
  }
  if (firstError !== undefined) throw firstError;
}

/** An actor that runs until stopped. */
export function untilStopped(name: string, onStop: () => Promise<void> | void): Actor {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return {
    name,
    run: () => done,
    stop: async () => {
      await onStop();
      release();
    },
  };
}
