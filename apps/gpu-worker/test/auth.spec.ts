import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../src/api-client.js';
import { buildApp } from '../src/app.js';
import { loadWorkerConfig } from '../src/config.js';
import { GpuWorker } from '../src/worker.js';
import { JOIN_TOKEN, startFakeApi } from './fake-api.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function registeredWorker(env: Record<string, string> = {}) {
  const api = await startFakeApi();
  cleanup.push(api.close);
  const config = { ...loadWorkerConfig({ HYPERNODE_JOIN_TOKEN: JOIN_TOKEN, API_URL: api.url, GPU_WORKER_HEARTBEAT_MS: '100', GPU_WORKER_JOB_MS: '300', ...env }, 1), name: 'w' };
  const worker = new GpuWorker(config, new ApiClient(api.url));
  const app = buildApp({ worker });
  cleanup.push(() => app.close(), () => worker.shutdown());
  await worker.start('http://127.0.0.1:1/');
  return { api, worker, app };
}

const job = () => ({ deploymentId: randomUUID(), model: 'm', minVramGb: 8 });
const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

describe('gpu-worker credentials', () => {
  it('registers with the join token, then authenticates heartbeats, progress and deregistration with its own node credential only', async () => {
    const { api, worker, app } = await registeredWorker();
    const { credential, dispatchSecret, nodeId } = api.issued[0]!;
    expect(api.calls[0]).toMatchObject({ method: 'POST', url: '/nodes', authorization: `Bearer ${JOIN_TOKEN}`, body: { name: 'w', workerUrl: 'http://127.0.0.1:1/' } });
    const d = job();
    expect((await app.inject({ method: 'POST', url: '/jobs', headers: bearer(dispatchSecret), payload: d })).statusCode).toBe(202);
    for (const end = Date.now() + 10_000; worker.current && Date.now() < end; ) await new Promise((r) => setTimeout(r, 25));
    await worker.shutdown();
    const after = api.calls.slice(1);
    expect(after.map((c) => c.url)).toEqual(expect.arrayContaining([`/nodes/${nodeId}/heartbeat`, `/deployments/${d.deploymentId}/progress`, `/nodes/${nodeId}/deregister`]));
    expect(after.every((c) => c.authorization === `Bearer ${credential}`)).toBe(true);
    expect(after.filter((c) => c.url.endsWith('/progress')).at(-1)!.body).toMatchObject({ status: 'completed' });
  });

  it('registers again with the join token when the api forgets its credential (401), and takes dispatches only with the new secret', async () => {
    const { api, app } = await registeredWorker();
    const first = api.issued[0]!;
    api.forget();
    for (const end = Date.now() + 5000; api.issued.length < 2 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 25));
    expect(api.issued).toHaveLength(2);
    const second = api.issued[1]!;
    // The api has issued the new credential; the worker takes it once it has read the answer.
    const unknownJob = `/jobs/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`;
    for (const end = Date.now() + 5000; Date.now() < end; await new Promise((r) => setTimeout(r, 25))) {
      if ((await app.inject({ method: 'GET', url: unknownJob, headers: bearer(second.dispatchSecret) })).statusCode !== 401) break;
    }
    expect(api.calls.filter((c) => c.url === '/nodes').every((c) => c.authorization === `Bearer ${JOIN_TOKEN}`)).toBe(true);
    expect((await app.inject({ method: 'POST', url: '/jobs', headers: bearer(first.dispatchSecret), payload: job() })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/jobs', headers: bearer(second.dispatchSecret), payload: job() })).statusCode).toBe(202);
    await new Promise((r) => setTimeout(r, 250));
    expect(api.calls.filter((c) => c.url === `/nodes/${second.nodeId}/heartbeat`).every((c) => c.authorization === `Bearer ${second.credential}`)).toBe(true);
  });
});

describe('POST /jobs and GET /jobs/:id need the dispatch secret', () => {
  it.each([
    ['no header', {}],
    ['another secret', bearer('hnd_not-the-right-one')],
    ['the join token', bearer(JOIN_TOKEN)],
    ['a non-ASCII token', bearer('hnd_ünïcødé')],
    ['a Basic header', { authorization: 'Basic Og==' }],
  ])('answers 401 for %s, before validating the body, and runs nothing', async (_what, headers) => {
    const { worker, app } = await registeredWorker();
    for (const payload of [job(), { deploymentId: 'not-a-uuid' }]) {
      const res = await app.inject({ method: 'POST', url: '/jobs', headers, payload });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: expect.stringContaining('dispatch secret') });
    }
    expect(worker.current).toBeUndefined();
    expect((await app.inject({ url: `/jobs/${randomUUID()}`, headers })).statusCode).toBe(401);
  });

  it('with the secret: 400 for a bad body, 202 for a job, and GET /jobs/:id shows it', async () => {
    const { api, app } = await registeredWorker();
    const secret = api.issued[0]!.dispatchSecret;
    expect((await app.inject({ method: 'POST', url: '/jobs', headers: bearer(secret), payload: { deploymentId: 'x' } })).statusCode).toBe(400);
    const d = job();
    expect((await app.inject({ method: 'POST', url: '/jobs', headers: bearer(secret), payload: d })).statusCode).toBe(202);
    const look = await app.inject({ url: `/jobs/${d.deploymentId}`, headers: bearer(secret) });
    expect(look.statusCode).toBe(200);
    expect(look.json()).toMatchObject({ deploymentId: d.deploymentId });
  });

  it('takes no dispatch before it is registered', async () => {
    const api = await startFakeApi();
    cleanup.push(api.close);
    const worker = new GpuWorker({ ...loadWorkerConfig({ HYPERNODE_JOIN_TOKEN: JOIN_TOKEN, API_URL: api.url }, 1), name: 'w' }, new ApiClient(api.url));
    const app = buildApp({ worker });
    cleanup.push(() => app.close());
    const res = await app.inject({ method: 'POST', url: '/jobs', headers: bearer('hnd_anything'), payload: job() });
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toMatch(/not registered/);
  });
});
