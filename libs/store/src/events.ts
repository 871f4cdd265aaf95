import type { Pool } from 'pg';

/** pruneEvents was given a bound that is not a non-negative integer. */
export class PruneArgumentError extends Error {
  readonly code = 'E_PRUNE_ARGUMENT';
}

/** Rows deleted per statement, so a large prune never holds one long transaction. */
const PRUNE_BATCH = 5000;

/**
 * Deletes PUBLISHED outbox events older than `olderThanS` seconds, always keeping the newest
 * `keepLast` events (published or not) — keep at least the relay's replay window, since the
 * relay re-seeds the stream from these. Unpublished events are never deleted. Returns how many
 * were deleted.
 */
export async function pruneEvents(pool: Pool, options: { olderThanS: number; keepLast: number }): Promise<number> {
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isSafeInteger(value) || value < 0) throw new PruneArgumentError(`pruneEvents: ${name} is ${String(value)}; pass a whole number ≥ 0`);
  }
  // The (keepLast+1)-th newest id: everything above it is kept whatever its age.
  const bound = await pool.query<{ id: string | null }>('SELECT (SELECT id FROM events ORDER BY id DESC OFFSET $1 LIMIT 1) AS id', [options.keepLast]);
  const maxId = bound.rows[0]?.id;
  if (maxId == null) return 0;
  let deleted = 0;
  for (;;) {
    const { rowCount } = await pool.query(
      `DELETE FROM events WHERE id IN (
         SELECT id FROM events WHERE id <= $1 AND published_at IS NOT NULL AND created_at < now() - make_interval(secs => $2) ORDER BY id LIMIT $3)`,
      [maxId, options.olderThanS, PRUNE_BATCH],
    );
    deleted += rowCount ?? 0;
    if ((rowCount ?? 0) < PRUNE_BATCH) return deleted;
  }
}
