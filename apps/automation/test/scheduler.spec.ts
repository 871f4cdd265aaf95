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
});
