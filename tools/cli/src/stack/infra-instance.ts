import { leaseFilePath, leaseOfRun, lineage, liveLeaseOf, nxAncestor } from '@hypernode/instances';
import { parseInstance, resolveSettings, type ResolveOptions } from '@hypernode/ports';
import type { CommonOptions } from '../common.js';
import { takeInstance, type HeldInstance } from './instance-lease.js';

/** The explicit pin, if any: --instance, else HYPERNODE_INSTANCE. */
export function pinnedInstance(options: CommonOptions, env: NodeJS.ProcessEnv = process.env): { pinned?: number; pinnedBy?: string } {
  if (options.instance !== undefined) return { pinned: parseInstance(options.instance, '--instance'), pinnedBy: '--instance' };
  if (env.HYPERNODE_INSTANCE) return { pinned: parseInstance(env.HYPERNODE_INSTANCE), pinnedBy: 'HYPERNODE_INSTANCE' };
  return {};
}

/**
 * The instance the infra task prepares:
 * - under `hypernode up` (or any run that leased already): the lease an ancestor process holds;
 * - under a bare Nx run: a lease taken for the Nx process (its nearest Nx ancestor), so it lasts
 *   the whole run and every serve task finds it (the serve executor reads the checkout's live
 *   lease); a dead Nx leaves a stale lease that the next start reclaims;
 * - run by hand: the pin, else this checkout's live lease, else 0 (no lease: nothing outlives it).
 */
export async function infraInstance(root: string, options: CommonOptions, resolve: ResolveOptions, log: (line: string) => void): Promise<HeldInstance | { slot: number; release: () => Promise<void> }> {
  const env = resolve.env ?? process.env;
  const { pinned, pinnedBy } = pinnedInstance(options, env);
  const file = leaseFilePath(env);
  const ours = leaseOfRun(root, lineage(), file);
  if (ours) return { slot: ours.slot, release: async () => undefined };
  const owner = nxAncestor();
  if (owner !== undefined) return takeInstance({ root, owner, pinned, pinnedBy, resolve, log });
  return { slot: pinned ?? liveLeaseOf(root, file)?.slot ?? resolveSettings(resolve).instance, release: async () => undefined };
}
