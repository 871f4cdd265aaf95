import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadCursorError } from './cursor.js';
import { createDeployment, getDeployment, listDeployments, NotAssignedError, transitionDeployment } from './deployments.js';
import { getNode, heartbeat, listNodes, registerNode, takeNodesOffline } from './nodes.js';
import { migratedTestPool } from './test-database.js';

let db: Awaited<ReturnType<typeof migratedTestPool>>;
beforeAll(async () => {
  db = await migratedTestPool();
});
afterAll(async () => {
  await db?.close();
});

const register = async (name: string) => (await registerNode(db.pool, { name, gpuModel: 'SIM', vramGb: 80, workerUrl: 'http://127.0.0.1:1/' })).node;
const nodeEvents = async (id: string) => (await db.pool.query("SELECT id FROM events WHERE type = 'node.updated' AND data->'node'->>'id' = $1", [id])).rowCount;

describe('heartbeats', () => {
  it('update the row every time but write node.updated only when what a client shows changes', async () => {
    const node = await register('beating');
    await heartbeat(db.pool, node.id, { load: 0, freeVramGb: 80 });
    await heartbeat(db.pool, node.id, { load: 0.04, freeVramGb: 80 }); // load rounds to 0.0: same
    expect(await nodeEvents(node.id)).toBe(0);
    const before = (await listNodes(db.pool, { limit: 100 })).items.find((n) => n.id === node.id)!;
    await heartbeat(db.pool, node.id, { load: 0.04, freeVramGb: 80 });
    const after = (await listNodes(db.pool, { limit: 100 })).items.find((n) => n.id === node.id)!;
    expect(Date.parse(after.lastHeartbeatAt)).toBeGreaterThanOrEqual(Date.parse(before.lastHeartbeatAt));
    expect(after.load).toBe(0.04);

    await heartbeat(db.pool, node.id, { load: 0.04, freeVramGb: 40 }); // free VRAM
    await heartbeat(db.pool, node.id, { load: 0.5, freeVramGb: 40 }); // load 0.0 → 0.5
    expect(await nodeEvents(node.id)).toBe(2);
    await takeNodesOffline(db.pool, { id: node.id }); // status (its own event)
    await heartbeat(db.pool, node.id, { load: 0.5, freeVramGb: 40 }); // back online
    expect(await nodeEvents(node.id)).toBe(4);
    expect(await heartbeat(db.pool, '00000000-0000-4000-8000-000000000000', { load: 0, freeVramGb: 1 })).toBeUndefined();
  });
});

describe('listNodes', () => {
  it('pages newest first by status, neither skipping nor repeating, and refuses a bad cursor', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await register(`paged-${i}`)).id);
    await takeNodesOffline(db.pool, { id: made[2]! });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listNodes(db.pool, { status: 'online', limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      expect(page.items.every((n) => n.status === 'online')).toBe(true);
      seen.push(...page.items.map((n) => n.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.filter((id) => made.includes(id))).toEqual([made[4], made[3], made[1], made[0]]);
    expect(new Set(seen).size).toBe(seen.length);
    await expect(listNodes(db.pool, { limit: 2, cursor: 'garbage' })).rejects.toThrow(BadCursorError);
  });
});

describe('list pages', () => {
  it('print every field as the single-row reads do (timestamps formatted by PostgreSQL: UTC, milliseconds)', async () => {
    // Sub-millisecond parts on purpose: both ways must cut them the same.
    const node = await register('same-fields');
    await db.pool.query("UPDATE nodes SET created_at = '2026-03-04 05:06:07.123987+00', last_heartbeat_at = '1999-12-31 23:59:59.999999-02' WHERE id = $1", [node.id]);
    const listed = (await listNodes(db.pool, { limit: 500 })).items.find((n) => n.id === node.id);
    expect(listed).toEqual(await getNode(db.pool, node.id));
    expect(listed).toMatchObject({ createdAt: '2026-03-04T05:06:07.123Z', lastHeartbeatAt: '2000-01-01T01:59:59.999Z' });
    const deployment = await createDeployment(db.pool, { model: 'same-fields', minVramGb: 8 });
    const page = await listDeployments(db.pool, { limit: 500 });
    expect(page.items.find((d) => d.id === deployment.id)).toEqual(await getDeployment(db.pool, deployment.id));
  });
});

describe('reports by a node', () => {
  it('move a deployment only while it is assigned to that node, checked under the row lock', async () => {
    const a = await register('assigned-a');
    const b = await register('assigned-b');
    const d = await createDeployment(db.pool, { model: 'm', minVramGb: 1 });
    await transitionDeployment(db.pool, d.id, 'scheduled', { nodeId: b.id });
    await expect(transitionDeployment(db.pool, d.id, 'running', { progress: 5, assignedTo: a.id })).rejects.toThrow(NotAssignedError);
    expect((await transitionDeployment(db.pool, d.id, 'running', { progress: 5, assignedTo: b.id }))?.status).toBe('running');
  });
});
