import pg from 'pg';
import { Redis } from 'ioredis';
import type { Scope } from '@hypernode/auth';
import { createTestDatabase, testRedisPrefix } from '@hypernode/testing';
import { buildApp } from '../src/app.js';
import { loadConfig, type ApiConfig } from '../src/config.js';
import { createApiKey, createJoinToken, migrate } from '@hypernode/store';

/** `Authorization: Bearer <secret>` headers. */
export const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

/** An API on its own database and Redis prefix, built and ready, with keys of each scope; `close()` removes everything. */
export async function startTestApi(overrides: Partial<ApiConfig> = {}) {
  const db = await createTestDatabase();
  const keys = testRedisPrefix();
  await migrate(db.url);
  const pool = new pg.Pool({ connectionString: db.url, max: 5 });
  pool.on('error', () => undefined); // dropping the test database ends idle connections
  const redis = new Redis(keys.url);
  await redis.ping(); // ready before the first request: the rate limit skips a Redis that is not
  const config: ApiConfig = { ...loadConfig({}), databaseUrl: db.url, redisUrl: keys.url, redisPrefix: keys.prefix, ...overrides };
  const app = buildApp({ config, pool, redis });
  await app.ready();
  /** A new API key with these scopes (`expiresAt` in the past makes an expired one). */
  const mintKey = async (scopes: Scope[], options: { name?: string; expiresAt?: Date } = {}) => (await createApiKey(pool, { name: options.name ?? scopes.join('+'), scopes, expiresAt: options.expiresAt })).key;
  const as = { admin: bearer(await mintKey(['admin'])), deploy: bearer(await mintKey(['deploy'])), read: bearer(await mintKey(['read'])) };
  /** Registers a node through POST /nodes with a fresh join token; returns it with its credential's headers. */
  const registerNode = async (name: string, body: Partial<{ gpuModel: string; vramGb: number; workerUrl: string }> = {}) => {
    const { token } = await createJoinToken(pool, { uses: 1, ttlS: 600 });
    const res = await app.inject({ method: 'POST', url: '/nodes', headers: bearer(token), payload: { name, gpuModel: 'SIM', vramGb: 80, workerUrl: 'http://127.0.0.1:1/', ...body } });
    if (res.statusCode !== 201) throw new Error(`registering node ${name} answered ${res.statusCode}: ${res.body}`);
    const registered = res.json() as { node: { id: string; name: string }; credential: string; dispatchSecret: string };
    return { ...registered, id: registered.node.id, auth: bearer(registered.credential) };
  };
  return {
    app,
    pool,
    redis,
    config,
    /** Headers of an admin, a deploy and a read key. */
    as,
    mintKey,
    registerNode,
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

/** A running test API. */
export type TestApi = Awaited<ReturnType<typeof startTestApi>>;
