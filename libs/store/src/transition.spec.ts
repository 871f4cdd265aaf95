import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '@hypernode/events';
import { createDeployment, NotAssignedError, transitionDeployment } from './deployments.js';
import { createJoinToken } from './credentials.js';
import { registerNode } from './nodes.js';
import { migratedTestPool } from './test-database.js';

let db: Awaited<ReturnType<typeof migratedTestPool>>;
beforeAll(async () => {
  db = await migratedTestPool();
});
afterAll(async () => {
  await db?.close();
});

const node = async (name: string) => {
  const { token } = await createJoinToken(db.pool, { uses: 1, ttlS: 60 });
  return (await registerNode(db.pool, { name: `${name}-${randomUUID().slice(0, 6)}`, gpuModel: 'SIM', vramGb: 80, workerUrl: 'http://127.0.0.1:1/' }, { joinToken: token })).node;
};
const updates = async (id: string) =>
  (await db.pool.query<{ from: string; to: string; progress: number }>("SELECT data->>'from' AS from, data->'deployment'->>'status' AS to, (data->'deployment'->>'progress')::float AS progress FROM events WHERE type = 'deployment.updated' AND data->'deployment'->>'id' = $1 ORDER BY id", [id])).rows;

describe('transitionDeployment (one statement: lock, check, update)', () => {
  it('moves along legal transitions, each with its event naming the state it came from; running → running is a progress update', async () => {
    const n = await node('moves');
    const d = await createDeployment(db.pool, { model: 't', minVramGb: 1 });
    expect((await transitionDeployment(db.pool, d.id, 'scheduled', { nodeId: n.id }))?.nodeId).toBe(n.id);
    expect((await transitionDeployment(db.pool, d.id, 'running', { progress: 10, assignedTo: n.id }))?.progress).toBe(10);
    expect((await transitionDeployment(db.pool, d.id, 'running', { progress: 60, assignedTo: n.id }))?.progress).toBe(60);
    expect((await transitionDeployment(db.pool, d.id, 'completed', { assignedTo: n.id }))?.progress).toBe(100);
    expect(await updates(d.id)).toEqual([
      { from: 'queued', to: 'scheduled', progress: 0 },
      { from: 'scheduled', to: 'running', progress: 10 },
      { from: 'running', to: 'running', progress: 60 },
      { from: 'running', to: 'completed', progress: 100 },
    ]);
  });

  it('refuses in the order the checks hold: unknown → undefined, another node → NotAssignedError, then an illegal move → IllegalTransitionError with the current state; nothing written', async () => {
    const [a, b] = [await node('owner'), await node('other')];
    expect(await transitionDeployment(db.pool, randomUUID(), 'running')).toBeUndefined();
    const d = await createDeployment(db.pool, { model: 't', minVramGb: 1 });
    await transitionDeployment(db.pool, d.id, 'scheduled', { nodeId: a.id });
    await expect(transitionDeployment(db.pool, d.id, 'completed', { assignedTo: b.id })).rejects.toThrow(NotAssignedError);
    const illegal = await transitionDeployment(db.pool, d.id, 'completed', { assignedTo: a.id }).catch((e: unknown) => e);
    expect(illegal).toBeInstanceOf(IllegalTransitionError);
    expect(illegal).toMatchObject({ from: 'scheduled', to: 'completed' });
    // A queued deployment is assigned to nobody: any node is refused as not assigned.
    const q = await createDeployment(db.pool, { model: 't', minVramGb: 1 });
    await expect(transitionDeployment(db.pool, q.id, 'running', { assignedTo: a.id })).rejects.toThrow(NotAssignedError);
    expect(await updates(d.id)).toEqual([{ from: 'queued', to: 'scheduled', progress: 0 }]);
    expect(await updates(q.id)).toEqual([]);
  });

  it('two racing moves from the same state: exactly one wins, the other is judged against the state the winner left', async () => {
    const n = await node('race');
    for (let round = 0; round < 10; round++) {
      const d = await createDeployment(db.pool, { model: 'race', minVramGb: 1 });
      await transitionDeployment(db.pool, d.id, 'scheduled', { nodeId: n.id });
      const outcomes = await Promise.allSettled([transitionDeployment(db.pool, d.id, 'cancelled'), transitionDeployment(db.pool, d.id, 'running', { assignedTo: n.id })]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      const final = (await db.pool.query<{ status: string }>('SELECT status FROM deployments WHERE id = $1', [d.id])).rows[0]!.status;
      if (won.length === 2) {
        // running first, then cancelled from running: both legal in that order.
        expect(final).toBe('cancelled');
        expect((await updates(d.id)).map((u) => `${u.from}>${u.to}`)).toEqual(['queued>scheduled', 'scheduled>running', 'running>cancelled']);
      } else {
        expect(won).toHaveLength(1);
        expect(final).toBe('cancelled');
        expect(lost[0]!.reason).toBeInstanceOf(IllegalTransitionError);
        expect(lost[0]!.reason).toMatchObject({ from: 'cancelled', to: 'running' });
        expect((await updates(d.id)).map((u) => `${u.from}>${u.to}`)).toEqual(['queued>scheduled', 'scheduled>cancelled']);
      }
    }
  });
});
