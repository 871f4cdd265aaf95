import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemotePrincipal } from '@hypernode/auth';
import { buildApp as buildAutomationApp } from '@hypernode/automation/src/app.js';
import { startBackend, type Backend } from './backend.js';

let b: Backend;
/** POST /nodes answers `{ node, credential, dispatchSecret }`. */
const nodeIdOf = (body: Record<string, unknown>) => (body.node as { id: string }).id;
beforeAll(async () => {
  b = await startBackend();
}, 60_000);
afterAll(async () => {
  await b?.close();
}, 60_000);

describe('a deployment end to end: api → automation → gpu-worker → realtime', () => {
  it('reaches completed through queued → scheduled → running, live on the WebSocket, and the row agrees', async () => {
    const engine = await b.startAutomation();
    b.onClose(() => engine.close());
    await b.startWorker('small', 16);
    const big = await b.startWorker('big', 80);
    const watch = await b.watchDeployments();

    const created = await b.post('/deployments', { model: 'llama-3-70b', minVramGb: 40 });
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

    const row = (await b.pool.query('SELECT status, progress, node_id FROM deployments WHERE id = $1', [id])).rows[0];
    expect(row).toMatchObject({ status: 'completed', progress: '100', node_id: big.node!.id });
    expect(await b.completedEvents(id)).toBe(1);
    await engine.close();
  }, 60_000);

  it('a deployment created while the engine is down is processed when it comes back; killing the engine mid-job still completes it once', async () => {
    await (await b.startAutomation()).close();
    const watch = await b.watchDeployments();
    const { body } = await b.post('/deployments', { model: 'mistral-7b', minVramGb: 8 });
    await new Promise((r) => setTimeout(r, 500));
    expect((await b.pool.query('SELECT status FROM deployments WHERE id = $1', [body.id])).rows[0].status).toBe('queued');

    const first = await b.startAutomation();
    await watch.until(body.id, 'running');
    await first.close(true); // a crash: the job is abandoned mid-follow
    const second = await b.startAutomation();
    await watch.until(body.id, 'completed');
    expect(await b.completedEvents(body.id)).toBe(1);
    await second.close();
  }, 60_000);

  it('the watchdog takes a silent node offline and its deployment is rescheduled onto a live one', async () => {
    const engine = await b.startAutomation();
    b.onClose(() => engine.close());
    const ghost = await b.post('/nodes', { name: 'ghost', gpuModel: 'SIM-A100', vramGb: 80, workerUrl: 'http://127.0.0.1:9/' }, { authorization: `Bearer ${b.joinToken}` });
    const { body } = await b.post('/deployments', { model: 'phi-3', minVramGb: 4 });
    await b.pool.query("UPDATE deployments SET status = 'running', node_id = $2 WHERE id = $1", [body.id, nodeIdOf(ghost.body)]);
    const watch = await b.watchDeployments();
    await watch.until(body.id, 'completed');
    const node = (await b.pool.query('SELECT status FROM nodes WHERE id = $1', [nodeIdOf(ghost.body)])).rows[0];
    expect(node.status).toBe('offline');
    const row = (await b.pool.query('SELECT node_id FROM deployments WHERE id = $1', [body.id])).rows[0];
    expect(row.node_id).not.toBe(nodeIdOf(ghost.body));
    await engine.close();
  }, 60_000);

  it('an injected GPU failure ends the deployment failed with the reason', async () => {
    const engine = await b.startAutomation();
    b.onClose(() => engine.close());
    await b.startWorker('flaky', 200, { failAtPercent: 30, jobMs: 500 });
    const watch = await b.watchDeployments();
    const { body } = await b.post('/deployments', { model: 'needs-200', minVramGb: 150 });
    await watch.until(body.id, 'failed');
    const row = (await b.pool.query('SELECT status, error FROM deployments WHERE id = $1', [body.id])).rows[0];
    expect(row).toMatchObject({ status: 'failed', error: expect.stringContaining('simulated GPU failure at 30%') });
    await engine.close();
  }, 60_000);

  it('a worker shutting down mid-job hands the deployment back; it is rescheduled and completes on another node', async () => {
    const engine = await b.startAutomation();
    const leaver = await b.startWorker('leaver', 24, { gpuModel: 'SIM-H100', jobMs: 4000 });
    const watch = await b.watchDeployments();
    const { body } = await b.post('/deployments', { model: 'qwen-14b', minVramGb: 20, gpuModel: 'SIM-H100' });
    await watch.until(body.id, 'running');
    await leaver.shutdown();
    await watch.untilAfter(body.id, 'running', 'queued');
    expect((await b.pool.query("SELECT status FROM nodes WHERE name = 'leaver'")).rows[0].status).toBe('offline');
    const stayer = await b.startWorker('stayer', 24, { gpuModel: 'SIM-H100', jobMs: 500 });
    await watch.until(body.id, 'completed');
    const row = (await b.pool.query('SELECT node_id FROM deployments WHERE id = $1', [body.id])).rows[0];
    expect(row.node_id).toBe(stayer.node!.id);
    await engine.close();
  }, 60_000);

  it('the engine answers /workflows, runs one on demand and lists runs by status', async () => {
    const engine = await b.startAutomation();
    // The engine's HTTP API asks the api who its callers are, and needs admin.
    const app = buildAutomationApp({ engine, pool: b.pool, principalOf: createRemotePrincipal({ apiUrl: b.apiUrl }).principalOf });
    const admin = { authorization: `Bearer ${b.adminKey}` };
    try {
      expect((await app.inject({ method: 'GET', url: '/workflows' })).statusCode).toBe(401);
      expect((await app.inject({ method: 'GET', url: '/workflows', headers: admin })).json().map((w: { name: string }) => w.name)).toEqual(['deploy', 'node-watchdog', 'health-sweep', 'prune-events']);
      expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
      const run = await app.inject({ method: 'POST', url: '/workflows/health-sweep/run', headers: admin });
      expect(run.statusCode).toBe(202);
      const jobId = run.json().jobId;
      let runs: Array<{ id: string; workflow: string; status: string }> = [];
      for (let i = 0; i < 100 && !runs.some((r) => r.id === jobId); i++) {
        runs = (await app.inject({ method: 'GET', url: '/runs?status=completed', headers: admin })).json();
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(runs.find((r) => r.id === jobId)).toMatchObject({ workflow: 'health-sweep', status: 'completed' });
      expect((await app.inject({ method: 'POST', url: '/workflows/nope/run', headers: admin })).statusCode).toBe(404);
      expect((await app.inject({ method: 'POST', url: '/workflows/deploy/run', headers: admin })).json()).toMatchObject({ statusCode: 400, message: expect.stringContaining('deploymentId') });
      expect((await app.inject({ method: 'GET', url: '/runs?status=bogus', headers: admin })).statusCode).toBe(400);
    } finally {
      await app.close();
      await engine.close();
    }
  }, 60_000);

  it('a node that refuses or cannot be reached sends the deployment back to scheduling, onto a node that takes it', async () => {
    const engine = await b.startAutomation();
    const refuser = await b.post('/nodes', { name: 'refuser', gpuModel: 'SIM-L4', vramGb: 24, workerUrl: 'http://127.0.0.1:9/' }, { authorization: `Bearer ${b.joinToken}` });
    const watch = await b.watchDeployments();
    const { body } = await b.post('/deployments', { model: 'gemma-9b', minVramGb: 16, gpuModel: 'SIM-L4' });
    await watch.untilAfter(body.id, 'scheduled', 'queued');
    expect((await b.pool.query('SELECT status FROM nodes WHERE id = $1', [nodeIdOf(refuser.body)])).rows[0].status).toBe('offline');
    const taker = await b.startWorker('taker', 24, { gpuModel: 'SIM-L4', jobMs: 300 });
    await watch.until(body.id, 'completed');
    expect((await b.pool.query('SELECT node_id FROM deployments WHERE id = $1', [body.id])).rows[0].node_id).toBe(taker.node!.id);
    await engine.close();
  }, 60_000);
});
