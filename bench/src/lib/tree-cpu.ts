import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's CPU fields (USER_HZ: 100 on Linux). */
const TICKS_PER_S = 100;

/**
 * CPU time of a process tree, sampled from /proc. Each `sample()` sums, over the root's live
 * descendants, their own CPU and the CPU of their children that already exited and were reaped
 * (utime + stime + cutime + cstime), and keeps the largest sum seen: a process's CPU moves into
 * its parent's cutime when the parent reaps it, so short-lived processes (an Nx fork, a
 * compiler) are counted even between samples. A process once seen stays a member when its
 * parent exits and it is re-parented; members are keyed by pid and start time (pids are
 * reused). What the tree's processes left in a reaper outside it is missed (an orphan that
 * exits after re-parenting). Hand-written: pidusage and ps-tree read one process or list a
 * tree, not the CPU of a tree whose processes come and go. Linux only; elsewhere `seconds()` is
 * undefined.
 */
export class TreeCpu {
  private readonly members = new Set<string>();
  private best = 0;
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
    const procs = new Map<number, { parent: number; key: string; ticks: number }>();
    for (const pid of pids) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // Fields after the command name (which may hold spaces), from field 3 (state) on.
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        procs.set(Number(pid), { parent: Number(f[1]), key: `${pid}@${f[19]}`, ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
      } catch {
        // exited between the listing and the read
      }
    }
    const inTree = (pid: number): boolean => {
      for (let p: number | undefined = pid, depth = 0; p !== undefined && p > 1 && depth < 64; p = procs.get(p)?.parent, depth++) {
        if (p === this.root || this.members.has(procs.get(p)?.key ?? '')) return true;
      }
      return false;
    };
    let total = 0;
    for (const [pid, proc] of procs) {
      if (!inTree(pid)) continue;
      this.members.add(proc.key);
      total += proc.ticks;
    }
    this.best = Math.max(this.best, total);
  }

  /** CPU seconds of the tree (the largest sum sampled), undefined without /proc. */
  seconds(): number | undefined {
    return this.available ? this.best / TICKS_PER_S : undefined;
  }
}
