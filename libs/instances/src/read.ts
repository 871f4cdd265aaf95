import { leaseFilePath, readLeases, type Lease } from './lease-file.js';
import { isLeaseLive } from './liveness.js';

/** A lease and its live state, read now. */
export interface LeaseStatus extends Lease {
  live: boolean;
}

/** Every recorded lease with its live state now (no lock: writes are atomic). */
export function listLeases(file: string = leaseFilePath()): LeaseStatus[] {
  return readLeases(file).leases.map((l) => ({ ...l, live: isLeaseLive(l) }));
}

/** The live lease of a checkout, if it runs (its unpinned one first: a pinned run beside it is a test or a deliberate extra). */
export function liveLeaseOf(path: string, file: string = leaseFilePath()): Lease | undefined {
  const live = listLeases(file).filter((l) => l.live && l.path === path);
  return live.find((l) => !l.pinned) ?? live[0];
}

/**
 * The live lease of a checkout held by one of `pids` (a process and its ancestors, see
 * lineage()): how a task of a run finds the slot its run leased, even when the same checkout
 * runs another, pinned, stack beside it.
 */
export function leaseOfRun(path: string, pids: readonly number[], file: string = leaseFilePath()): Lease | undefined {
  return listLeases(file).find((l) => l.live && l.path === path && pids.includes(l.pid));
}
