/** A bounded wait that ran out; names what was awaited and for how long. */
export class FaultsTimeoutError extends Error {
  readonly code = 'E_FAULTS_TIMEOUT';
  constructor(what: string, ms: number, detail = '') {
    super(`${what} did not happen within ${ms} ms${detail ? `: ${detail}` : ''}`);
  }
}

/** A harness step that failed (a server would not start, a command failed). */
export class FaultsHarnessError extends Error {
  readonly code = 'E_FAULTS_HARNESS';
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` every `everyMs` until it returns a truthy value (returned) or `ms` passes
 * (FaultsTimeoutError). A probe that throws counts as "not yet".
 */
export async function waitFor<T>(what: string, probe: () => Promise<T> | T, ms: number, everyMs = 100): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  let last = '';
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() >= end) throw new FaultsTimeoutError(what, ms, last);
    await sleep(everyMs);
  }
}

/** Milliseconds since `t0`, rounded. */
export const since = (t0: number): number => Math.round(performance.now() - t0);
