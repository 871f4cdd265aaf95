import pidtree from 'pidtree';
import pidusage from 'pidusage';

/** CPU (percent of one core, summed) and resident memory of a process and all its descendants. */
export interface TreeUsage {
  cpuPercent: number;
  memoryBytes: number;
}

/**
 * Samples a whole process tree: pidtree lists the descendants, pidusage reads each one's CPU
 * (since its previous sample) and RSS. Processes that exit between the two steps are skipped.
 * Undefined when the root is gone.
 */
export async function sampleTree(rootPid: number): Promise<TreeUsage | undefined> {
  let pids: number[];
  try {
    pids = await pidtree(rootPid, { root: true });
  } catch {
    return undefined;
  }
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
