import { readdirSync, readFileSync } from 'node:fs';
import pidtree from 'pidtree';
import pidusage from 'pidusage';

/** CPU (percent of one core, summed) and resident memory of a process and all its descendants. */
export interface TreeUsage {
  cpuPercent: number;
  memoryBytes: number;
}

/**
 * Every process's parent, from one pass over /proc/<pid>/stat (Linux). Hand-written because
 * pidtree, the library for this, runs `ps -A` for each call: sampling six services every 2 s
 * spawned three `ps` a second from the supervisor. Measured on two cores: the supervisor of a
 * running stack used 12 % of a core with it, 4.3 % without; during a cold `npm start` its main
 * thread spent 5.2 s of 76 in spawn() alone (0.2 s without), beside the apps starting.
 * Undefined where /proc is not readable (the caller falls back to pidtree).
 */
function parentsFromProc(): Map<number, number> | undefined {
  if (process.platform !== 'linux') return undefined;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const parents = new Map<number, number>();
  for (const entry of entries) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ', 2)[1]);
      if (Number.isInteger(ppid)) parents.set(Number(entry), ppid);
    } catch {
      /* exited meanwhile */
    }
  }
  return parents;
}

/** Each process's children, from a parent map. */
function childrenOf(parents: ReadonlyMap<number, number>): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  return children;
}

/** `root` and its descendants; empty when `root` is not running. */
function descendants(root: number, parents: ReadonlyMap<number, number>, children: ReadonlyMap<number, number[]>): number[] {
  if (!parents.has(root)) return [];
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/**
 * The process trees of `roots`, one /proc pass for all of them on Linux (pidtree elsewhere).
 * A root that is gone maps to an empty list.
 */
export async function processTrees(roots: readonly number[]): Promise<Map<number, number[]>> {
  const parents = parentsFromProc();
  const children = parents && childrenOf(parents);
  const trees = new Map<number, number[]>();
  for (const root of roots) {
    if (parents && children) trees.set(root, descendants(root, parents, children));
    else trees.set(root, await pidtree(root, { root: true }).catch(() => []));
  }
  return trees;
}

/**
 * Samples a whole process tree (`pids`, from processTrees): pidusage reads each one's CPU
 * (since its previous sample) and RSS. Processes that exit meanwhile are skipped. Undefined
 * when none is left.
 */
export async function sampleTree(pids: readonly number[]): Promise<TreeUsage | undefined> {
  let cpuPercent = 0;
  let memoryBytes = 0;
  let seen = 0;
  await Promise.all(
    pids.map(async (pid) => {
      try {
        const stat = await pidusage(pid);
        cpuPercent += stat.cpu;
        memoryBytes += stat.memory;
        seen += 1;
      } catch {
        /* exited meanwhile */
      }
    }),
  );
  return seen === 0 ? undefined : { cpuPercent: Math.round(cpuPercent * 10) / 10, memoryBytes };
}

/** Forgets pidusage's per-pid history (its timers) so a stopped supervisor leaves nothing behind. */
export function clearSamples(): void {
  pidusage.clear();
}
