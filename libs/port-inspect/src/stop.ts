import { setTimeout as sleep } from 'node:timers/promises';

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

/** How a process was stopped. */
export type StopOutcome = 'already-gone' | 'terminated' | 'killed';

/** Sends SIGTERM, waits up to `graceMs`, then SIGKILL; resolves once the process is gone. */
export async function stopProcess(pid: number, graceMs = 5000): Promise<StopOutcome> {
  if (!isAlive(pid)) return 'already-gone';
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'already-gone';
  }
  if (await waitGone(pid, graceMs)) return 'terminated';
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* exited between the check and the kill */
  }
  if (!(await waitGone(pid, 2000))) throw new Error(`pid ${pid} survived SIGKILL: check it with \`ps -p ${pid}\``);
  return 'killed';
}
