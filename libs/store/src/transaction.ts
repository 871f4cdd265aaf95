import type { Pool, PoolClient } from 'pg';
import { topicsFor, type EventPayloads, type EventType } from '@hypernode/events';

/** Runs `work` in one transaction; rolls back on any error. */
export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Advisory lock key that orders outbox writers (see recordEvent). */
const OUTBOX_WRITE_LOCK = 0x48_4e_4f_42; // "HNOB"

/**
 * Appends an event to the outbox inside the caller's transaction. Writers take a
 * transaction-scoped advisory lock first, so events commit in id order and the relay never
 * sees id 5 before id 4 — which keeps the stream's ids monotonic without gaps filled late.
 */
export async function recordEvent<T extends EventType>(client: PoolClient, type: T, data: EventPayloads[T]): Promise<string> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [OUTBOX_WRITE_LOCK]);
  const { rows } = await client.query<{ id: string }>('INSERT INTO events (type, topics, data) VALUES ($1, $2, $3) RETURNING id', [type, topicsFor(type, data), JSON.stringify(data)]);
  return rows[0]!.id;
}
