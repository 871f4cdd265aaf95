import type { Pool } from 'pg';
import type { NodeRecord } from '@hypernode/events';
import { toNode, type NodeRow } from './rows.js';
import { transitionIn } from './deployments.js';
import { recordEvent, withTransaction } from './transaction.js';

/** What a worker sends to register. */
export interface NodeRegistration {
  name: string;
  gpuModel: string;
  vramGb: number;
  workerUrl: string;
}

/**
 * Registers a node, or re-registers one that restarts under the same name (it comes back
 * online with full free VRAM); writes `node.registered` in the same transaction.
 */
export function registerNode(pool: Pool, node: NodeRegistration): Promise<NodeRecord> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<NodeRow>(
      `INSERT INTO nodes (name, gpu_model, vram_gb, free_vram_gb, worker_url)
       VALUES ($1, $2, $3, $3, $4)
       ON CONFLICT (name) DO UPDATE SET gpu_model = EXCLUDED.gpu_model, vram_gb = EXCLUDED.vram_gb,
         free_vram_gb = EXCLUDED.vram_gb, worker_url = EXCLUDED.worker_url, status = 'online', load = 0, last_heartbeat_at = now()
       RETURNING *`,
      [node.name, node.gpuModel, node.vramGb, node.workerUrl],
    );
    const record = toNode(rows[0]!);
    await recordEvent(client, 'node.registered', { node: record });
    return record;
  });
}

/** Records a heartbeat; undefined when the node does not exist. */
export function heartbeat(pool: Pool, id: string, beat: { load: number; freeVramGb: number }): Promise<NodeRecord | undefined> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<NodeRow>(
      `UPDATE nodes SET load = $2, free_vram_gb = LEAST($3, vram_gb), status = 'online', last_heartbeat_at = now() WHERE id = $1 RETURNING *`,
      [id, beat.load, beat.freeVramGb],
    );
    if (!rows[0]) return undefined;
    const record = toNode(rows[0]);
    await recordEvent(client, 'node.updated', { node: record });
    return record;
  });
}

/** Every node, newest first. */
export async function listNodes(pool: Pool): Promise<NodeRecord[]> {
  const { rows } = await pool.query<NodeRow>('SELECT * FROM nodes ORDER BY created_at DESC, id DESC');
  return rows.map(toNode);
}

/** One node, or undefined. */
export async function getNode(pool: Pool, id: string): Promise<NodeRecord | undefined> {
  const { rows } = await pool.query<NodeRow>('SELECT * FROM nodes WHERE id = $1', [id]);
  return rows[0] && toNode(rows[0]);
}

/**
 * Takes nodes offline — those whose last heartbeat is older than `staleSeconds`, or the one
 * given — and sends their scheduled or running deployments back to the queue, all with events,
 * in one transaction. Returns the nodes taken offline.
 */
export function takeNodesOffline(pool: Pool, which: { staleSeconds: number } | { id: string }): Promise<NodeRecord[]> {
  return withTransaction(pool, async (client) => {
    const { rows } =
      'id' in which
        ? await client.query<NodeRow>("UPDATE nodes SET status = 'offline' WHERE id = $1 AND status = 'online' RETURNING *", [which.id])
        : await client.query<NodeRow>("UPDATE nodes SET status = 'offline' WHERE status = 'online' AND last_heartbeat_at < now() - make_interval(secs => $1) RETURNING *", [which.staleSeconds]);
    const nodes = rows.map(toNode);
    for (const node of nodes) {
      await recordEvent(client, 'node.updated', { node });
      const active = await client.query<{ id: string }>("SELECT id FROM deployments WHERE node_id = $1 AND status IN ('scheduled', 'running')", [node.id]);
      for (const { id } of active.rows) await transitionIn(client, id, 'queued', { nodeId: null, error: `node ${node.name} went offline; rescheduling` });
    }
    return nodes;
  });
}
