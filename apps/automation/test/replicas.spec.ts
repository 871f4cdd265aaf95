import { afterEach, describe, expect, it } from 'vitest';
import { createDeployment } from '@hypernode/store';
import { startEngine, type Engine } from '../src/engine.js';
import { startTestEngine, until, type TestEngine } from './harness.js';

// Two engines on one database and one Redis prefix: what a second automation replica (or the
// surge pod of a rolling update) does. Each duty must stay single: every deployment reaches one
// worker once, and the maintenance schedules exist once however many engines upsert them.
let t: TestEngine | undefined;
let second: Engine | undefined;
afterEach(async () => {
  await second?.close(true);
  second = undefined;
  await t?.close();
  t = undefined;
});

describe('two engines side by side', () => {
  it('place and dispatch every deployment exactly once, and share one set of maintenance schedules', async () => {
    t = await startTestEngine({ reconcileMs: 50, followMs: 50 });
    const nodes = [];
    for (let i = 0; i < 6; i++) nodes.push(await t.addNode(`replica-node-${i}`, 24));
    await t.start();
    second = await startEngine(t.config, t.pool);
    const deployments = [];
    for (let i = 0; i < 6; i++) deployments.push(await createDeployment(t.pool, { model: `replica-${i}`, minVramGb: 16 }));
    await until('every deployment running', async () => (await t!.pool.query("SELECT count(*)::int AS n FROM deployments WHERE status = 'running'")).rows[0].n === deployments.length, 15_000);

    // Each deployment is on one node, and that node's worker is the only one that was sent it, once.
    const posts = nodes.flatMap(({ worker }) => worker.requests.filter((r) => r.method === 'POST' && r.url === '/jobs').map(() => worker));
    expect(posts.length).toBe(deployments.length);
    for (const d of deployments) {
      const holders = nodes.filter(({ worker }) => worker.jobs.has(d.id));
      expect(holders.length, d.id).toBe(1);
      expect((await t.statusOf(d.id)).node_id, d.id).toBe(holders[0]!.node.id);
    }
    // Both engines upserted the same three schedulers: Redis holds one of each, so each runs once per interval.
    const schedulers = await t.engine!.maintenance.getJobSchedulers();
    expect(schedulers.map((s) => s.key).sort()).toEqual(['health-sweep', 'node-watchdog', 'prune-events']);
  }, 60_000);
});
