import type { Pool } from 'pg';
import { pruneEvents, takeNodesOffline } from '@hypernode/store';

/**
 * The `node-watchdog` workflow: nodes whose last heartbeat is older than `staleS` go offline
 * and their scheduled or running deployments go back to the queue.
 */
export async function runNodeWatchdog(pool: Pool, staleS: number, log: (line: string) => void): Promise<{ offline: string[] }> {
  const offline = await takeNodesOffline(pool, { staleSeconds: staleS });
  if (offline.length > 0) log(`node-watchdog: ${offline.map((n) => n.name).join(', ')} missed heartbeats; offline, deployments rescheduled`);
  return { offline: offline.map((n) => n.name) };
}

/**
 * The `prune-events` workflow: deletes published events older than `keepS` seconds, always
 * keeping the newest `keepLast` (the replay window the relay and realtime rely on).
 */
export async function runPruneEvents(pool: Pool, keep: { keepS: number; keepLast: number }, log: (line: string) => void): Promise<{ deleted: number }> {
  const deleted = await pruneEvents(pool, { olderThanS: Math.floor(keep.keepS), keepLast: Math.floor(keep.keepLast) });
  if (deleted > 0) log(`prune-events: deleted ${deleted} published events older than ${keep.keepS} s`);
  return { deleted };
}
