import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_S = 100;

/**
 * CPU time of a process tree, sampled from /proc: every `sample()` finds the root's descendants
 * (by parent pid) and keeps each one's latest utime + stime, so the CPU of a process that has
 * exited stays counted. A process that starts and ends between two samples is missed (sample
 * often: the cold-start poll does every 0.1 s). Hand-written: pidusage and ps-tree read one
 * process or list a tree, not the CPU of a tree's processes that come and go. Linux only; elsewhere
 * `seconds()` is undefined.
 */
export class TreeCpu {
  private readonly latest = new Map<number, number>();
  private available = true;

  constructor(private readonly root: number) {}

  sample(): void {
    if (!this.available) return;
    let pids: string[];
    try {
      pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
    } catch {
      this.available = false;
      return;
    }
    const parent = new Map<number, number>();
    const ticks = new Map<number, number>();
    for (const pid of pids) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // Fields after the command name (which may hold spaces), from field 3 (state) on.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        parent.set(Number(pid), Number(fields[1]));
        ticks.set(Number(pid), Number(fields[11]) + Number(fields[12]));
      } catch {
        // exited between the listing and the read
      }
    }
    const inTree = (pid: number): boolean => {
      for (let p: number | undefined = pid, depth = 0; p !== undefined && p > 1 && depth < 64; p = parent.get(p), depth++) if (p === this.root) return true;
      return false;
    };
    for (const [pid, t] of ticks) if (inTree(pid)) this.latest.set(pid, Math.max(t, this.latest.get(pid) ?? 0));
  }

  /** CPU seconds of every process of the tree seen so far (undefined without /proc). */
  seconds(): number | undefined {
    if (!this.available) return undefined;
    let total = 0;
    for (const t of this.latest.values()) total += t;
    return total / TICKS_PER_S;
  }
}
