import pg, { type Pool } from 'pg';
import { OUTBOX_CHANNEL } from './outbox.js';

/** A LISTEN connection on OUTBOX_CHANNEL; `close()` is idempotent and bounded. */
export interface OutboxListener {
  close(): Promise<void>;
}

/**
 * LISTENs on OUTBOX_CHANNEL on a connection of its own (the pool's settings, so its connect
 * timeout too) and calls `onNotify` per notification; a lost connection is re-made after 1 s,
 * and the caller's poll covers whatever was committed meanwhile. `close()` is bounded (1 s).
 */
export function listenForOutbox(pool: Pool, onNotify: () => void): OutboxListener {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const again = () => {
    client?.removeAllListeners('notification');
    client = undefined;
    if (!closed) retry ??= setTimeout(() => ((retry = undefined), void connect()), 1000);
  };
  const connect = async () => {
    const c = new pg.Client(pool.options);
    client = c;
    c.on('error', () => (client === c ? again() : undefined));
    c.on('end', () => (client === c ? again() : undefined));
    c.on('notification', onNotify);
    try {
      await c.connect();
      await c.query(`LISTEN ${OUTBOX_CHANNEL}`);
      if (closed) await c.end();
    } catch {
      c.removeAllListeners('end');
      await c.end().catch(() => undefined);
      if (client === c) again();
    }
  };
  void connect();
  return {
    close: async () => {
      closed = true;
      clearTimeout(retry);
      const c = client;
      client = undefined;
      if (c) await Promise.race([c.end().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
    },
  };
}
