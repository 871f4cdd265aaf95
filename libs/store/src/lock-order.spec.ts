import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentRecord } from '@hypernode/events';
import { createDeployment, transitionDeployment } from './deployments.js';
import { registerNode, takeNodesOffline } from './nodes.js';
import { migratedTestPool } from './test-database.js';

// 100 by default; STORE_RACE_ROUNDS=1000 for the fault-suite size.
const ROUNDS = Number(process.env.STORE_RACE_ROUNDS ?? 100);
const AT_ONCE = 4;

let db: Awaited<ReturnType<typeof migratedTestPool>>;
beforeAll(async () => {
  db = await migratedTestPool(AT_ONCE * 4);
});
afterAll(async () => {
  await db?.close();
});

/** One round: a running deployment, then node offline ‖ progress report ‖ cancel. */
async function round(i: number): Promise<{ id: string; failures: unknown[] }> {
  const { node } = await registerNode(db.pool, { name: `race-${i % AT_ONCE}`, gpuModel: 'SIM', vramGb: 80, workerUrl: 'http://127.0.0.1:1/' });
  const { id } = await createDeployment(db.pool, { model: `race-${i}`, minVramGb: 1 });
  await transitionDeployment(db.pool, id, 'scheduled', { nodeId: node.id });
  await transitionDeployment(db.pool, id, 'running', { progress: 1 });
  const results = await Promise.allSettled([
    takeNodesOffline(db.pool, { id: node.id }),
    transitionDeployment(db.pool, id, 'running', { progress: 50 }),
    transitionDeployment(db.pool, id, 'cancelled'),
  ]);
  return { id, failures: results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : [])) };
}

describe('lock order', () => {
  it(`node offline racing a progress report and a cancel: no deadlock and no lost transition (${ROUNDS} rounds)`, { timeout: 60_000 + ROUNDS * 200 }, async () => {
    const outcomes: Array<{ id: string; failures: unknown[] }> = [];
    for (let start = 0; start < ROUNDS; start += AT_ONCE) {
      outcomes.push(...(await Promise.all(Array.from({ length: Math.min(AT_ONCE, ROUNDS - start) }, (_, k) => round(start + k)))));
    }
    const failures = outcomes.flatMap((o) => o.failures) as Array<{ code?: string }>;
    expect(failures.filter((f) => f.code === '40P01')).toEqual([]);
    // The only refusal allowed is a move the state machine forbids (e.g. progress after cancel).
    expect(failures.filter((f) => f.code !== 'E_ILLEGAL_TRANSITION')).toEqual([]);

    const { rows } = await db.pool.query<{ data: { deployment: DeploymentRecord; from?: string }; type: string }>(
      "SELECT type, data FROM events WHERE type LIKE 'deployment.%' ORDER BY id",
    );
    const chains = new Map<string, Array<{ type: string; from?: string; status: string }>>();
    for (const { type, data } of rows) {
      const chain = chains.get(data.deployment.id) ?? [];
      chain.push({ type, from: data.from, status: data.deployment.status });
      chains.set(data.deployment.id, chain);
    }
    const finals = await db.pool.query<{ id: string; status: string }>('SELECT id, status FROM deployments');
    expect(finals.rows).toHaveLength(ROUNDS);
    for (const { id, status } of finals.rows) {
      const chain = chains.get(id)!;
      expect(chain[0]!.type).toBe('deployment.created');
      for (let k = 1; k < chain.length; k++) expect({ id, k, from: chain[k]!.from }).toEqual({ id, k, from: chain[k - 1]!.status });
      expect(chain.at(-1)!.status).toBe(status);
    }
  });
});
