import { Redis } from 'ioredis';
import type pg from 'pg';
import { eventStreamKey } from '@hypernode/events';
import type { Stack } from './stack.js';
import { waitFor } from './wait.js';

/** Rows per INSERT of the backlog (one statement each, generate_series on the server). */
const CHUNK = 20_000;

/**
 * Writes `count` unpublished `deployment.updated` events (topic `deployments`) into the outbox
 * the supported way — rows in the events table, which the api's relay publishes to the stream.
 * Each carries `deployment` (a real record, progress varied) as its payload. Returns the
 * first and last id written.
 */
export async function insertEventBacklog(pool: pg.Pool, deployment: Record<string, unknown>, count: number): Promise<{ firstId: bigint; lastId: bigint }> {
  let firstId: bigint | undefined;
  let lastId = 0n;
  for (let done = 0; done < count; done += CHUNK) {
    const n = Math.min(CHUNK, count - done);
    const { rows } = await pool.query<{ first: string; last: string }>(
      `WITH added AS (
         INSERT INTO events (type, topics, data)
         SELECT 'deployment.updated', ARRAY['deployments'],
                jsonb_build_object('deployment', jsonb_set($1::jsonb, '{progress}', to_jsonb(g % 100)), 'from', $1::jsonb->>'status')
           FROM generate_series(1, $2::int) g
         RETURNING id)
       SELECT min(id)::text AS first, max(id)::text AS last FROM added`,
      [JSON.stringify(deployment), n],
    );
    firstId ??= BigInt(rows[0]!.first);
    lastId = BigInt(rows[0]!.last);
  }
  return { firstId: firstId ?? 0n, lastId };
}

/**
 * Waits (bounded by `ms`) until the relay has published every event row: none unpublished and
 * the stream's top is the highest event id. Returns the stream's length and oldest id.
 */
export async function waitStreamPublished(stack: Stack, pool: pg.Pool, ms: number): Promise<{ length: number; oldestId: bigint; topId: bigint }> {
  const redis = new Redis(stack.redis.url(), { maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 5000 });
  redis.on('error', () => undefined);
  const key = eventStreamKey(String(stack.env.HYPERNODE_REDIS_PREFIX));
  try {
    const { rows } = await pool.query<{ max: string }>('SELECT coalesce(max(id), 0)::text AS max FROM events');
    const top = BigInt(rows[0]!.max);
    await waitFor(
      `the relay to publish events up to ${top} to ${key}`,
      async () => {
        const last = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
        const unpublished = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE published_at IS NULL');
        return last[0] !== undefined && BigInt(last[0][0].split('-')[0]!) >= top && unpublished.rows[0]!.n === 0;
      },
      ms,
      250,
    );
    const [length, first] = await Promise.all([redis.xlen(key), redis.xrange(key, '-', '+', 'COUNT', 1)]);
    return { length, oldestId: BigInt(first[0]![0].split('-')[0]!), topId: top };
  } finally {
    redis.disconnect();
  }
}
