import type { Pool } from 'pg';
import type { DeploymentRecord, DeploymentState, NodeRecord } from '@hypernode/events';
import { CURSOR_AT_SQL } from './cursor.js';
import { toDeployment, toNode, type DeploymentRow, type NodeRow } from './rows.js';
import { transitionIn } from './deployments.js';
import { recordEvent, withTransaction } from './transaction.js';

/** Prefix of the `error` a queued deployment carries while it waits for a node. */
export const WAITING_PREFIX = 'waiting: ';

/** A node that may take a deployment: online, with nothing scheduled or running on it. */
const FREE_NODE = `n.status = 'online'
  AND NOT EXISTS (SELECT 1 FROM deployments x WHERE x.node_id = n.id AND x.status IN ('scheduled', 'running'))`;

/**
 * Ids of the free nodes, smallest free VRAM first: each node then takes the oldest deployment
 * that fits it, so small jobs fill small nodes and big nodes stay free for big jobs.
 */
export async function freeNodeIds(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(`SELECT n.id FROM nodes n WHERE ${FREE_NODE} ORDER BY n.free_vram_gb, n.load, n.id`);
  return rows.map((r) => r.id);
}

/** What one placement attempt on a node found: placed, nothing to do, or the node's row held by another transaction. */
export type Placement = { deployment: DeploymentRecord; node: NodeRecord } | 'locked' | undefined;

/**
 * Gives one free node the oldest queued deployment that fits it (enough free VRAM, the GPU
 * model when one is asked for). Deployments no node can take are skipped by the query itself,
 * so they never hold up one that can run. Both rows are taken with SKIP LOCKED (order: node,
 * then deployment, then the outbox), so concurrent schedulers never wait on each other nor
 * give one node two deployments. A `waiting: …` reason is cleared as it is scheduled.
 * `'locked'` when another transaction (a heartbeat, another scheduler) held the node's row:
 * the caller looks again shortly, since nothing else will wake it for a node that stays free.
 * Undefined when the node is busy, gone or nothing fits it.
 */
export function placeOnNode(pool: Pool, nodeId: string): Promise<Placement> {
  return withTransaction(pool, async (client): Promise<Placement> => {
    // Locked first, judged after: a row skipped because it is locked must not look like a busy node.
    const nodes = await client.query<NodeRow>('SELECT * FROM nodes WHERE id = $1 FOR NO KEY UPDATE SKIP LOCKED', [nodeId]);
    const node = nodes.rows[0];
    if (!node) return (await client.query('SELECT 1 FROM nodes WHERE id = $1', [nodeId])).rowCount ? 'locked' : undefined;
    if (node.status !== 'online') return undefined;
    // A scheduler that held the lock may have committed between freeNodeIds' snapshot and the
    // lock: this statement's snapshot is taken after the lock, so NOT EXISTS sees its placement.
    // The whole row, locked: the transition below uses it instead of reading it again.
    const picked = await client.query<DeploymentRow>(
      `SELECT * FROM deployments
        WHERE status = 'queued' AND min_vram_gb <= $1 AND (gpu_model IS NULL OR gpu_model = $2)
          AND NOT EXISTS (SELECT 1 FROM deployments x WHERE x.node_id = $3 AND x.status IN ('scheduled', 'running'))
        ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [node.free_vram_gb, node.gpu_model, nodeId],
    );
    const row = picked.rows[0];
    if (!row) return undefined;
    const deployment = await transitionIn(client, row.id, 'scheduled', { nodeId, clearError: row.error?.startsWith(WAITING_PREFIX) ?? false }, row);
    return { deployment: deployment!, node: toNode(node) };
  });
}

/** placeOnNode without the `'locked'` distinction: undefined when nothing was placed. */
export async function scheduleOnNode(pool: Pool, nodeId: string): Promise<{ deployment: DeploymentRecord; node: NodeRecord } | undefined> {
  const placed = await placeOnNode(pool, nodeId);
  return placed === 'locked' ? undefined : placed;
}

/** One pass over every free node: what was scheduled where, and how many free nodes were locked by another transaction. */
export async function schedulePass(pool: Pool): Promise<{ placed: Array<{ deployment: DeploymentRecord; node: NodeRecord }>; locked: number }> {
  const placed: Array<{ deployment: DeploymentRecord; node: NodeRecord }> = [];
  let locked = 0;
  for (const nodeId of await freeNodeIds(pool)) {
    const one = await placeOnNode(pool, nodeId);
    if (one === 'locked') locked += 1;
    else if (one) placed.push(one);
  }
  return { placed, locked };
}

/** Schedules onto every free node that something fits; returns what was scheduled where. */
export async function scheduleQueued(pool: Pool): Promise<Array<{ deployment: DeploymentRecord; node: NodeRecord }>> {
  return (await schedulePass(pool)).placed;
}

/** Keyset position in a page walk: the (createdAt, id) of the last row seen. */
export interface PageCursor {
  createdAt: string;
  id: string;
}

/** A page of deployments in the given states, oldest first, after `after`. */
export async function deploymentsPage(
  pool: Pool,
  query: { statuses: DeploymentState[]; after?: PageCursor; limit: number },
): Promise<{ items: DeploymentRecord[]; next: PageCursor | undefined }> {
  const after = query.after ?? { createdAt: '-infinity', id: '00000000-0000-0000-0000-000000000000' };
  // The cursor keeps PostgreSQL's microseconds; a JS Date would round them away and repeat rows.
  const { rows } = await pool.query<DeploymentRow & { cursor_at: string }>(
    `SELECT *, ${CURSOR_AT_SQL} FROM deployments
      WHERE status = ANY($1::text[]) AND (created_at, id) > ($2::timestamptz, $3::uuid)
      ORDER BY created_at, id LIMIT $4`,
    [query.statuses, after.createdAt, after.id, query.limit],
  );
  const last = rows.at(-1);
  return { items: rows.map(toDeployment), next: last && rows.length === query.limit ? { createdAt: last.cursor_at, id: last.id } : undefined };
}

/** What the waiting reason is computed from: an online node's size, GPU, and whether it is taken. */
export type NodeCapacity = Pick<NodeRecord, 'vramGb' | 'freeVramGb' | 'gpuModel'> & { busy: boolean };

/** Every online node's size, GPU model and whether something is scheduled or running on it. */
export async function onlineCapacities(pool: Pool): Promise<NodeCapacity[]> {
  const { rows } = await pool.query<{ vram_gb: string; free_vram_gb: string; gpu_model: string; busy: boolean }>(
    `SELECT vram_gb, free_vram_gb, gpu_model,
            EXISTS (SELECT 1 FROM deployments x WHERE x.node_id = n.id AND x.status IN ('scheduled', 'running')) AS busy
       FROM nodes n WHERE n.status = 'online'`,
  );
  return rows.map((r) => ({ vramGb: Number(r.vram_gb), freeVramGb: Number(r.free_vram_gb), gpuModel: r.gpu_model, busy: r.busy }));
}

/**
 * Why a queued deployment is still waiting, for its public `error`: no online node is big
 * enough (or has its GPU model), or every one that is is busy. Undefined when a node that fits
 * is free right now (the next scheduling pass places it; no reason worth an event).
 */
export function waitingReason(d: Pick<DeploymentRecord, 'minVramGb' | 'gpuModel'>, nodes: NodeCapacity[]): string | undefined {
  const need = `≥ ${d.minVramGb} GB VRAM${d.gpuModel ? ` and a ${d.gpuModel}` : ''}`;
  const fitting = nodes.filter((n) => n.vramGb >= d.minVramGb && (!d.gpuModel || n.gpuModel === d.gpuModel));
  if (fitting.length === 0) return `${WAITING_PREFIX}no online node with ${need}`;
  if (fitting.some((n) => !n.busy && n.freeVramGb >= d.minVramGb)) return undefined;
  return `${WAITING_PREFIX}every online node with ${need} is busy`;
}

/**
 * Sets the waiting reason of queued deployments whose reason changed, with a
 * `deployment.updated` event each, in one transaction. Rows another transaction holds, or
 * that left the queue, are skipped (the next sweep sees them). Returns how many changed.
 */
export function setWaitingReasons(pool: Pool, reasons: Array<{ id: string; reason: string }>): Promise<number> {
  if (reasons.length === 0) return Promise.resolve(0);
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<DeploymentRow>(
      `WITH wanted AS (SELECT * FROM unnest($1::uuid[], $2::text[]) AS w(id, reason)),
            locked AS (SELECT d.id FROM deployments d JOIN wanted w ON w.id = d.id
                        WHERE d.status = 'queued' AND d.error IS DISTINCT FROM w.reason
                        ORDER BY d.id FOR UPDATE OF d SKIP LOCKED)
       UPDATE deployments d SET error = w.reason, updated_at = now()
         FROM wanted w, locked l WHERE d.id = w.id AND d.id = l.id
       RETURNING d.*`,
      [reasons.map((r) => r.id), reasons.map((r) => r.reason)],
    );
    for (const row of rows) await recordEvent(client, 'deployment.updated', { deployment: toDeployment(row), from: 'queued' });
    return rows.length;
  });
}

/**
 * Sends a deployment back to the queue with `reason` — only if it is still `expected.status`
 * on `expected.nodeId`, so a stale follower never pulls back one that moved on (completed,
 * or already rescheduled elsewhere). Undefined when it had moved on.
 */
export function requeueIfStill(pool: Pool, id: string, expected: { status: 'scheduled' | 'running'; nodeId: string }, reason: string): Promise<DeploymentRecord | undefined> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: string }>('SELECT id FROM deployments WHERE id = $1 AND status = $2 AND node_id = $3 FOR UPDATE', [id, expected.status, expected.nodeId]);
    if (!rows[0]) return undefined;
    return transitionIn(client, id, 'queued', { nodeId: null, error: reason });
  });
}
