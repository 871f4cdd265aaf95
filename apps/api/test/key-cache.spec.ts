import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '@hypernode/store';
import type { FastifyInstance } from 'fastify';
import { bearer, startTestApi, type TestApi } from './harness.js';

// The cache of resolved API keys and its revocation bound (apps/api/src/plugins/key-lookup.ts):
// announced revocations stop a key on every instance at once; any other within keyCacheMs.
const TTL_MS = 400;
let api: TestApi;
let twin: FastifyInstance;

/** Bounded wait for a condition (never a timing assertion: it only fails when it never happens). */
async function until(what: string, probe: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const list = (app: FastifyInstance, key: string) => app.inject({ method: 'GET', url: '/deployments?limit=1', headers: bearer(key) });

beforeAll(async () => {
  api = await startTestApi({ rateLimitMax: 1_000_000, keyCacheMs: TTL_MS });
  // The twin keeps keys for a minute: only the announcement can stop a key there in this test.
  twin = await api.twin({ keyCacheMs: 60_000 });
  await until('both instances subscribed to key revocations', () => api.app.keyLookup.live() && twin.keyLookup.live());
});
afterAll(async () => {
  await twin?.close();
  await api?.close();
});

describe('API key cache', () => {
  it('a key used again within the bound is not looked up in PostgreSQL again', async () => {
    const { key } = await createApiKey(api.pool, { name: 'cached', scopes: ['read'] });
    expect((await list(api.app, key)).statusCode).toBe(200);
    const queries: string[] = [];
    const original = api.pool.query.bind(api.pool);
    api.pool.query = ((text: unknown, ...rest: unknown[]) => {
      queries.push(typeof text === 'string' ? text : String((text as { text?: string }).text));
      return (original as (...a: unknown[]) => unknown)(text, ...rest);
    }) as typeof api.pool.query;
    try {
      expect((await list(api.app, key)).statusCode).toBe(200);
    } finally {
      api.pool.query = original as typeof api.pool.query;
    }
    expect(queries.filter((q) => q.includes('FROM api_keys'))).toEqual([]);
  });

  it('a key revoked through the api stops at once there and on every other instance', async () => {
    const { id, key } = await createApiKey(api.pool, { name: 'announced', scopes: ['read'] });
    expect((await list(api.app, key)).statusCode).toBe(200);
    expect((await list(twin, key)).statusCode).toBe(200);
    expect(twin.keyLookup.cache.size).toBeGreaterThan(0);
    expect((await api.app.inject({ method: 'POST', url: `/keys/${id}/revoke`, headers: api.as.admin })).statusCode).toBe(204);
    expect((await list(api.app, key)).statusCode).toBe(401);
    // The announcement crosses Redis (bounded wait; the twin's own bound is a minute).
    await until('the twin refuses the revoked key', async () => (await list(twin, key)).statusCode === 401);
    expect((await list(twin, key)).json().message).toMatch(/the API key is revoked/);
  });

  it('a revocation nobody announced (CLI, SQL) stops the key once keyCacheMs has passed', async () => {
    const { id, key } = await createApiKey(api.pool, { name: 'silent', scopes: ['read'] });
    expect((await list(api.app, key)).statusCode).toBe(200);
    await revokeApiKey(api.pool, id);
    await new Promise((r) => setTimeout(r, TTL_MS + 20));
    expect((await list(api.app, key)).statusCode).toBe(401);
  });

  it('with the cache off (keyCacheMs 0) every request resolves its key in PostgreSQL', async () => {
    const off = await api.twin({ keyCacheMs: 0 });
    try {
      const { id, key } = await createApiKey(api.pool, { name: 'uncached', scopes: ['read'] });
      expect((await list(off, key)).statusCode).toBe(200);
      await revokeApiKey(api.pool, id);
      expect((await list(off, key)).statusCode).toBe(401);
      expect(off.keyLookup.live()).toBe(false);
    } finally {
      await off.close();
    }
  });
});
