import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LeaseLockError } from './errors.js';
import { readLeases, writeLeases, type LeaseState } from './lease-file.js';

/** How long a lock holder may go without refreshing before the lock counts as abandoned (proper-lockfile's `stale`). */
const LOCK_STALE_MS = 5_000;
/** The longest a taker waits for the lock. */
export const LOCK_WAIT_MS = 10_000;

/**
 * Runs `work` on the state under the file's lock (proper-lockfile: an atomic mkdir of
 * `<file>.lock`, refreshed while held, taken over when abandoned) and writes back what it
 * returns in `state`. The wait for the lock is bounded by LOCK_WAIT_MS.
 */
export async function updateLeases<T>(file: string, work: (state: LeaseState) => { state: LeaseState; result: T }): Promise<T> {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let release: () => Promise<void>;
  try {
    // Loaded on first use: proper-lockfile (with graceful-fs, which patches fs as it loads) is a
    // quarter of what every CLI call would parse, and most calls (`ports check`) never lock.
    const { default: lockfile } = await import('proper-lockfile');
    release = await lockfile.lock(file, {
      realpath: false,
      stale: LOCK_STALE_MS,
      // ~50 tries, 20–400 ms apart with backoff: about LOCK_WAIT_MS in all.
      retries: { retries: 50, minTimeout: 20, maxTimeout: 400, factor: 1.3, randomize: true, maxRetryTime: LOCK_WAIT_MS },
      onCompromised: () => undefined,
    });
  } catch (error) {
    throw new LeaseLockError(file, LOCK_WAIT_MS, (error as Error).message);
  }
  try {
    const { state, result } = work(readLeases(file));
    writeLeases(file, state);
    return result;
  } finally {
    await release().catch(() => undefined);
  }
}
