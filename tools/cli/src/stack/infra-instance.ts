import { liveLeaseOf, leaseFilePath, nxAncestor } from '@hypernode/instances';
import { parseInstance, resolveSettings, type ResolveOptions } from '@hypernode/ports';
import type { CommonOptions } from '../common.js';
import { takeInstance, type HeldInstance } from './instance-lease.js';

/** Set by `hypernode up` for its tasks: the pid that holds the checkout's lease (the infra task joins it). */
export const LEASE_PID_ENV = 'HYPERNODE_LEASE_PID';

/** The explicit pin, if any: --instance, else HYPERNODE_INSTANCE. */
export function pinnedInstance(options: CommonOptions, env: NodeJS.ProcessEnv = process.env): { pinned?: number; pinnedBy?: string } {
  if (options.instance !== undefined) return { pinned: parseInstance(options.instance, '--instance'), pinnedBy: '--instance' };
  if (env.HYPERNODE_INSTANCE) return { pinned: parseInstance(env.HYPERNODE_INSTANCE), pinnedBy: 'HYPERNODE_INSTANCE' };
  return {};
}

/**
 * The instance the infra task prepares:
 * - under `hypernode up`: the slot up leased (HYPERNODE_INSTANCE, lease held by HYPERNODE_LEASE_PID);
 * - under a bare Nx run: a lease taken for the Nx process (its nearest Nx ancestor), so it lasts
 *   the whole run and every serve task finds it (the serve executor reads the checkout's live
 *   lease); a dead Nx leaves a stale lease that the next start reclaims;
 * - run by hand: the pin, else this checkout's live lease, else 0 (no lease: nothing outlives it).
 */
export async function infraInstance(root: string, options: CommonOptions, resolve: ResolveOptions, log: (line: string) => void): Promise<HeldInstance | { slot: number; release: () => Promise<void> }> {
  const env = resolve.env ?? process.env;
  const { pinned, pinnedBy } = pinnedInstance(options, env);
  const upPid = env[LEASE_PID_ENV] ? Number(env[LEASE_PID_ENV]) : undefined;
  const live = liveLeaseOf(root, leaseFilePath(env));
  if (upPid !== undefined && live?.pid === upPid) return { slot: live.slot, release: async () => undefined };
  const owner = nxAncestor();
  if (owner !== undefined) return takeInstance({ root, owner, pinned, pinnedBy, resolve, log });
  return { slot: pinned ?? live?.slot ?? resolveSettings(resolve).instance, release: async () => undefined };
}
