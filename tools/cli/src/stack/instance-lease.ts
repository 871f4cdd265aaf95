import { findListeners } from '@hypernode/port-inspect';
import { acquireSlot, leaseFilePath, releaseSlot, type Lease } from '@hypernode/instances';
import { isShiftedKind, listServices, type ResolveOptions } from '@hypernode/ports';

/** A lease this command holds (or joined), and how to let it go. */
export interface HeldInstance {
  slot: number;
  lease: Lease;
  /** Releases the lease if this command took it (a joined lease belongs to its taker). */
  release: () => Promise<void>;
}

/** Why a slot cannot be used although no lease holds it: one of its app ports (or the supervisor's) is taken. */
export function slotPortsHeld(slot: number, resolve: ResolveOptions): string | undefined {
  const ports = listServices({ ...resolve, instance: slot }).filter((s) => isShiftedKind(s.kind)).map((s) => s.port);
  const held = [...findListeners(ports).keys()];
  return held.length > 0 ? `port${held.length > 1 ? 's' : ''} ${held.join(', ')} in use` : undefined;
}

/**
 * Takes this checkout's instance slot for `owner` (the process the stack lives in): the pinned
 * one, else its previous slot, else the lowest free one whose app ports are free too. Logs
 * the slot, the lease file and any stale lease it reclaimed.
 */
export async function takeInstance(options: { root: string; owner: number; pinned?: number; pinnedBy?: string; resolve: ResolveOptions; log: (line: string) => void }): Promise<HeldInstance> {
  const file = leaseFilePath(options.resolve.env);
  const { lease, joined, reclaimed } = await acquireSlot({
    file,
    path: options.root,
    pid: options.owner,
    pinned: options.pinned,
    pinnedBy: options.pinnedBy,
    unusable: (slot) => slotPortsHeld(slot, options.resolve),
  });
  for (const stale of reclaimed) options.log(`reclaimed the stale lease of instance ${stale.slot} (${stale.path}, pid ${stale.pid} is gone)`);
  if (!joined) options.log(`instance ${lease.slot}${options.pinned === undefined ? '' : ` (pinned by ${options.pinnedBy ?? 'HYPERNODE_INSTANCE'})`}: leased for pid ${lease.pid} in ${file}`);
  return {
    slot: lease.slot,
    lease,
    release: async () => {
      if (!joined) await releaseSlot(lease, file);
    },
  };
}
