import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { servicesHealthKey } from '@hypernode/events';
import { listServices } from '@hypernode/ports';
import { buildApp } from '../src/app.js';
import { bearer, startTestApi } from './harness.js';

let api: Awaited<ReturnType<typeof startTestApi>>;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

const node = { name: 'node-a', gpuModel: 'A100', vramGb: 80, workerUrl: 'http://127.0.0.1:1/' };
/** As an admin unless told otherwise. */
const inject = (method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = api.as.admin) => api.app.inject({ method, url, payload, headers });
const joinToken = async () => (await inject('POST', '/join-tokens', { uses: 5, expiresInS: 600 })).json().token as string;

describe('health', () => {
  it('/health is up and /ready reports PostgreSQL and Redis', async () => {
    expect((await inject('GET', '/health')).json()).toMatchObject({ status: 'ok', service: 'api' });
    const ready = await inject('GET', '/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', service: 'api' });
    expect(ready.json().checks).toEqual([
      { name: 'postgres', ok: true, detail: 'ok', latencyMs: expect.any(Number) },
      { name: 'redis', ok: true, detail: 'ok', latencyMs: expect.any(Number) },
    ]);
  });

  it('/ready is 503 naming Redis when Redis does not answer', async () => {
    const deadRedis = new Redis({ port: 1, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    deadRedis.on('error', () => undefined);
    const app = buildApp({ config: api.config, pool: api.pool, redis: deadRedis });
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(/^api not ready: redis/), status: 'unavailable' });
    await app.close();
    deadRedis.disconnect();
  });
});

describe('nodes', () => {
  it('refuses registration without a join token, before looking at the body', async () => {
    expect((await inject('POST', '/nodes', node, {})).statusCode).toBe(401);
    expect((await inject('POST', '/nodes', { bad: 1 }, {})).statusCode).toBe(401);
    const wrong = await inject('POST', '/nodes', node, { authorization: 'Bearer nope' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Bearer');
    expect(wrong.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: expect.stringContaining('join token') });
    expect((await inject('POST', '/nodes', node, api.as.admin)).statusCode).toBe(401);
  });

  it('registers with a join token, re-registers only with its own credential, heartbeats and reads nodes', async () => {
    const token = await joinToken();
    const created = await inject('POST', '/nodes', node, bearer(token));
    expect(created.statusCode).toBe(201);
    const { node: first, credential, dispatchSecret } = created.json();
    expect(first).toMatchObject({ name: 'node-a', gpuModel: 'A100', vramGb: 80, freeVramGb: 80, status: 'online' });
    expect(credential).toMatch(/^hnn_/);
    expect(dispatchSecret).toMatch(/^hnd_/);
    const taken = await inject('POST', '/nodes', { ...node, workerUrl: 'http://127.0.0.1:2/' }, bearer(token));
    expect(taken.statusCode).toBe(409);
    expect(taken.json().message).toMatch(/node name "node-a" is taken/);
    const again = await inject('POST', '/nodes', node, bearer(credential));
    expect(again.statusCode).toBe(201);
    expect(again.json().node.id).toBe(first.id);
    const nodeAuth = bearer(again.json().credential);
    expect((await inject('POST', `/nodes/${first.id}/heartbeat`, { load: 0, freeVramGb: 1 }, bearer(credential))).statusCode).toBe(401); // rotated

    const beat = await inject('POST', `/nodes/${first.id}/heartbeat`, { load: 0.5, freeVramGb: 40 }, nodeAuth);
    expect(beat.json()).toMatchObject({ load: 0.5, freeVramGb: 40 });
    expect((await inject('GET', `/nodes/${first.id}`, undefined, api.as.read)).json().freeVramGb).toBe(40);
    const listed = (await inject('GET', '/nodes', undefined, api.as.read)).json().items;
    expect(listed.map((n: { id: string }) => n.id)).toContain(first.id);
    expect(JSON.stringify(listed)).not.toMatch(/hnn_|hnd_|credential|dispatch/i);
  });

  it('answers 404 for unknown nodes, 403 for a heartbeat to another node, and 400 for malformed ids and bodies', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const own = await api.registerNode('four-oh-four');
    expect((await inject('POST', `/nodes/${id}/heartbeat`, { load: 0, freeVramGb: 1 }, own.auth)).statusCode).toBe(403);
    expect((await inject('GET', `/nodes/${id}`)).statusCode).toBe(404);
    expect((await inject('GET', '/nodes/not-a-uuid')).statusCode).toBe(400);
    const token = bearer(await joinToken());
    expect((await inject('POST', '/nodes', { ...node, vramGb: -1 }, token)).statusCode).toBe(400);
    expect((await inject('POST', '/nodes', { ...node, workerUrl: 'ftp://x' }, token)).statusCode).toBe(400);
  });

  it.each(['http://169.254.169.254/', 'http://example.com/', 'http://10.0.0.5:8080/'])('refuses to register %s in development, naming the rule', async (workerUrl) => {
    const res = await inject('POST', '/nodes', { ...node, name: 'ssrf', workerUrl }, bearer(await joinToken()));
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/is refused: the development profile allows loopback workers .*HYPERNODE_WORKER_HOSTS \(empty\)/);
    expect((await api.pool.query("SELECT 1 FROM nodes WHERE name = 'ssrf'")).rowCount).toBe(0);
  });
});

describe('deployments', () => {
  const body = { model: 'llama-3-8b', minVramGb: 16 };

  it('creates a queued deployment', async () => {
    const res = await inject('POST', '/deployments', { ...body, gpuModel: 'A100', maxDurationS: 3600 });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ model: 'llama-3-8b', gpuModel: 'A100', minVramGb: 16, maxDurationS: 3600, status: 'queued', progress: 0, nodeId: null });
  });

  it.each([
    ['a missing field', { minVramGb: 16 }, /must have required property 'model'/],
    ['a wrong type', { ...body, minVramGb: '16' }, /minVramGb must be number/],
    ['an unknown field', { ...body, colour: 'red' }, /must NOT have additional properties/],
    ['an out-of-range value', { ...body, maxDurationS: 5 }, /maxDurationS must be >= 60/],
  ])('answers 400 JSON for %s', async (_what, payload, message) => {
    const res = await inject('POST', '/deployments', payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(message) });
  });

  it('answers 400 for malformed JSON and 413 for a body over the limit, never 500', async () => {
    const bad = await api.app.inject({ method: 'POST', url: '/deployments', payload: '{"model":', headers: { ...api.as.admin, 'content-type': 'application/json' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    const huge = await inject('POST', '/deployments', { ...body, model: 'x'.repeat(api.config.bodyLimit) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
  });

  it('lists newest first with a status filter and cursor pages that neither skip nor repeat', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await inject('POST', '/deployments', { ...body, model: `page-${i}` })).json().id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ id: string }>; nextCursor: string | null } = (await inject('GET', `/deployments?status=queued&limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => ids.includes(id))).toEqual([...ids].reverse());
    expect((await inject('GET', '/deployments?cursor=garbage')).statusCode).toBe(400);
    expect((await inject('GET', '/deployments?status=nope')).statusCode).toBe(400);
    expect((await inject('GET', '/deployments?limit=500')).statusCode).toBe(400);
  });

  it('cancels, and answers 409 with the current state for an illegal move', async () => {
    const { id } = (await inject('POST', '/deployments', body)).json();
    expect((await inject('POST', `/deployments/${id}/cancel`)).json()).toMatchObject({ id, status: 'cancelled' });
    const again = await inject('POST', `/deployments/${id}/cancel`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ statusCode: 409, error: 'Conflict', status: 'cancelled', message: expect.stringContaining('cannot move a deployment from cancelled to cancelled') });
    expect((await inject('GET', `/deployments/${id}`)).json().status).toBe('cancelled');
    expect((await inject('POST', '/deployments/00000000-0000-4000-8000-000000000000/cancel')).statusCode).toBe(404);
  });

  describe('Idempotency-Key', () => {
    const once = (key: string, payload: object, headers: Record<string, string> = api.as.admin) => inject('POST', '/deployments', payload, { ...headers, 'idempotency-key': key });
    const rowsOf = async (model: string) => (await api.pool.query<{ id: string }>('SELECT id FROM deployments WHERE model = $1', [model])).rows.map((r) => r.id);
    const createdEvents = async (id: string) => (await api.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE type = 'deployment.created' AND data->'deployment'->>'id' = $1`, [id])).rows[0]!.n;

    it('a retry with the same key and body gets the deployment the first made (Idempotent-Replayed), never a second row or event', async () => {
      const payload = { model: 'idem-retry', minVramGb: 8 };
      const first = await once('key-retry-1', payload);
      expect(first.statusCode).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const again = await once('key-retry-1', payload);
      expect(again.statusCode).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json()).toEqual(first.json());
      expect(await rowsOf('idem-retry')).toEqual([first.json().id]);
      expect(await createdEvents(first.json().id)).toBe(1);
      // Without a key, the same body is a new deployment, as always.
      expect((await inject('POST', '/deployments', payload)).json().id).not.toBe(first.json().id);
    });

    it('racing retries with one key make one deployment', async () => {
      const payload = { model: 'idem-race', minVramGb: 8 };
      const answers = await Promise.all(Array.from({ length: 8 }, () => once('key-race', payload)));
      expect(answers.map((a) => a.statusCode)).toEqual(Array(8).fill(201));
      expect(new Set(answers.map((a) => a.json().id)).size).toBe(1);
      expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(7);
      expect(await rowsOf('idem-race')).toHaveLength(1);
    });

    it('the same key with another body is 422 naming the key and the deployment it made; keys are per caller', async () => {
      const first = (await once('key-reused', { model: 'idem-a', minVramGb: 8 })).json();
      const other = await once('key-reused', { model: 'idem-b', minVramGb: 8 });
      expect(other.statusCode).toBe(422);
      expect(other.json()).toEqual({ statusCode: 422, error: 'Unprocessable Entity', deploymentId: first.id, message: expect.stringContaining(`Idempotency-Key "key-reused" was first sent with another body, and made deployment ${first.id}`) });
      expect(await rowsOf('idem-b')).toEqual([]);
      // Another caller's identical key is its own: a deployment of its own.
      const theirs = await once('key-reused', { model: 'idem-b', minVramGb: 8 }, api.as.deploy);
      expect(theirs.statusCode).toBe(201);
      expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    });

    it.each([
      ['empty', ''],
      ['with a space', 'a b'],
      ['with a control character', 'a\u0001b'],
      ['over 200 characters', 'k'.repeat(201)],
    ])('refuses a key %s with 400 naming the header', async (_what, key) => {
      const res = await inject('POST', '/deployments', { model: 'idem-bad', minVramGb: 8 }, { ...api.as.admin, 'idempotency-key': key });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().message).toMatch(/idempotency-key/);
      expect(await rowsOf('idem-bad')).toEqual([]);
    });
  });
});

describe('outbox events', () => {
  it('writes one event per change, in id order, in the same transaction as the change', async () => {
    const { id } = (await inject('POST', '/deployments', { model: 'events', minVramGb: 1 })).json();
    await inject('POST', `/deployments/${id}/cancel`);
    const { rows } = await api.pool.query<{ id: string; type: string; topics: string[]; data: { deployment: { status: string } } }>(
      `SELECT id, type, topics, data FROM events WHERE data->'deployment'->>'id' = $1 ORDER BY id`,
      [id],
    );
    expect(rows.map((r) => [r.type, r.data.deployment.status])).toEqual([
      ['deployment.created', 'queued'],
      ['deployment.updated', 'cancelled'],
    ]);
    expect(rows[0]!.topics).toEqual(['deployments', `deployment:${id}`]);
    expect(BigInt(rows[1]!.id)).toBeGreaterThan(BigInt(rows[0]!.id));
  });

  it('a failed change writes no event', async () => {
    const before = (await api.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n;
    const { id } = (await inject('POST', '/deployments', { model: 'x', minVramGb: 1 })).json();
    await inject('POST', `/deployments/${id}/cancel`);
    await inject('POST', `/deployments/${id}/cancel`); // 409
    expect((await api.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(before + 2);
  });
});

describe('security', () => {
  it('allows CORS only for the registry\'s frontend origins', async () => {
    const site = listServices({ env: {} }).find((s) => s.name === 'site')!.url;
    const ok = await inject('GET', '/docs/json', undefined, { origin: site });
    expect(ok.headers['access-control-allow-origin']).toBe(site);
    const foreign = await inject('GET', '/docs/json', undefined, { origin: 'https://evil.example' });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    expect(ok.headers['x-content-type-options']).toBe('nosniff');
    // The health probes are for load balancers and supervisors: no CORS headers even for a frontend, the security headers all the same.
    for (const probe of ['/health', '/ready']) {
      const answer = await inject('GET', probe, undefined, { origin: site });
      expect(answer.statusCode, probe).toBe(200);
      expect(Object.keys(answer.headers).filter((h) => h.startsWith('access-control-') || h === 'vary'), probe).toEqual([]);
      expect(answer.headers['x-frame-options'], probe).toBe('DENY');
    }
    // A refusal reaches the frontend readable: 401 and 404 carry the CORS and security headers too.
    const refused = await api.app.inject({ method: 'GET', url: '/nodes', headers: { origin: site } });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(site);
    expect(refused.headers['access-control-allow-credentials']).toBe('true');
    const missing = await api.app.inject({ method: 'GET', url: '/no-such-route', headers: { origin: site } });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['access-control-allow-origin']).toBe(site);
    expect(missing.headers['x-frame-options']).toBe('DENY');
  });

  it('rate-limits per client across API instances sharing Redis, with a JSON 429', async () => {
    const limited = await startTestApi({ rateLimitMax: 3 });
    const twin = await limited.twin();
    try {
      const hit = (app: typeof twin, headers = limited.as.read) => app.inject({ method: 'GET', url: '/nodes', remoteAddress: '10.1.2.3', headers });
      expect((await hit(limited.app)).statusCode).toBe(200);
      expect((await hit(twin)).statusCode).toBe(200);
      expect((await hit(limited.app)).statusCode).toBe(200);
      const over = await hit(twin);
      expect(over.statusCode).toBe(429);
      expect(over.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
      expect((await limited.app.inject({ method: 'GET', url: '/health', remoteAddress: '10.1.2.3' })).statusCode).toBe(200);
      // Keyed by principal: another key from the same address has its own budget…
      expect((await hit(limited.app, limited.as.deploy)).statusCode).toBe(200);
      // …and anonymous calls are keyed by address.
      for (let i = 0; i < 3; i++) expect((await limited.app.inject({ method: 'GET', url: '/auth/me', remoteAddress: '10.9.9.9' })).statusCode).toBe(401);
      expect((await limited.app.inject({ method: 'GET', url: '/auth/me', remoteAddress: '10.9.9.9' })).statusCode).toBe(429);
      expect((await limited.app.inject({ method: 'GET', url: '/auth/me', remoteAddress: '10.9.9.8' })).statusCode).toBe(401);
      // A path that matches no route counts against the address too (a scan is throttled like any anonymous call).
      for (let i = 0; i < 3; i++) expect((await limited.app.inject({ method: 'GET', url: `/scan-${i}`, remoteAddress: '10.7.7.7' })).statusCode).toBe(404);
      expect((await limited.app.inject({ method: 'GET', url: '/scan-4', remoteAddress: '10.7.7.7' })).statusCode).toBe(429);
    } finally {
      await twin.close();
      await limited.close();
    }
  });
});

describe('documents', () => {
  it('serves an OpenAPI document generated from the route schemas', async () => {
    const doc = (await inject('GET', '/docs/json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/deployments', '/deployments/{id}', '/deployments/{id}/cancel', '/nodes', '/nodes/{id}/heartbeat']));
    expect(doc.paths['/deployments'].post.requestBody.content['application/json'].schema.required).toEqual(['model', 'minVramGb']);
  });

  it('lists every registry service with the latest health sweep and its age, or unknown without one', async () => {
    const before = (await inject('GET', '/services')).json();
    expect(before.map((s: { name: string }) => s.name)).toEqual(listServices({ env: {} }).map((s) => s.name));
    expect(before[0].health).toMatchObject({ status: 'unknown', checkedAt: null, detail: expect.stringMatching(/automation/) });
    const checkedAt = new Date(Date.now() - 3000).toISOString();
    const snapshot = { checkedAt, services: [{ name: 'postgres', port: 1, status: 'up', latencyMs: 2, detail: 'ok' }, { name: 'api', port: 2, status: 'down', latencyMs: 5, detail: 'refused' }] };
    await api.redis.set(servicesHealthKey(api.config.redisPrefix), JSON.stringify(snapshot));
    const byName = Object.fromEntries((await inject('GET', '/services')).json().map((s: { name: string }) => [s.name, s]));
    expect(byName.postgres.health).toMatchObject({ status: 'up', latencyMs: 2, checkedAt });
    expect(byName.postgres.health.ageS).toBeGreaterThanOrEqual(3);
    expect(byName.api).toMatchObject({ kind: 'http', health: { status: 'down', detail: 'refused' } });
    expect(byName.redis.health.status).toBe('unknown');
    await api.redis.del(servicesHealthKey(api.config.redisPrefix));
  });

  it('answers unknown routes with the JSON error shape', async () => {
    expect((await inject('GET', '/nope')).json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'no route GET /nope on api' });
  });
});

describe('worker reports', () => {
  it('moves a deployment through running (progress) to completed, and refuses an illegal report with 409', async () => {
    const reporter = await api.registerNode('reporter');
    const auth = reporter.auth;
    const { id } = (await inject('POST', '/deployments', { model: 'r', minVramGb: 1 })).json();
    await api.pool.query("UPDATE deployments SET status = 'scheduled', node_id = $2 WHERE id = $1", [id, reporter.id]);
    expect((await inject('POST', `/deployments/${id}/progress`, { status: 'running', progress: 10 }, {})).statusCode).toBe(401);
    expect((await inject('POST', `/deployments/${id}/progress`, { status: 'running', progress: 10 }, auth)).json()).toMatchObject({ status: 'running', progress: 10 });
    expect((await inject('POST', `/deployments/${id}/progress`, { status: 'running', progress: 55 }, auth)).json()).toMatchObject({ status: 'running', progress: 55 });
    expect((await inject('POST', `/deployments/${id}/progress`, { status: 'completed' }, auth)).json()).toMatchObject({ status: 'completed', progress: 100 });
    const late = await inject('POST', `/deployments/${id}/progress`, { status: 'failed', error: 'x' }, auth);
    expect(late.statusCode).toBe(409);
    expect(late.json().status).toBe('completed');
  });

  it('keeps only a short, single-line reason from a failure report', async () => {
    const reporter = await api.registerNode('failing');
    const { id } = (await inject('POST', '/deployments', { model: 'f', minVramGb: 1 })).json();
    await api.pool.query("UPDATE deployments SET status = 'running', node_id = $2 WHERE id = $1", [id, reporter.id]);
    const res = await inject('POST', `/deployments/${id}/progress`, { status: 'failed', error: `boom\u0000\r\n${'x'.repeat(2062)}` }, reporter.auth);
    expect(res.statusCode).toBe(200);
    const stored = (await inject('GET', `/deployments/${id}`, undefined, api.as.read)).json().error as string;
    expect(stored.startsWith('boom x')).toBe(true);
    expect(Array.from(stored)).toHaveLength(500);
    // eslint-disable-next-line no-control-regex -- asserting no control character is left
    expect(stored).not.toMatch(/[\u0000-\u001f]/);
  });

  it('deregistering a node takes it offline and sends its deployments back to the queue', async () => {
    const leaving = await api.registerNode('leaving');
    const nodeId = leaving.id;
    const { id } = (await inject('POST', '/deployments', { model: 'd', minVramGb: 1 })).json();
    await api.pool.query("UPDATE deployments SET status = 'running', node_id = $2 WHERE id = $1", [id, nodeId]);
    expect((await inject('POST', `/nodes/${nodeId}/deregister`, undefined, api.as.admin)).statusCode).toBe(403);
    expect((await inject('POST', `/nodes/${nodeId}/deregister`, undefined, leaving.auth)).statusCode).toBe(204);
    expect((await inject('GET', `/nodes/${nodeId}`)).json().status).toBe('offline');
    expect((await inject('GET', `/deployments/${id}`)).json()).toMatchObject({ status: 'queued', nodeId: null, progress: 0 });
    // Its credential ended with it: it cannot heartbeat itself back online.
    expect((await inject('POST', `/nodes/${nodeId}/heartbeat`, { load: 0, freeVramGb: 80 }, leaving.auth)).statusCode).toBe(401);
  });
});
