import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Who a pid is: the pid plus when that process started, so a reused pid is told apart. */
export interface ProcessIdentity {
  pid: number;
  /** Start time as the OS gives it (clock ticks since boot on Linux, `ps -o lstart` elsewhere); undefined when unreadable. */
  startTime?: string;
}

/**
 * Field 22 (starttime) of a /proc/<pid>/stat line. The command name (field 2) is in
 * parentheses and may itself hold spaces or `)`, so fields are counted after the LAST `)`.
 */
export function parseProcStatStartTime(stat: string): string | undefined {
  const end = stat.lastIndexOf(')');
  if (end < 0) return undefined;
  // After ")" come fields 3, 4, …; starttime is field 22, so index 22 - 3.
  const value = stat.slice(end + 1).trim().split(/\s+/)[22 - 3];
  return value && /^\d+$/.test(value) ? value : undefined;
}

/** The start time of a pid, or undefined when the process is gone or the OS will not say. */
export function processStartTime(pid: number): string | undefined {
  try {
    if (process.platform === 'linux') return parseProcStatStartTime(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    if (process.platform === 'win32') return undefined;
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    return out.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Reads a pid's identity now. */
export function processIdentity(pid: number, readStartTime: (pid: number) => string | undefined = processStartTime): ProcessIdentity {
  return { pid, startTime: readStartTime(pid) };
}

/**
 * True when `pid` is still the process first seen as `expected`. When the start time could
 * not be read the first time there is nothing to compare, and the pid alone decides.
 */
export function isSameProcess(expected: ProcessIdentity, readStartTime: (pid: number) => string | undefined = processStartTime): boolean {
  if (expected.startTime === undefined) return true;
  return readStartTime(expected.pid) === expected.startTime;
}
