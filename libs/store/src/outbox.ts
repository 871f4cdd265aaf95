import type { PoolClient } from 'pg';
import type { HypernodeEvent } from '@hypernode/events';
import { commitWith } from './transaction.js';

interface EventRow {
  id: string;
  type: HypernodeEvent['type'];
  topics: string[];
  data: HypernodeEvent['data'];
  created_at: Date;
  traceparent: string | null;
}

const COLUMNS = 'id, type, topics, data, created_at, traceparent';

/**
 * The trace context stored with each outbox event read here (undefined when it was written with
 * tracing off). Kept beside the event, not in it: the event's JSON is what the stream carries and
 * what the relay compares, and stays exactly as before.
 */
const traceparents = new WeakMap<HypernodeEvent, string>();

/** The W3C traceparent the event was written with (see `traceparent` in migration 1764500000000). */
export function traceparentOf(event: HypernodeEvent): string | undefined {
  return traceparents.get(event);
}

/**
 * The channel PostgreSQL notifies when a transaction committed outbox rows (a statement trigger
 * on `events`, migration 1764400000000_outbox-notify.sql): the relay LISTENs on it.
 */
export const OUTBOX_CHANNEL = 'hypernode_outbox';

function toEvent(row: EventRow): HypernodeEvent {
  const event: HypernodeEvent = { id: row.id, type: row.type, topics: row.topics, at: row.created_at.toISOString(), data: row.data };
  if (row.traceparent) traceparents.set(event, row.traceparent);
  return event;
}

/** Unpublished outbox events in id order, at most `limit`, optionally only ids ≤ `maxId`. */
export async function unpublishedEvents(client: PoolClient, limit: number, maxId?: bigint): Promise<HypernodeEvent[]> {
  const { rows } = await client.query<EventRow>(
    `SELECT ${COLUMNS} FROM events WHERE published_at IS NULL AND ($2::bigint IS NULL OR id <= $2) ORDER BY id LIMIT $1`,
    [limit, maxId?.toString() ?? null],
  );
  return rows.map(toEvent);
}

/** Published events with id ≥ `fromId`, in id order, at most `limit` (re-seeding reads the window in pages). */
export async function publishedEventsFrom(client: PoolClient, fromId: bigint, limit: number): Promise<HypernodeEvent[]> {
  const { rows } = await client.query<EventRow>(`SELECT ${COLUMNS} FROM events WHERE published_at IS NOT NULL AND id >= $1 ORDER BY id LIMIT $2`, [fromId.toString(), limit]);
  return rows.map(toEvent);
}

/** The id of the oldest of the newest `window` published events (where a re-seed starts), or undefined when none is published. */
export async function replayWindowStart(client: PoolClient, window: number): Promise<bigint | undefined> {
  const { rows } = await client.query<{ id: string }>(
    `SELECT min(id)::text AS id FROM (SELECT id FROM events WHERE published_at IS NOT NULL ORDER BY id DESC LIMIT $1) w HAVING count(*) > 0`,
    [window],
  );
  return rows[0] ? BigInt(rows[0].id) : undefined;
}

/** Stamps events published (only once they are on the stream). */
export async function markPublished(client: PoolClient, ids: string[]): Promise<void> {
  if (ids.length > 0) await client.query('UPDATE events SET published_at = now() WHERE id = ANY($1::bigint[]) AND published_at IS NULL', [ids]);
}

/**
 * markPublished at the end of the caller's transaction, in its COMMIT's round trip (commitWith):
 * the ids are event ids as PostgreSQL gave them (digits only, checked), written as a literal array.
 */
export function markPublishedAtCommit(client: PoolClient, ids: readonly string[]): void {
  if (ids.length === 0) return;
  const bad = ids.find((id) => !/^[0-9]{1,19}$/.test(id));
  if (bad !== undefined) throw new RangeError(`event id ${JSON.stringify(bad)} is not a bigint: markPublishedAtCommit takes ids read from the events table`);
  commitWith(client, `UPDATE events SET published_at = now() WHERE id = ANY('{${ids.join(',')}}'::bigint[]) AND published_at IS NULL`);
}

/** What the relay checks the stream against: the epoch it last seeded `streamKey` with, and the highest published id (0 when none). */
export async function outboxState(client: PoolClient, streamKey: string): Promise<{ epoch: string | undefined; maxPublished: bigint }> {
  const { rows } = await client.query<{ epoch: string | null; max_published: string | null }>(
    `SELECT (SELECT epoch FROM relay_state WHERE stream_key = $1) AS epoch,
            (SELECT id FROM events WHERE published_at IS NOT NULL ORDER BY id DESC LIMIT 1)::text AS max_published`,
    [streamKey],
  );
  return { epoch: rows[0]?.epoch ?? undefined, maxPublished: BigInt(rows[0]?.max_published ?? 0) };
}

/** Records the epoch `streamKey` was (re)seeded with. */
export async function saveStreamEpoch(client: PoolClient, streamKey: string, epoch: string): Promise<void> {
  await client.query(
    'INSERT INTO relay_state (stream_key, epoch) VALUES ($1, $2) ON CONFLICT (stream_key) DO UPDATE SET epoch = EXCLUDED.epoch, seeded_at = now()',
    [streamKey, epoch],
  );
}
