import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createDeployment, getDeployment, transitionDeployment } from './deployments.js';
import { deploymentForDispatch } from './dispatch-read.js';
import { getNode, registerNode } from './nodes.js';
import { createJoinToken } from './credentials.js';
import { migratedTestPool } from './test-database.js';

let db: Awaited<ReturnType<typeof migratedTestPool>>;
beforeAll(async () => {
  db = await migratedTestPool();
});
afterAll(async () => {
  await db?.close();
});

describe('deploymentForDispatch', () => {
  it('reads the deployment, its node and the dispatch secret exactly as the separate reads give them', async () => {
    const { token } = await createJoinToken(db.pool, { uses: 1, ttlS: 60 });
    const registered = await registerNode(db.pool, { name: `dispatch-read-${randomUUID().slice(0, 8)}`, gpuModel: 'SIM', vramGb: 40, workerUrl: 'http://127.0.0.1:1/' }, { joinToken: token });
    const made = await createDeployment(db.pool, { model: 'dispatch-read', minVramGb: 1 });
    await transitionDeployment(db.pool, made.id, 'scheduled', { nodeId: registered.node.id });
    const secret = (await db.pool.query<{ s: string }>('SELECT dispatch_secret AS s FROM nodes WHERE id = $1', [registered.node.id])).rows[0]!.s;
    expect(await deploymentForDispatch(db.pool, made.id)).toEqual({ deployment: await getDeployment(db.pool, made.id), node: await getNode(db.pool, registered.node.id), dispatchSecret: secret });
    expect(secret).toBe(registered.dispatchSecret);
  });

  it('a deployment without a node has none; an unknown id is undefined', async () => {
    const queued = await createDeployment(db.pool, { model: 'dispatch-read-queued', minVramGb: 1 });
    expect(await deploymentForDispatch(db.pool, queued.id)).toEqual({ deployment: await getDeployment(db.pool, queued.id), node: undefined, dispatchSecret: undefined });
    expect(await deploymentForDispatch(db.pool, randomUUID())).toBeUndefined();
  });
});
