import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemotePrincipal } from '@hypernode/auth';
import { browserOrigins } from '@hypernode/ports';
import { buildApp } from '../src/app.js';
import type { Engine } from '../src/engine.js';
import { startFakeAuthApi } from './fake-auth-api.js';

const runs: Array<[string, unknown]> = [];
const engine = {
  run: async (name: string, data: unknown) => {
    runs.push([name, data]);
    return { id: String(runs.length) } as Job;
  },
} as unknown as Engine;
const ADMIN = { authorization: 'Bearer hn_admin-test-key' };
let api: Awaited<ReturnType<typeof startFakeAuthApi>>;
let app: ReturnType<typeof buildApp>;
beforeAll(async () => {
  api = await startFakeAuthApi();
  app = buildApp({ engine, pool: {} as Pool, principalOf: createRemotePrincipal({ apiUrl: api.url, timeoutMs: 300, cacheMs: 0 }).principalOf });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await api.close();
});

const run = (name: string, body?: object, headers: Record<string, string> = ADMIN) => app.inject({ method: 'POST', url: `/workflows/${encodeURIComponent(name)}/run`, payload: body, headers });

describe('automation HTTP API auth', () => {
  it('refuses a change made with the session cookie unless it comes from a registry frontend (CSRF)', async () => {
    const cookie = { cookie: `hn_session=${api.adminSession}` };
    for (const origin of [undefined, 'https://evil.example', 'http://localhost:1']) {
      const res = await run('health-sweep', undefined, { ...cookie, ...(origin ? { origin } : {}) });
      expect(res.statusCode).toBe(403);
      expect(res.json().message).toMatch(/must come from one of the registry's frontends/);
    }
    expect((await run('health-sweep', undefined, { ...cookie, origin: browserOrigins()[0]! })).statusCode).toBe(202);
    expect((await app.inject({ method: 'GET', url: '/workflows', headers: cookie })).statusCode).toBe(200);
  });

  it.each([
    ['GET', '/workflows'],
    ['GET', '/runs'],
    ['GET', '/runs?status=nope'],
    ['POST', '/workflows/deploy/run'],
    ['POST', '/workflows/toString/run'],
  ])('%s %s: 401 with no or an unknown credential (before validation), 403 without admin', async (method, url) => {
    for (const headers of [{}, { authorization: 'Bearer hn_unknown' }, { cookie: 'hn_session=hns_unknown' }]) {
      const res = await app.inject({ method: method as 'GET', url, headers, payload: method === 'POST' ? { deploymentId: 'x' } : undefined });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    }
    const deployer = await app.inject({ method: method as 'GET', url, headers: { authorization: 'Bearer hn_deploy-test-key' } });
    expect(deployer.statusCode).toBe(403);
    expect(deployer.json().message).toMatch(/needs the admin scope/);
  });

  it('keeps /health and /ready public', async () => {
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
  });

  it('answers 503 naming the api, within its bound, when the api does not answer', async () => {
    api.state.hang = true;
    try {
      const t0 = Date.now();
      const res = await app.inject({ url: '/workflows', headers: ADMIN });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ statusCode: 503, dependency: 'api', message: expect.stringMatching(/^api is unavailable/) });
      expect(Date.now() - t0).toBeLessThan(2000);
    } finally {
      api.state.hang = false;
    }
  });

  it('lists workflows for an admin', async () => {
    const res = await app.inject({ url: '/workflows', headers: ADMIN });
    expect(res.statusCode).toBe(200);
    expect(res.json().map((w: { name: string }) => w.name)).toContain('deploy');
  });
});

describe('POST /workflows/:name/run', () => {
  it.each(['toString', '__proto__', 'constructor', 'hasOwnProperty', 'nope'])('answers 404 for %s, which is not a workflow', async (name) => {
    const res = await run(name);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ statusCode: 404, error: 'Not Found', message: expect.stringContaining('deploy, node-watchdog') });
  });

  it.each([
    ['dashes only', '------------------------------------'],
    ['no dashes', 'a'.repeat(36)],
    ['a number', 42],
    ['a uuid with a suffix', `${randomUUID()}x`],
    ['missing', undefined],
  ])('answers 400 for a deploymentId that is %s', async (_what, deploymentId) => {
    const res = await run('deploy', { deploymentId });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, message: expect.stringContaining('deploymentId') });
  });

  it('runs deploy for a strict UUID, and maintenance workflows without data', async () => {
    runs.length = 0;
    const id = randomUUID();
    expect((await run('deploy', { deploymentId: id })).statusCode).toBe(202);
    expect((await run('prune-events')).statusCode).toBe(202);
    expect(runs).toEqual([
      ['deploy', { deploymentId: id }],
      ['prune-events', {}],
    ]);
  });
});
