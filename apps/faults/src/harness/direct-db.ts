import pg from 'pg';
import type { PgServer } from './pg-server.js';

/**
 * A pg Pool straight to a scenario's PostgreSQL (bypassing the proxy), for set-up and checks
 * the services have no route for. Every wait is bounded: connect, statement and query.
 * The caller ends it (`pool.end()`).
 */
export function directPool(server: PgServer, options: { max?: number; queryMs?: number } = {}): pg.Pool {
  const queryMs = options.queryMs ?? 10_000;
  const pool = new pg.Pool({
    connectionString: server.url(),
    max: options.max ?? 4,
    connectionTimeoutMillis: 5000,
    query_timeout: queryMs,
    statement_timeout: queryMs,
    idleTimeoutMillis: 5000,
  });
  pool.on('error', () => undefined);
  return pool;
}

/**
 * PostgreSQL's own count of deadlocks (40P01) detected in the scenario's database since it was
 * created. Backends report it when they end or flush their statistics: read it after the
 * services that ran the transactions have exited (or waited ≥ 1 s idle).
 */
export async function deadlocksDetected(server: PgServer): Promise<number> {
  const pool = directPool(server, { max: 1 });
  try {
    const { rows } = await pool.query<{ n: string }>('SELECT deadlocks::text AS n FROM pg_stat_database WHERE datname = current_database()');
    return Number(rows[0]?.n ?? 0);
  } finally {
    await pool.end();
  }
}
