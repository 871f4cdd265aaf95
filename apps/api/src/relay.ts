import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { eventStreamKey, type HypernodeEvent } from '@hypernode/events';
import { withTransaction } from '@hypernode/store';

/** Advisory lock held by the one relay (of however many api instances) that publishes. */
const RELAY_LOCK = 0x48_4e_52_4c; // "HNRL"
/** Events kept on the stream for resuming clients. */
export const STREAM_BACKLOG = 100_000;

/** Publishes the outbox to the Redis stream, in id order, at least once (re-publishing is a no-op). */
export interface OutboxRelay {
  /** One pass now; resolves to the number of events published. */
  flush(): Promise<number>;
  /** Stops polling and waits for a pass in flight. */
  stop(): Promise<void>;
}

/**
 * Starts the relay: every `intervalMs` it takes unpublished outbox rows (only one instance at
 * a time, via an advisory lock), XADDs each with stream id `<event id>-0` — so clients resume
 * by event id — and stamps them published in the same transaction. A crash between XADD and
 * the stamp re-publishes on the next pass; Redis refuses the repeated id, which counts as done.
 */
export function startRelay(deps: { pool: Pool; redis: Redis; prefix: string; intervalMs?: number; onError?: (error: Error) => void }): OutboxRelay {
  const key = eventStreamKey(deps.prefix);
  let running: Promise<number> | undefined;
  let stopped = false;

  const pass = () =>
    withTransaction(deps.pool, async (client) => {
      const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [RELAY_LOCK]);
      if (!lock.rows[0]!.ok) return 0;
      const { rows } = await client.query<{ id: string; type: HypernodeEvent['type']; topics: string[]; data: HypernodeEvent['data']; created_at: Date }>(
        'SELECT id, type, topics, data, created_at FROM events WHERE published_at IS NULL ORDER BY id LIMIT 200',
      );
      for (const row of rows) {
        const event: HypernodeEvent = { id: row.id, type: row.type, topics: row.topics, at: row.created_at.toISOString(), data: row.data };
        try {
          await deps.redis.xadd(key, 'MAXLEN', '~', String(STREAM_BACKLOG), `${row.id}-0`, 'event', JSON.stringify(event));
        } catch (error) {
          if (!/equal or smaller than the target stream top item/.test((error as Error).message)) throw error;
        }
      }
      if (rows.length > 0) await client.query('UPDATE events SET published_at = now() WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
      return rows.length;
    });

  const flush = () => (running ??= pass().finally(() => (running = undefined)));
  const tick = async () => {
    if (stopped) return;
    try {
      while ((await flush()) > 0 && !stopped);
    } catch (error) {
      deps.onError?.(error as Error);
    }
    if (!stopped) timer = setTimeout(tick, deps.intervalMs ?? 100);
  };
  let timer = setTimeout(tick, 0);
  return {
    flush,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
