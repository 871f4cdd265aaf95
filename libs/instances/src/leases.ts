import { processStartTime } from '@hypernode/port-inspect';
import { CheckoutRunningError, NoFreeSlotError, SlotTakenError } from './errors.js';
import { leaseFilePath, type Lease, type LeaseState } from './lease-file.js';
import { isLeaseLive } from './liveness.js';
import { updateLeases } from './lock.js';

/** Highest slot (matches @hypernode/ports MAX_INSTANCE: every shifted port stays below 20000). */
export const MAX_SLOT = 99;

/** What a lease is taken for. */
export interface AcquireOptions {
  /** Absolute checkout path (workspace root). */
  path: string;
  /** The process the lease lives with; default this one. */
  pid?: number;
  /** A pinned slot (HYPERNODE_INSTANCE=N); refused when another live checkout holds it. */
  pinned?: number;
  /** Names the pin in errors; default HYPERNODE_INSTANCE. */
  pinnedBy?: string;
  /**
   * Says why a free slot cannot be used anyway (e.g. its ports are held by a process that took
   * no lease); a reason skips it. Not asked for a pinned slot: the caller checks its ports.
   */
  unusable?: (slot: number) => string | undefined;
  /** Lease file; default leaseFilePath(). */
  file?: string;
}

/** A taken lease, and whether this call took it or joined one the same process tree already held. */
export interface Acquired {
  lease: Lease;
  /** True when the lease existed already for this checkout and `pid` (the caller must not release it). */
  joined: boolean;
  /** Stale leases this call dropped. */
  reclaimed: Lease[];
}

function pickSlot(state: LeaseState, live: Lease[], options: AcquireOptions): number | undefined {
  const held = new Set(live.map((l) => l.slot));
  const usable = (slot: number) => !held.has(slot) && !options.unusable?.(slot);
  const previous = state.lastSlot[options.path];
  if (previous !== undefined && usable(previous)) return previous;
  for (let slot = 0; slot <= MAX_SLOT; slot++) if (usable(slot)) return slot;
  return undefined;
}

/**
 * Takes a slot for a checkout under the lease file's lock: the pinned one if given (refused
 * when another live checkout holds it), else the checkout's previous slot when free, else the
 * lowest free one. Stale leases (dead pid, or a pid now belonging to a process started later)
 * are dropped on the way. A checkout runs at most one unpinned stack: a second unpinned taker
 * for the same path under another live pid is refused naming it (pinned runs, e.g. tests, may
 * sit beside it on their own slots); the same pid joins its lease.
 */
export async function acquireSlot(options: AcquireOptions): Promise<Acquired> {
  const file = options.file ?? leaseFilePath();
  const pid = options.pid ?? process.pid;
  const startTime = processStartTime(pid);
  return updateLeases(file, (state) => {
    const reclaimed = state.leases.filter((l) => !isLeaseLive(l));
    const live = state.leases.filter((l) => !reclaimed.includes(l));
    // Only an unpinned take moves the checkout's remembered slot.
    const keep = (result: Acquired, leases: Lease[]) => ({
      state: { leases, lastSlot: options.pinned === undefined ? { ...state.lastSlot, [result.lease.path]: result.lease.slot } : state.lastSlot },
      result,
    });
    const mine = live.find((l) => l.path === options.path && l.pid === pid && (options.pinned === undefined || l.slot === options.pinned));
    if (mine) return keep({ lease: mine, joined: true, reclaimed }, live);
    const running = live.find((l) => l.path === options.path && !l.pinned);
    if (options.pinned === undefined && running) throw new CheckoutRunningError(running.path, running.slot, running.pid);
    let slot: number | undefined;
    if (options.pinned !== undefined) {
      const holder = live.find((l) => l.slot === options.pinned);
      if (holder) throw new SlotTakenError(options.pinned, holder, options.pinnedBy ?? 'HYPERNODE_INSTANCE');
      slot = options.pinned;
    } else {
      slot = pickSlot(state, live, options);
      if (slot === undefined) throw new NoFreeSlotError(file);
    }
    const lease: Lease = { slot, path: options.path, pid, ...(startTime ? { startTime } : {}), started: new Date().toISOString(), ...(options.pinned !== undefined ? { pinned: true } : {}) };
    return keep({ lease, joined: false, reclaimed }, [...live, lease].sort((a, b) => a.slot - b.slot));
  });
}

/** Releases a lease this process took (matched by slot, path and pid); true when it was there. */
export async function releaseSlot(lease: Pick<Lease, 'slot' | 'path' | 'pid'>, file: string = leaseFilePath()): Promise<boolean> {
  return updateLeases(file, (state) => {
    const leases = state.leases.filter((l) => !(l.slot === lease.slot && l.path === lease.path && l.pid === lease.pid));
    return { state: { ...state, leases }, result: leases.length !== state.leases.length };
  });
}

/** Drops the stale leases (re-checked under the lock) and returns them; live ones stay. */
export async function pruneStale(file: string = leaseFilePath()): Promise<Lease[]> {
  return updateLeases(file, (state) => {
    const stale = state.leases.filter((l) => !isLeaseLive(l));
    return { state: { ...state, leases: state.leases.filter((l) => !stale.includes(l)) }, result: stale };
  });
}
