import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** One process: its pid, parent and command line. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  args: string[];
}

/** A process's parent and arguments: /proc on Linux, `ps` elsewhere; undefined when gone. */
export function processInfo(pid: number): ProcessInfo | undefined {
  try {
    if (process.platform === 'linux') {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces or ')'): state, ppid, …
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 1).trim().split(/\s+/)[1]);
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      return { pid, ppid, args };
    }
    const out = execFileSync('ps', ['-o', 'ppid=,args=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    const match = /^(\d+)\s+(.*)$/.exec(out);
    return match ? { pid, ppid: Number(match[1]), args: match[2]!.split(/\s+/) } : undefined;
  } catch {
    return undefined;
  }
}

/** True for the command line of an Nx CLI process (`nx …`, `node …/nx/bin/nx.js …`, `node_modules/.bin/nx …`). */
export function isNxCommand(args: readonly string[]): boolean {
  return args.slice(0, 2).some((a) => /(^|[\\/])nx(\.js)?$/.test(a) && !/[\\/]nx[\\/]src[\\/]/.test(a));
}

/**
 * The nearest Nx command among a process's ancestors: the process a bare
 * `nx run-many -t serve` lives in, so a lease taken by one of its tasks lasts as long as
 * the whole run (the nearest, not the outermost: an Nx run started inside another Nx task
 * ends before its parent). Undefined when no ancestor is Nx (the task was run by hand). At most 64 steps.
 */
export function nxAncestor(pid: number = process.pid, info: (pid: number) => ProcessInfo | undefined = processInfo): number | undefined {
  let current = info(pid);
  for (let steps = 0; current && current.ppid > 1 && steps < 64; steps++) {
    const parent = info(current.ppid);
    if (!parent) return undefined;
    if (isNxCommand(parent.args)) return parent.pid;
    current = parent;
  }
  return undefined;
}

/** A process and its ancestors, nearest first (at most 64), ending before pid 1. */
export function lineage(pid: number = process.pid, info: (pid: number) => ProcessInfo | undefined = processInfo): number[] {
  const pids: number[] = [];
  for (let current = info(pid); current && pids.length < 64; current = current.ppid > 1 ? info(current.ppid) : undefined) pids.push(current.pid);
  return pids;
}
