import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@hypernode/testing';
import { createDeployment, migrate, registerNode } from '@hypernode/store';
import { startScheduler } from '../src/scheduler.js';
import { until } from './harness.js';

let db: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 6 });
  pool.on('error', () => undefined);
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('scheduler', () => {
  it('places on a free node whose row was held by another transaction (a heartbeat) once it is released, without waiting for the interval', async () => {
    const { node } = await registerNode(pool, { name: 'held', gpuModel: 'SIM', vramGb: 80, workerUrl: 'http://127.0.0.1:1/' });
    const d = await createDeployment(pool, { model: 'm', minVramGb: 8 });
    const holder = await pool.connect();
    const added: string[] = [];
    // No notifications and an interval far past the test's bound: only the locked-node retry can place it.
    let scheduler: ReturnType<typeof startScheduler> | undefined;
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM nodes WHERE id = $1 FOR NO KEY UPDATE', [node.id]);
      scheduler = startScheduler({ pool, intervalMs: 600_000, pageSize: 100, listen: false, addDeploy: async (id) => void added.push(id), log: () => undefined });
      // The first pass ran into the lock (and keeps retrying): nothing is placed while it is held.
      await new Promise((r) => setTimeout(r, 200));
      expect(added).toEqual([]);
      await holder.query('ROLLBACK');
      await until('the deployment is placed after the lock is released', async () => added.length > 0, 5000);
      expect(added).toEqual([d.id]);
      const { rows } = await pool.query('SELECT status, node_id FROM deployments WHERE id = $1', [d.id]);
      expect(rows[0]).toEqual({ status: 'scheduled', node_id: node.id });
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
      await scheduler?.stop();
    }
  });

  it("leaves a deployment a pass is still enqueueing to that pass: the sweep's follow add never runs before the pass's own add", async () => {
    await registerNode(pool, { name: 'enqueueing', gpuModel: 'SIM', vramGb: 80, workerUrl: 'http://127.0.0.1:1/' });
    const d = await createDeployment(pool, { model: 'placed-now', minVramGb: 8 });
    const calls: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const scheduler = startScheduler({
      pool,
      intervalMs: 600_000,
      pageSize: 100,
      listen: false,
      // The pass's add waits until released, as a slow Redis round trip would.
      addDeploy: async (id) => {
        calls.push(`add ${id}`);
        if (id === d.id) await held;
      },
      followDeploy: async (id) => void calls.push(`follow ${id}`),
      log: () => undefined,
    });
    try {
      await until('the first pass placed it and is enqueueing', async () => calls.includes(`add ${d.id}`), 5000);
      // The deployment is committed as scheduled: a sweep now sees it among the placed ones.
      await scheduler.sweep();
      expect(calls.filter((c) => c.endsWith(d.id))).toEqual([`add ${d.id}`]);
      release();
      // Once its pass has enqueued it, the sweep follows it as any placed deployment.
      await until('a sweep follows it', async () => (await scheduler.sweep(), calls.includes(`follow ${d.id}`)), 5000);
      expect(calls.filter((c) => c.endsWith(d.id))[0]).toBe(`add ${d.id}`);
    } finally {
      release();
      await scheduler.stop();
    }
  });
});
