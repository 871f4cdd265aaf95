// Baseline: bare Fastify (no plugin, no logger) answering GET /health like the api does, and —
// with DATABASE_URL — GET /deployments running the api's list query on a pg pool of the same size.
import Fastify from 'fastify';
import pg from 'pg';
import { pageSql } from '@hypernode/store';

const app = Fastify();
app.get('/health', async () => ({ status: 'ok', service: 'bare-fastify' }));
if (process.env.DATABASE_URL) {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.BASELINE_POOL_MAX ?? 10) });
  // Exactly the statement the store's listDeployments runs for a first page without a filter
  // (its columns, timestamps formatted by PostgreSQL), the rows sent as pg returns them.
  const sql = pageSql('deployments', [], 1);
  app.get('/deployments', async (request) => {
    const limit = Number((request.query as { limit?: string }).limit ?? 20);
    const { rows } = await pool.query(sql, [limit + 1]);
    return { items: rows.slice(0, limit), nextCursor: rows.length > limit ? 'next' : null };
  });
}
await app.listen({ host: '127.0.0.1', port: Number(process.env.BASELINE_PORT) });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
