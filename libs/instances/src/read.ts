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

/** The live lease of a checkout, if it runs. */
export function liveLeaseOf(path: string, file: string = leaseFilePath()): Lease | undefined {
  return listLeases(file).find((l) => l.live && l.path === path);
}
