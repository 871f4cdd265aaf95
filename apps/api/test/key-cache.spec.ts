import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestHex } from '@hypernode/auth';
import { createApiKey, createJoinToken, registerNode, resolveNodeCredential, retireNodeCredential, revokeApiKey, takeNodesOffline } from '@hypernode/store';
import type { FastifyInstance } from 'fastify';
import { bearer, startTestApi, type TestApi } from './harness.js';

// The cache of resolved API keys and node credentials and its revocation bound
// (apps/api/src/plugins/key-lookup.ts): announced revocations stop a credential on every
// instance at once; any other within keyCacheMs.
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
const beat = (app: FastifyInstance, node: { id: string; credential: string }) =>
  app.inject({ method: 'POST', url: `/nodes/${node.id}/heartbeat`, headers: bearer(node.credential), payload: { load: 0, freeVramGb: 1 } });
const registration = (name: string) => ({ name, gpuModel: 'SIM', vramGb: 80, workerUrl: 'http://localhost/' });
/**
 * A node registered in the store, not through POST /nodes: that route announces the node's id,
 * and the announcement arriving after a test's first heartbeat would drop the cache entry the
 * test is about.
 */
async function newNode(name: string): Promise<{ id: string; credential: string }> {
  const { node, credential } = await registerNode(api.pool, registration(name));
  return { id: node.id, credential };
}
/** POST /nodes through `app` with a join token or a node's own credential: the node's new credential. */
async function reRegister(app: FastifyInstance, name: string, secret: string): Promise<{ id: string; credential: string }> {
  const res = await app.inject({ method: 'POST', url: '/nodes', headers: bearer(secret), payload: registration(name) });
  expect(res.statusCode, res.body).toBe(201);
  return { id: res.json().node.id, credential: res.json().credential };
}

/** Runs `act` while recording the text of every query made on the test pool (not on its checked-out clients). */
async function queriesDuring(act: () => Promise<unknown>): Promise<string[]> {
  const queries: string[] = [];
  const original = api.pool.query.bind(api.pool);
  api.pool.query = ((text: unknown, ...rest: unknown[]) => {
    queries.push(typeof text === 'string' ? text : String((text as { text?: string }).text));
    return (original as (...a: unknown[]) => unknown)(text, ...rest);
  }) as typeof api.pool.query;
  try {
    await act();
  } finally {
    api.pool.query = original as typeof api.pool.query;
  }
  return queries;
}

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
    const queries = await queriesDuring(async () => expect((await list(api.app, key)).statusCode).toBe(200));
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

// The same cache for node credentials (`hnn_…`): a node's principal id is its node id, so the
// api ends a credential with `keys.revoked(nodeId)`. The twin (a minute's bound) shows what
// only the cache or the announcement can explain; `api` (TTL_MS) shows the unannounced bound.
describe('node credential cache', () => {
  it("a node's second heartbeat is answered from the cache, with the principal PostgreSQL gives", async () => {
    const node = await newNode('cached-node');
    expect((await beat(twin, node)).statusCode).toBe(200);
    expect(twin.keyLookup.cache.get(digestHex(node.credential))).toEqual((await resolveNodeCredential(api.pool, node.credential)).principal);
    const queries = await queriesDuring(async () => expect((await beat(twin, node)).statusCode).toBe(200));
    expect(queries.filter((q) => q.includes('FROM nodes WHERE credential_hash'))).toEqual([]);
    // Behind the cache's back (SQL, nothing announced): the twin still accepts the credential it
    // cached, which only a cache hit can do — but the beat does not bring a node with a retired
    // credential back online (404, not 401: authenticated, then refused by the heartbeat itself);
    // `api` refuses the credential once its bound has passed.
    expect((await beat(api.app, node)).statusCode).toBe(200);
    await retireNodeCredential(api.pool, node.id);
    const stale = await beat(twin, node);
    expect(stale.statusCode).toBe(404);
    expect(stale.json().message).toMatch(/is not registered/);
    await new Promise((r) => setTimeout(r, TTL_MS + 20));
    expect((await beat(api.app, node)).statusCode).toBe(401);
  });

  it('a deregistered credential is refused on the very next request, though it was cached', async () => {
    const node = await newNode('leaving-node');
    expect((await beat(twin, node)).statusCode).toBe(200);
    expect(twin.keyLookup.cache.get(digestHex(node.credential))).toBeDefined();
    expect((await twin.inject({ method: 'POST', url: `/nodes/${node.id}/deregister`, headers: bearer(node.credential) })).statusCode).toBe(204);
    const refused = await beat(twin, node);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().message).toMatch(/the node credential is unknown/);
  });

  it("a re-registration with the node's own credential refuses the old one at once; the new one works", async () => {
    const first = await newNode('rotating-node');
    expect((await beat(twin, first)).statusCode).toBe(200);
    const second = await reRegister(twin, 'rotating-node', first.credential);
    expect(second.id).toBe(first.id);
    expect((await beat(twin, first)).statusCode).toBe(401);
    expect((await beat(twin, second)).statusCode).toBe(200);
  });

  it('a join token reclaiming an offline node\'s name refuses the credential it had at once; the new one works', async () => {
    // The node went offline without deregistering (missed heartbeats), so its credential still
    // resolves, and is cached here; its restarted worker reclaims the name with a join token.
    const lost = await newNode('reclaimed-node');
    expect((await beat(twin, lost)).statusCode).toBe(200);
    await takeNodesOffline(api.pool, { id: lost.id });
    const { token } = await createJoinToken(api.pool, { uses: 1, ttlS: 600 });
    const reclaimed = await reRegister(twin, 'reclaimed-node', token);
    expect(reclaimed.id).toBe(lost.id);
    expect((await beat(twin, lost)).statusCode).toBe(401);
    expect((await beat(twin, reclaimed)).statusCode).toBe(200);
  });

  it('another instance refuses a credential the api ended once the announcement arrived', async () => {
    const leaving = await newNode('announced-leaving');
    const rotating = await newNode('announced-rotating');
    for (const node of [leaving, rotating]) expect((await beat(twin, node)).statusCode).toBe(200);
    expect((await api.app.inject({ method: 'POST', url: `/nodes/${leaving.id}/deregister`, headers: bearer(leaving.credential) })).statusCode).toBe(204);
    await reRegister(api.app, 'announced-rotating', rotating.credential);
    // The announcement crosses Redis (bounded wait; the twin's own bound is a minute).
    await until('the twin refuses the deregistered credential', async () => (await beat(twin, leaving)).statusCode === 401);
    await until('the twin refuses the rotated credential', async () => (await beat(twin, rotating)).statusCode === 401);
  });
});
