import { once } from 'node:events';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HypernodeEvent } from '@hypernode/events';
import { migrate } from '@hypernode/store';
import { createTestDatabase, testRedisPrefix, type TestDatabase } from '@hypernode/testing';
import { buildApp as buildApi } from '@hypernode/api/src/app.js';
import { loadConfig } from '@hypernode/api/src/config.js';
import { startRelay, type OutboxRelay } from '@hypernode/api/src/relay.js';
import { buildApp as buildWorkerApp } from '@hypernode/gpu-worker/src/app.js';
import { ApiClient } from '@hypernode/gpu-worker/src/api-client.js';
import { GpuWorker } from '@hypernode/gpu-worker/src/worker.js';
import { loadRealtimeConfig } from '@hypernode/realtime/src/config.js';
import { createRealtimeServer, type RealtimeServer } from '@hypernode/realtime/src/server.js';
import { loadAutomationConfig, type AutomationConfig } from '@hypernode/automation/src/config.js';
import { startEngine, type Engine } from '@hypernode/automation/src/engine.js';
import { buildApp as buildAutomationApp } from '@hypernode/automation/src/app.js';

const TOKEN = 'pipeline-test-token-0123456789';
const keys = testRedisPrefix();
let db: TestDatabase;
let pool: pg.Pool;
let redis: Redis;
let apiUrl: string;
let wsUrl: string;
let relay: OutboxRelay;
let realtime: RealtimeServer;
let automationConfig: AutomationConfig;
const closers: Array<() => Promise<unknown>> = [];

async function listen(app: { listen(o: object): Promise<string> }): Promise<string> {
  return (await app.listen({ port: 0, host: '127.0.0.1' })).replace('[::1]', '127.0.0.1');
}

/** A GPU worker (simulated GPU, real service) on a free port, registered with the api. */
async function startWorker(name: string, vramGb: number, extra: { jobMs?: number; failAtPercent?: number; gpuModel?: string } = {}): Promise<GpuWorker> {
  const config = { apiUrl, token: TOKEN, name, gpuModel: extra.gpuModel ?? 'SIM-A100', vramGb, jobMs: extra.jobMs ?? 1500, failAtPercent: extra.failAtPercent, heartbeatMs: 300 };
  const worker = new GpuWorker(config, new ApiClient(apiUrl, TOKEN));
  const app = buildWorkerApp({ worker, token: TOKEN });
  await worker.start(await listen(app));
  closers.push(async () => {
    await worker.shutdown();
    await app.close();
  });
  return worker;
}

async function startAutomation(): Promise<Engine> {
  const engine = await startEngine(automationConfig, pool);
  return engine;
}

/** A WebSocket client on the deployments topic that records every deployment event. */
async function watchDeployments() {
  const socket = new WebSocket(wsUrl);
  const events: HypernodeEvent[] = [];
  socket.on('message', (d) => {
    const frame = JSON.parse(d.toString());
    if (frame.type === 'event') events.push(frame.event);
  });
  await once(socket, 'open');
  socket.send(JSON.stringify({ type: 'subscribe', topics: ['deployments'] }));
  closers.push(async () => socket.terminate());
  const statusesOf = (id: string): string[] => events.filter((e) => 'deployment' in e.data && e.data.deployment.id === id).map((e) => ('deployment' in e.data ? e.data.deployment.status : ''));
  const until = async (id: string, status: string, ms = 30_000) => {
    for (const end = Date.now() + ms; Date.now() < end && !statusesOf(id).includes(status); ) await new Promise((r) => setTimeout(r, 50));
    if (!statusesOf(id).includes(status)) throw new Error(`deployment ${id} never reached ${status}; saw ${statusesOf(id).join(' → ')}`);
  };
  /** Waits until `status` appears again after the first `after`. */
  const untilAfter = async (id: string, after: string, status: string, ms = 30_000) => {
    const seen = () => statusesOf(id).lastIndexOf(status) > statusesOf(id).indexOf(after) && statusesOf(id).includes(after);
    for (const end = Date.now() + ms; Date.now() < end && !seen(); ) await new Promise((r) => setTimeout(r, 50));
    if (!seen()) throw new Error(`deployment ${id} never went ${after} → ${status}; saw ${statusesOf(id).join(' → ')}`);
  };
  return { events, statusesOf, until, untilAfter };
}

const post = async (path: string, body: object, headers: Record<string, string> = {}) => {
  const res = await fetch(`${apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { id: string } & Record<string, unknown> };
};
const completedEvents = async (id: string) =>
  (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE type = 'deployment.updated' AND data->'deployment'->>'id' = $1 AND data->'deployment'->>'status' = 'completed'`, [id])).rows[0]!.n;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 10 });
  redis = new Redis(keys.url);
  const apiConfig = { ...loadConfig({}), databaseUrl: db.url, redisUrl: keys.url, redisPrefix: keys.prefix, workerToken: TOKEN };
  const api = buildApi({ config: apiConfig, pool, redis });
  apiUrl = await listen(api);
  relay = startRelay({ pool, redis, prefix: keys.prefix, intervalMs: 20 });
  realtime = createRealtimeServer({ ...loadRealtimeConfig({}), redisUrl: keys.url, redisPrefix: keys.prefix });
  await realtime.listen(0, '127.0.0.1');
  wsUrl = `ws://127.0.0.1:${(realtime.http.address() as { port: number }).port}`;
  automationConfig = { ...loadAutomationConfig({}, db.url), redisUrl: keys.url, redisPrefix: keys.prefix, workerToken: TOKEN, reconcileMs: 200, watchdogMs: 300, nodeStaleS: 1, followMs: 50 };
  closers.push(async () => api.close());
}, 60_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await relay.stop();
  await realtime.close();
  await pool.end();
  redis.disconnect();
  await db.drop();
  await keys.cleanup();
}, 60_000);

describe('a deployment end to end: api → automation → gpu-worker → realtime', () => {
  it('reaches completed through queued → scheduled → running, live on the WebSocket, and the row agrees', async () => {
    const engine = await startAutomation();
    closers.push(() => engine.close());
    await startWorker('small', 16);
    const big = await startWorker('big', 80);
    const watch = await watchDeployments();

    const created = await post('/deployments', { model: 'llama-3-70b', minVramGb: 40 });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await watch.until(id, 'completed');

    const statuses = watch.statusesOf(id);
    expect(statuses[0]).toBe('queued');
    expect(statuses.indexOf('scheduled')).toBeGreaterThan(0);
    expect(statuses.indexOf('running')).toBeGreaterThan(statuses.indexOf('scheduled'));
    expect(statuses.at(-1)).toBe('completed');
    const progress = watch.events.filter((e) => 'deployment' in e.data && e.data.deployment.id === id && e.data.deployment.status === 'running').map((e) => ('deployment' in e.data ? e.data.deployment.progress : -1));
    expect(progress.length).toBeGreaterThan(3);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);

    const row = (await pool.query('SELECT status, progress, node_id FROM deployments WHERE id = $1', [id])).rows[0];
    expect(row).toMatchObject({ status: 'completed', progress: '100', node_id: big.node!.id });
    expect(await completedEvents(id)).toBe(1);
    await engine.close();
  }, 60_000);

  it('a deployment created while the engine is down is processed when it comes back; killing the engine mid-job still completes it once', async () => {
    await (await startAutomation()).close();
    const watch = await watchDeployments();
    const { body } = await post('/deployments', { model: 'mistral-7b', minVramGb: 8 });
    await new Promise((r) => setTimeout(r, 500));
    expect((await pool.query('SELECT status FROM deployments WHERE id = $1', [body.id])).rows[0].status).toBe('queued');

    const first = await startAutomation();
    await watch.until(body.id, 'running');
    await first.close(true); // a crash: the job is abandoned mid-follow
    const second = await startAutomation();
    await watch.until(body.id, 'completed');
    expect(await completedEvents(body.id)).toBe(1);
    await second.close();
  }, 60_000);

  it('the watchdog takes a silent node offline and its deployment is rescheduled onto a live one', async () => {
    const engine = await startAutomation();
    closers.push(() => engine.close());
    const ghost = await post('/nodes', { name: 'ghost', gpuModel: 'SIM-A100', vramGb: 80, workerUrl: 'http://127.0.0.1:9/' }, { authorization: `Bearer ${TOKEN}` });
    const { body } = await post('/deployments', { model: 'phi-3', minVramGb: 4 });
    await pool.query("UPDATE deployments SET status = 'running', node_id = $2 WHERE id = $1", [body.id, ghost.body.id]);
    const watch = await watchDeployments();
    await watch.until(body.id, 'completed');
    const node = (await pool.query('SELECT status FROM nodes WHERE id = $1', [ghost.body.id])).rows[0];
    expect(node.status).toBe('offline');
    const row = (await pool.query('SELECT node_id FROM deployments WHERE id = $1', [body.id])).rows[0];
    expect(row.node_id).not.toBe(ghost.body.id);
    await engine.close();
  }, 60_000);

  it('an injected GPU failure ends the deployment failed with the reason', async () => {
    const engine = await startAutomation();
    closers.push(() => engine.close());
    await startWorker('flaky', 200, { failAtPercent: 30, jobMs: 500 });
    const watch = await watchDeployments();
    const { body } = await post('/deployments', { model: 'needs-200', minVramGb: 150 });
    await watch.until(body.id, 'failed');
    const row = (await pool.query('SELECT status, error FROM deployments WHERE id = $1', [body.id])).rows[0];
    expect(row).toMatchObject({ status: 'failed', error: expect.stringContaining('simulated GPU failure at 30%') });
    await engine.close();
  }, 60_000);

  it('a worker shutting down mid-job hands the deployment back; it is rescheduled and completes on another node', async () => {
    const engine = await startAutomation();
    const leaver = await startWorker('leaver', 24, { gpuModel: 'SIM-H100', jobMs: 4000 });
    const watch = await watchDeployments();
    const { body } = await post('/deployments', { model: 'qwen-14b', minVramGb: 20, gpuModel: 'SIM-H100' });
    await watch.until(body.id, 'running');
    await leaver.shutdown();
    await watch.untilAfter(body.id, 'running', 'queued');
    expect((await pool.query("SELECT status FROM nodes WHERE name = 'leaver'")).rows[0].status).toBe('offline');
    const stayer = await startWorker('stayer', 24, { gpuModel: 'SIM-H100', jobMs: 500 });
    await watch.until(body.id, 'completed');
    const row = (await pool.query('SELECT node_id FROM deployments WHERE id = $1', [body.id])).rows[0];
    expect(row.node_id).toBe(stayer.node!.id);
    await engine.close();
  }, 60_000);

  it('the engine answers /workflows, runs one on demand and lists runs by status', async () => {
    const engine = await startAutomation();
    const app = buildAutomationApp({ engine, pool });
    try {
      expect((await app.inject({ method: 'GET', url: '/workflows' })).json().map((w: { name: string }) => w.name)).toEqual(['deploy', 'node-watchdog', 'health-sweep']);
      expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
      const run = await app.inject({ method: 'POST', url: '/workflows/health-sweep/run' });
      expect(run.statusCode).toBe(202);
      const jobId = run.json().jobId;
      let runs: Array<{ id: string; workflow: string; status: string }> = [];
      for (let i = 0; i < 100 && !runs.some((r) => r.id === jobId); i++) {
        runs = (await app.inject({ method: 'GET', url: '/runs?status=completed' })).json();
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(runs.find((r) => r.id === jobId)).toMatchObject({ workflow: 'health-sweep', status: 'completed' });
      expect((await app.inject({ method: 'POST', url: '/workflows/nope/run' })).statusCode).toBe(404);
      expect((await app.inject({ method: 'POST', url: '/workflows/deploy/run' })).json()).toMatchObject({ statusCode: 400, message: expect.stringContaining('deploymentId') });
      expect((await app.inject({ method: 'GET', url: '/runs?status=bogus' })).statusCode).toBe(400);
    } finally {
      await app.close();
      await engine.close();
    }
  }, 60_000);

  it('a node that refuses or cannot be reached sends the deployment back to scheduling, onto a node that takes it', async () => {
    const engine = await startAutomation();
    const refuser = await post('/nodes', { name: 'refuser', gpuModel: 'SIM-L4', vramGb: 24, workerUrl: 'http://127.0.0.1:9/' }, { authorization: `Bearer ${TOKEN}` });
    const watch = await watchDeployments();
    const { body } = await post('/deployments', { model: 'gemma-9b', minVramGb: 16, gpuModel: 'SIM-L4' });
    await watch.untilAfter(body.id, 'scheduled', 'queued');
    expect((await pool.query('SELECT status FROM nodes WHERE id = $1', [refuser.body.id])).rows[0].status).toBe('offline');
    const taker = await startWorker('taker', 24, { gpuModel: 'SIM-L4', jobMs: 300 });
    await watch.until(body.id, 'completed');
    expect((await pool.query('SELECT node_id FROM deployments WHERE id = $1', [body.id])).rows[0].node_id).toBe(taker.node!.id);
    await engine.close();
  }, 60_000);
});
