import pg from 'pg';
import { Redis, type RedisOptions } from 'ioredis';

/** How long a service waits on its dependencies; every wait is bounded. */
export interface DependencyTimeouts {
  /** Waiting for a PostgreSQL connection (new, or a free one from the pool). */
  pgConnectMs: number;
  /** One PostgreSQL query, client side (covers a server that stopped answering). */
  pgQueryMs: number;
  /** One statement, server side (`statement_timeout`). */
  pgStatementMs: number;
  /** A transaction left idle by a client that went away (`idle_in_transaction_session_timeout`). */
  pgIdleInTransactionMs: number;
  /** Connecting to Redis. */
  redisConnectMs: number;
  /** One Redis command. */
  redisCommandMs: number;
}

/** Defaults sized so an outage becomes a 503 within about a second. */
export const DEFAULT_TIMEOUTS: DependencyTimeouts = {
  pgConnectMs: 1000,
  pgQueryMs: 1500,
  // Below the client's own bound: a statement whose client gave up must not go on holding locks.
  pgStatementMs: 1400,
  pgIdleInTransactionMs: 10_000,
  redisConnectMs: 1000,
  redisCommandMs: 500,
};

/**
 * A PostgreSQL pool with every wait bounded. An idle connection the server drops is logged, not
 * fatal: the next query opens a new one.
 */
export function createPgPool(connectionString: string, options: { max?: number; timeouts?: Partial<DependencyTimeouts>; log?: (line: string) => void } = {}): pg.Pool {
  const t = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: t.pgConnectMs,
    query_timeout: t.pgQueryMs,
    statement_timeout: t.pgStatementMs,
    idle_in_transaction_session_timeout: t.pgIdleInTransactionMs,
    keepAlive: true,
  });
  pool.on('error', (error) => options.log?.(`idle PostgreSQL connection lost (${error.message})`));
  // pg-pool listens for errors on idle clients only: a connection the server ends while a client
  // is checked out (PostgreSQL restarted mid-transaction) would emit an unhandled 'error' and kill
  // the process. The query in flight fails on its own; this listener only keeps the process up.
  pool.on('connect', (client) => client.on('error', (error) => options.log?.(`PostgreSQL connection in use lost (${error.message})`)));
  return pool;
}

/**
 * ioredis options for a request path: a command fails within `redisCommandMs` instead of
 * queueing while Redis is away (no offline queue: a request should get its 503 now, not a
 * reply from a Redis that comes back after the client gave up), one retry at most, and
 * reconnects forever with a capped delay.
 */
export function redisOptions(timeouts: Partial<DependencyTimeouts> = {}): RedisOptions {
  const t = { ...DEFAULT_TIMEOUTS, ...timeouts };
  return {
    connectTimeout: t.redisConnectMs,
    commandTimeout: t.redisCommandMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    keepAlive: 1000,
    retryStrategy: (attempt) => Math.min(100 * attempt, 1000),
  };
}

/** A Redis client with redisOptions and a watchdog; `close()` stops both. */
export interface WatchedRedis {
  redis: Redis;
  close(): void;
}

/**
 * A Redis client for request paths, plus a watchdog: a connection that stops answering (packets
 * dropped, a half-open socket) is never noticed by TCP in time, so a PING every `everyMs` that
 * fails three times in a row — or a connection stuck short of ready — forces a reconnect. (Three,
 * not one: a busy event loop makes a ping time out while its answer waits in the socket.)
 */
export function createRedis(url: string, options: { timeouts?: Partial<DependencyTimeouts>; everyMs?: number; log?: (line: string) => void; autoPipelining?: boolean } = {}): WatchedRedis {
  // autoPipelining: the commands issued in one tick go out as one write (ioredis' enableAutoPipelining);
  // for a connection shared by concurrent requests, never for one that blocks (XREAD BLOCK, BLPOP).
  const redis = new Redis(url, { ...redisOptions(options.timeouts), lazyConnect: false, enableAutoPipelining: options.autoPipelining ?? false });
  redis.on('error', () => undefined); // /ready reports it; the watchdog and ioredis reconnect
  let misses = 0;
  let notReadySince: number | undefined;
  const everyMs = options.everyMs ?? 1000;
  const timer = setInterval(() => {
    if (redis.status === 'end') return;
    if (redis.status !== 'ready') {
      notReadySince ??= Date.now();
      if (Date.now() - notReadySince > 3 * everyMs && redis.status !== 'reconnecting') {
        options.log?.(`redis: no ready connection for ${Date.now() - notReadySince} ms; reconnecting`);
        notReadySince = Date.now();
        redis.disconnect(true);
      }
      return;
    }
    notReadySince = undefined;
    redis.ping().then(
      () => (misses = 0),
      () => {
        misses += 1;
        if (misses >= 3) {
          options.log?.('redis: three pings in a row unanswered; reconnecting');
          misses = 0;
          redis.disconnect(true);
        }
      },
    );
  }, everyMs);
  timer.unref();
  return {
    redis,
    close: () => {
      clearInterval(timer);
      redis.disconnect();
    },
  };
}
