import pg from 'pg';
import { Redis } from 'ioredis';
import { createTestDatabase, testRedisPrefix } from '@hypernode/testing';
import { buildApp } from '../src/app.js';
import { loadConfig, type ApiConfig } from '../src/config.js';
import { migrate } from '@hypernode/store';

/** The worker token test APIs accept. */
export const TEST_TOKEN = 'test-worker-token-0123456789';

/** An API on its own database and Redis prefix, built and ready; `close()` removes everything. */
export async function startTestApi(overrides: Partial<ApiConfig> = {}) {
  const db = await createTestDatabase();
  const keys = testRedisPrefix();
  await migrate(db.url);
  const pool = new pg.Pool({ connectionString: db.url, max: 5 });
  pool.on('error', () => undefined); // dropping the test database ends idle connections
  const redis = new Redis(keys.url);
  await redis.ping(); // ready before the first request: the rate limit skips a Redis that is not
  const config: ApiConfig = { ...loadConfig({}), databaseUrl: db.url, redisUrl: keys.url, redisPrefix: keys.prefix, workerToken: TEST_TOKEN, ...overrides };
  const app = buildApp({ config, pool, redis });
  await app.ready();
  return {
    app,
    pool,
    redis,
    config,
    /** Another API instance on the same database and Redis (for cross-instance behaviour). */
    twin: async (extra: Partial<ApiConfig> = {}) => {
      const other = buildApp({ config: { ...config, ...extra }, pool, redis });
      await other.ready();
      return other;
    },
    close: async () => {
      await app.close();
      await pool.end();
      redis.disconnect();
      await db.drop();
      await keys.cleanup();
    },
  };
}
