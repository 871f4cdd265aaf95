import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@hypernode/testing';
import { createDeployment, transitionDeployment } from './deployments.js';
import { migrate } from './migrate.js';
import { registerNode } from './nodes.js';
import { deploymentsPage, placeOnNode, requeueIfStill, scheduleOnNode, schedulePass, scheduleQueued, setWaitingReasons, waitingReason, type PageCursor } from './scheduling.js';

let db: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 10 });
  pool.on('error', () => undefined); // dropping the database ends idle connections
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});
beforeEach(async () => {
  await pool.query('TRUNCATE deployments, nodes, events');
});

const node = async (name: string, vramGb: number, gpuModel = 'SIM-A100') => (await registerNode(pool, { name, gpuModel, vramGb, workerUrl: 'http://127.0.0.1:1/' })).node;
const status = async (id: string) => (await pool.query<{ status: string; node_id: string | null; error: string | null }>('SELECT status, node_id, error FROM deployments WHERE id = $1', [id])).rows[0]!;

describe('waitingReason', () => {
  const big = { vramGb: 80, freeVramGb: 80, gpuModel: 'SIM-A100', busy: false };
  it('names what no online node has', () => {
    expect(waitingReason({ minVramGb: 100, gpuModel: null }, [big])).toBe('waiting: no online node with ≥ 100 GB VRAM');
    expect(waitingReason({ minVramGb: 8, gpuModel: 'SIM-H100' }, [big])).toBe('waiting: no online node with ≥ 8 GB VRAM and a SIM-H100');
    expect(waitingReason({ minVramGb: 8, gpuModel: null }, [])).toBe('waiting: no online node with ≥ 8 GB VRAM');
  });
  it('says every fitting node is busy, and nothing when one is free', () => {
    expect(waitingReason({ minVramGb: 40, gpuModel: null }, [{ ...big, busy: true, freeVramGb: 40 }])).toBe('waiting: every online node with ≥ 40 GB VRAM is busy');
    expect(waitingReason({ minVramGb: 40, gpuModel: null }, [{ ...big, busy: true }, big])).toBeUndefined();
  });
});

describe('node-driven scheduling', () => {
  it('gives a node the oldest deployment that fits it, skipping older ones no node can take', async () => {
    const small = await node('small', 16);
    const too = await createDeployment(pool, { model: 'too-big', minVramGb: 500 });
    const fits = await createDeployment(pool, { model: 'fits', minVramGb: 8 });
    const later = await createDeployment(pool, { model: 'later', minVramGb: 8 });
    const placed = await scheduleOnNode(pool, small.id);
    expect(placed?.deployment.id).toBe(fits.id);
    expect(placed?.node.id).toBe(small.id);
    expect(await status(too.id)).toMatchObject({ status: 'queued' });
    expect(await status(later.id)).toMatchObject({ status: 'queued' });
    expect(await scheduleOnNode(pool, small.id)).toBeUndefined(); // busy now
  });

  it('matches the smallest free node first, so a big job still finds the big node', async () => {
    const small = await node('s', 16);
    const large = await node('l', 80);
    const little = await createDeployment(pool, { model: 'little', minVramGb: 8 });
    const huge = await createDeployment(pool, { model: 'huge', minVramGb: 60 });
    const placed = await scheduleQueued(pool);
    expect(placed.map((p) => [p.deployment.id, p.node.id])).toEqual([
      [little.id, small.id],
      [huge.id, large.id],
    ]);
  });

  it('reports a free node whose row another transaction holds as locked (to be retried), not as busy', async () => {
    const held = await node('held', 80);
    const d = await createDeployment(pool, { model: 'm', minVramGb: 8 });
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM nodes WHERE id = $1 FOR NO KEY UPDATE', [held.id]);
      expect(await placeOnNode(pool, held.id)).toBe('locked');
      expect(await schedulePass(pool)).toEqual({ placed: [], locked: 1 });
      expect(await status(d.id)).toMatchObject({ status: 'queued' });
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    expect(await placeOnNode(pool, held.id)).toMatchObject({ deployment: { id: d.id, status: 'scheduled', nodeId: held.id } });
  });

  it('never gives one node two deployments when schedulers race', async () => {
    const one = await node('one', 80);
    await Promise.all(Array.from({ length: 5 }, (_, i) => createDeployment(pool, { model: `m${i}`, minVramGb: 8 })));
    const results = await Promise.all(Array.from({ length: 8 }, () => scheduleOnNode(pool, one.id)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await pool.query("SELECT count(*)::int AS n FROM deployments WHERE status = 'scheduled'")).rows[0].n).toBe(1);
  });

  it('clears a waiting reason as it schedules, and keeps other errors', async () => {
    await node('n', 80);
    const d = await createDeployment(pool, { model: 'm', minVramGb: 8 });
    await pool.query("UPDATE deployments SET error = 'waiting: no online node with ≥ 8 GB VRAM' WHERE id = $1", [d.id]);
    const [placed] = await scheduleQueued(pool);
    expect(placed?.deployment.error).toBeNull();
  });
});

describe('waiting reasons', () => {
  it('are written with one event each, only when they change, and only on queued rows', async () => {
    const a = await createDeployment(pool, { model: 'a', minVramGb: 8 });
    const b = await createDeployment(pool, { model: 'b', minVramGb: 8 });
    await transitionDeployment(pool, b.id, 'cancelled');
    const reasons = [
      { id: a.id, reason: 'waiting: x' },
      { id: b.id, reason: 'waiting: x' },
    ];
    expect(await setWaitingReasons(pool, reasons)).toBe(1);
    expect(await setWaitingReasons(pool, reasons)).toBe(0);
    expect(await setWaitingReasons(pool, [{ id: a.id, reason: 'waiting: y' }])).toBe(1);
    const events = await pool.query(`SELECT data->'deployment'->>'error' AS error FROM events WHERE type = 'deployment.updated' AND data->'deployment'->>'id' = $1 ORDER BY id`, [a.id]);
    expect(events.rows.map((r) => r.error)).toEqual(['waiting: x', 'waiting: y']);
    expect((await status(b.id)).error).toBeNull();
  });
});

describe('deploymentsPage', () => {
  it('walks every row exactly once, even rows created in the same microsecond', async () => {
    await pool.query(`INSERT INTO deployments (model, min_vram_gb, created_at) SELECT 'same-' || i, 8, '2026-01-01T00:00:00.123456Z' FROM generate_series(1, 25) AS i`);
    await pool.query(`INSERT INTO deployments (model, min_vram_gb) SELECT 'now-' || i, 8 FROM generate_series(1, 12) AS i`);
    const seen: string[] = [];
    let after: PageCursor | undefined;
    do {
      const page = await deploymentsPage(pool, { statuses: ['queued'], after, limit: 7 });
      seen.push(...page.items.map((d) => d.id));
      after = page.next;
    } while (after);
    expect(seen).toHaveLength(37);
    expect(new Set(seen).size).toBe(37);
  });
});

describe('requeueIfStill', () => {
  it('sends back only a deployment still in the expected state on the expected node', async () => {
    const n = await node('n', 80);
    const d = await createDeployment(pool, { model: 'm', minVramGb: 8 });
    await scheduleQueued(pool);
    await transitionDeployment(pool, d.id, 'running', { progress: 5 });
    expect(await requeueIfStill(pool, d.id, { status: 'scheduled', nodeId: n.id }, 'stale')).toBeUndefined();
    expect((await status(d.id)).status).toBe('running');
    const moved = await requeueIfStill(pool, d.id, { status: 'running', nodeId: n.id }, 'node lost it');
    expect(moved).toMatchObject({ status: 'queued', nodeId: null, error: 'node lost it' });
  });
});
