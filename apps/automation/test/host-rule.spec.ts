import { afterEach, describe, expect, it } from 'vitest';
import { createDeployment } from '@hypernode/store';
import { loadAutomationConfig } from '../src/config.js';
import { startTestEngine, until, type TestEngine } from './harness.js';

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('dispatch: the node secret and the host rule', () => {
  it('reads HYPERNODE_WORKER_HOSTS as a comma-separated list, and no longer reads a global worker token', () => {
    const config = loadAutomationConfig({ HYPERNODE_WORKER_HOSTS: ' gpu-1.internal, 10.0.0.0/8 ,', HYPERNODE_PROFILE: 'production' }, 'postgres://x/y');
    expect(config.workerHosts).toEqual(['gpu-1.internal', '10.0.0.0/8']);
    expect(config.profile).toBe('production');
    expect(config).not.toHaveProperty('workerToken');
  });

  it('never sends anything to a worker URL outside the rule: the deployment goes back with a short reason, the node offline; an allowed node gets it with its own secret', async () => {
    // Both are loopback, but to the production rule only 127.0.0.1 is an allowed host.
    t = await startTestEngine({ profile: 'production', workerHosts: ['127.0.0.1'] });
    await t.start();
    const outside = await t.addNode('outside', 24, { host: '127.0.0.2' });
    const d = await createDeployment(t.pool, { model: 'm', minVramGb: 8 });
    // Read from the deployment's events (the row's error is soon replaced by a waiting reason).
    const history = async () =>
      (await t!.pool.query<{ status: string; error: string | null; node: string | null }>("SELECT data->'deployment'->>'status' AS status, data->'deployment'->>'error' AS error, data->'deployment'->>'nodeId' AS node FROM events WHERE type = 'deployment.updated' AND data->'deployment'->>'id' = $1 ORDER BY id", [d.id])).rows;
    const refused = await until('the refusal', async () => (await history()).find((e) => e.status === 'queued' && e.error?.includes('outside the allowed worker hosts')));
    expect(refused.error).toBe('node outside has a worker URL outside the allowed worker hosts (HYPERNODE_WORKER_HOSTS); rescheduling');
    // Taken offline in the same transaction: the deployment is never placed on that node again.
    expect((await t.pool.query('SELECT status FROM nodes WHERE id = $1', [outside.node.id])).rows[0].status).toBe('offline');

    const inside = await t.addNode('inside', 24);
    await until('the allowed worker to get it', async () => inside.worker.jobs.has(d.id));
    await until('it to run', async () => (await t!.statusOf(d.id)).status === 'running');
    expect(inside.worker.requests.every((r) => r.authorization === `Bearer ${inside.worker.secret}`)).toBe(true);
    expect(outside.worker.requests).toEqual([]);
    expect((await history()).filter((e) => e.status === 'scheduled').map((e) => e.node)).toEqual([outside.node.id, inside.node.id]);
  }, 30_000);

  it("each worker gets its own node's secret, never another's", async () => {
    t = await startTestEngine({ followMs: 50, workerCheckMs: 100 });
    await t.start();
    const a = await t.addNode('a', 24);
    const b = await t.addNode('b', 24);
    const [d1, d2] = [await createDeployment(t.pool, { model: 'one', minVramGb: 8 }), await createDeployment(t.pool, { model: 'two', minVramGb: 8 })];
    await until('both to run', async () => (await t!.statusOf(d1.id)).status === 'running' && (await t!.statusOf(d2.id)).status === 'running');
    await new Promise((r) => setTimeout(r, 300)); // a few follow checks (GET /jobs/:id) too
    for (const w of [a.worker, b.worker]) {
      expect(w.requests.length).toBeGreaterThan(0);
      expect(w.requests.every((r) => r.authorization === `Bearer ${w.secret}`)).toBe(true);
    }
  }, 30_000);
});
