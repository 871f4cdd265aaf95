import type { Pool } from 'pg';
import type { DeploymentRecord, NodeRecord } from '@hypernode/events';
import { toDeployment, toNode, type DeploymentRow, type NodeRow } from './rows.js';

/** The node's columns the engine needs, each read as `n_<column>` beside the deployment's own. */
const NODE_COLUMNS: ReadonlyArray<keyof NodeRow | 'dispatch_secret'> = ['id', 'name', 'gpu_model', 'vram_gb', 'free_vram_gb', 'load', 'worker_url', 'status', 'last_heartbeat_at', 'created_at', 'dispatch_secret'];
const SQL = `SELECT d.*, ${NODE_COLUMNS.map((c) => `n.${c} AS n_${c}`).join(', ')} FROM deployments d LEFT JOIN nodes n ON n.id = d.node_id WHERE d.id = $1`;

/** A deployment, its node (when it has one) and that node's dispatch secret. */
export interface DeploymentForDispatch {
  deployment: DeploymentRecord;
  node: NodeRecord | undefined;
  dispatchSecret: string | undefined;
}

/**
 * What every step of the engine's deploy workflow reads — the deployment, and its node with the
 * secret the engine dispatches to that node's worker with — in one query (one round trip per
 * step, not two); undefined for an unknown deployment.
 */
export async function deploymentForDispatch(pool: Pool, id: string): Promise<DeploymentForDispatch | undefined> {
  const { rows } = await pool.query<DeploymentRow & Record<string, unknown>>(SQL, [id]);
  const row = rows[0];
  if (!row) return undefined;
  const node = row.n_id === null ? undefined : (Object.fromEntries(NODE_COLUMNS.map((c) => [c, row[`n_${c}`]])) as unknown as NodeRow & { dispatch_secret: string | null });
  return { deployment: toDeployment(row), node: node && toNode(node), dispatchSecret: node?.dispatch_secret ?? undefined };
}
