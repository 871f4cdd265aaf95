// Spawned by preload.spec.ts as `node --import tsx --import @hypernode/telemetry/preload <this>`:
// an ESM app importing pg, ioredis, pino and fastify the way the services do. It serves
// GET /work (a pg query, a Redis PING, a pino line) and GET /health, prints its URL, then waits.
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';
import pino from 'pino';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 3000 });
const redis = new Redis(process.env.REDIS_URL!, { connectTimeout: 3000, maxRetriesPerRequest: 1 });
const log = pino();
const app = Fastify();
app.get('/health', async () => {
  await pool.query('SELECT 2');
  return { ok: true };
});
app.get('/work', async () => {
  await pool.query('SELECT 1 AS one');
  await redis.ping();
  log.info('work done');
  return { ok: true };
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`LISTENING ${url}`);
const stop = async () => {
  await app.close();
  await pool.end();
  redis.disconnect();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
