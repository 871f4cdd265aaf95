import { processStartTime } from '@hypernode/port-inspect';
import type { Lease } from './lease-file.js';

/** True while a process with this pid exists (EPERM: it exists, owned by another user). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True while the lease's process still runs: its pid exists and, when a start time was
 * recorded, it still has that start time (otherwise the pid was reused by another process).
 */
export function isLeaseLive(lease: Pick<Lease, 'pid' | 'startTime'>, readStartTime: (pid: number) => string | undefined = processStartTime): boolean {
  if (!pidExists(lease.pid)) return false;
  if (lease.startTime === undefined) return true;
  return readStartTime(lease.pid) === lease.startTime;
}
