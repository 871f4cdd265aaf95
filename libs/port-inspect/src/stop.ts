import { setTimeout as sleep } from 'node:timers/promises';
import { isSameProcess, processStartTime, type ProcessIdentity } from './identity.js';

/** True while a process with this pid exists (and we may signal it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await sleep(25);
  }
  return !isAlive(pid);
}

/**
 * How a process was stopped. `pid-reused`: the pid now belongs to a process that started
 * after the one we meant to stop, so nothing was signalled (or, after SIGTERM, no SIGKILL sent).
 */
export type StopOutcome = 'already-gone' | 'terminated' | 'killed' | 'pid-reused';

/** What `stopProcess` checks before each signal. */
export interface StopOptions {
  /** The process as first seen (pid + start time): re-read right before SIGTERM and before SIGKILL. */
  identity?: ProcessIdentity;
  /** Reads a pid's start time now (tests pass fixtures). */
  readStartTime?: (pid: number) => string | undefined;
}

/**
 * Sends SIGTERM, waits up to `graceMs`, then SIGKILL; resolves once the process is gone.
 * With `identity`, each signal is sent only while the pid is still that same process.
 */
export async function stopProcess(pid: number, graceMs = 5000, options: StopOptions = {}): Promise<StopOutcome> {
  const readStartTime = options.readStartTime ?? processStartTime;
  // A start time that cannot be read may just mean the process exited meanwhile: only a live pid counts as reused.
  const reused = () => options.identity !== undefined && !isSameProcess(options.identity, readStartTime) && isAlive(pid);
  if (!isAlive(pid)) return 'already-gone';
  if (reused()) return 'pid-reused';
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'already-gone';
  }
  if (await waitGone(pid, graceMs)) return 'terminated';
  if (reused()) return 'pid-reused';
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* exited between the check and the kill */
  }
  if (!(await waitGone(pid, 2000))) throw new Error(`pid ${pid} survived SIGKILL: check it with \`ps -p ${pid}\``);
  return 'killed';
}
