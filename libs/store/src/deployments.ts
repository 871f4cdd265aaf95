import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { currentTraceparent } from '@hypernode/telemetry';
import { assertTransition, canTransition, DEPLOYMENT_STATES, type DeploymentRecord, type DeploymentState } from '@hypernode/events';
import { pageNewestFirst, type Page } from './page.js';
import { toDeployment, type DeploymentRow } from './rows.js';
import { recordEvent, withTransaction } from './transaction.js';

/** What a client sends to create a deployment. */
export interface NewDeployment {
  model: string;
  gpuModel?: string;
  minVramGb: number;
  maxDurationS?: number;
}

/** Creates a queued deployment and its `deployment.created` event in one transaction. */
export async function createDeployment(pool: Pool, input: NewDeployment): Promise<DeploymentRecord> {
  return (await createDeploymentOnce(pool, input)).deployment;
}

/** An Idempotency-Key was used before with another body: names the key and the deployment it made. */
export class IdempotencyKeyReusedError extends Error {
  readonly code = 'E_IDEMPOTENCY_KEY_REUSED';
  constructor(
    readonly key: string,
    readonly deploymentId: string,
  ) {
    super(`Idempotency-Key ${JSON.stringify(key)} was first sent with another body, and made deployment ${deploymentId}: send that same body to get it again, or a new key for a new deployment`);
  }
}

/** Digest of what a create asks for, so a key reused with another body is told apart from a retry. */
const digestOf = (input: NewDeployment): string => createHash('sha256').update(JSON.stringify([input.model, input.gpuModel ?? null, input.minVramGb, input.maxDurationS ?? null])).digest('hex');

/**
 * createDeployment, optionally under an idempotency key of `owner` (who calls): the first call
 * creates the deployment and its event; a later one with the same key and body — a retry after a
 * timeout or a lost answer, even one racing the first — gets that deployment as it is now
 * (`replayed`), and writes nothing; the same key with another body throws IdempotencyKeyReusedError.
 * Without a key every call creates one (a NULL key never conflicts).
 */
export function createDeploymentOnce(pool: Pool, input: NewDeployment, idempotency?: { key: string; owner: string }): Promise<{ deployment: DeploymentRecord; replayed: boolean }> {
  const digest = idempotency ? digestOf(input) : null;
  return withTransaction(pool, async (client) => {
    // A concurrent first call with the same key makes this INSERT wait for its COMMIT, then do nothing.
    const { rows } = await client.query<DeploymentRow>(
      `INSERT INTO deployments (model, gpu_model, min_vram_gb, max_duration_s, traceparent, idempotency_key, idempotency_owner, idempotency_digest)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (idempotency_owner, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING *`,
      [input.model, input.gpuModel ?? null, input.minVramGb, input.maxDurationS ?? null, currentTraceparent() ?? null, idempotency?.key ?? null, idempotency?.owner ?? null, digest],
    );
    if (rows[0]) {
      const record = toDeployment(rows[0]);
      await recordEvent(client, 'deployment.created', { deployment: record });
      return { deployment: record, replayed: false };
    }
    // Only a key conflicts, and deployments are never deleted: the row the conflict named is there.
    const first = await client.query<DeploymentRow & { idempotency_digest: string }>('SELECT * FROM deployments WHERE idempotency_owner = $1 AND idempotency_key = $2', [idempotency!.owner, idempotency!.key]);
    const row = first.rows[0]!;
    if (row.idempotency_digest !== digest) throw new IdempotencyKeyReusedError(idempotency!.key, row.id);
    return { deployment: toDeployment(row), replayed: true };
  });
}

/**
 * The trace context the deployment was created in (its POST), or undefined (created with tracing
 * off, or unknown): the automation engine continues that trace when it schedules the deployment.
 */
export async function deploymentTraceparent(pool: Pool, id: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ traceparent: string | null }>('SELECT traceparent FROM deployments WHERE id = $1', [id]);
  return rows[0]?.traceparent ?? undefined;
}

/** One deployment, or undefined. */
export async function getDeployment(pool: Pool, id: string): Promise<DeploymentRecord | undefined> {
  const { rows } = await pool.query<DeploymentRow>('SELECT * FROM deployments WHERE id = $1', [id]);
  return rows[0] && toDeployment(rows[0]);
}

/** A page of deployments, newest first, optionally of one status. */
export function listDeployments(pool: Pool, query: { status?: DeploymentState; limit: number; cursor?: string }): Promise<Page<DeploymentRecord>> {
  return pageNewestFirst<DeploymentRow, DeploymentRecord>(pool, 'deployments', toDeployment, query);
}

/** Fields a transition may set besides the state. `nodeId: null` clears the node. */
export interface TransitionPatch {
  nodeId?: string | null;
  progress?: number;
  error?: string;
  /** Clears `error` (a waiting reason that no longer holds); `error` wins when both are given. */
  clearError?: boolean;
  /** Only when the deployment is (still) assigned to this node: checked under the row lock, else NotAssignedError. */
  assignedTo?: string;
}

/** A node reported on a deployment that is not (or no longer) assigned to it. */
export class NotAssignedError extends Error {
  readonly code = 'E_NOT_ASSIGNED';
  constructor(id: string, node: string) {
    super(`deployment ${id} is not assigned to node ${node}: a node reports only on its own deployments`);
    this.name = 'NotAssignedError';
  }
}

/**
 * Moves a deployment to `to` (row locked, transition checked; `running → running` is a
 * progress update) and writes `deployment.updated` in the same transaction (locks: the
 * deployment row, then the outbox lock at commit — see lock-order.ts). Throws
 * IllegalTransitionError (→ 409) on an illegal move; undefined when it does not exist.
 */
export function transitionDeployment(pool: Pool, id: string, to: DeploymentState, patch: TransitionPatch = {}): Promise<DeploymentRecord | undefined> {
  return withTransaction(pool, (client) => transitionIn(client, id, to, patch));
}

/** What a transition sets ($2…$7; $1 is the id). */
const TRANSITION_SET = `status = $2, error = CASE WHEN $3::text IS NULL AND $7 THEN NULL ELSE COALESCE($3, d.error) END, progress = COALESCE($4, d.progress),
       node_id = CASE WHEN $5 THEN $6::uuid ELSE d.node_id END, updated_at = now()`;

/**
 * The whole transition in one statement: the row locked and read as it was (the subquery, FOR
 * UPDATE: the latest committed version), updated only when its state may move to $2 ($8: the
 * states that may) and, with $9, it is assigned to that node; RETURNING gives the new row and
 * the state it came from. No row: the caller reads why (unknown, not assigned, illegal).
 */
const TRANSITION_SQL = `UPDATE deployments d SET ${TRANSITION_SET}
  FROM (SELECT id, status AS from_status, node_id AS from_node FROM deployments WHERE id = $1 FOR UPDATE) old
 WHERE d.id = old.id AND old.from_status = ANY($8::text[]) AND ($9::uuid IS NULL OR old.from_node = $9::uuid)
 RETURNING d.*, old.from_status`;

/** The states a deployment may be in to move to `to` (`running → running` is a progress update). */
const fromStates = (to: DeploymentState): DeploymentState[] => DEPLOYMENT_STATES.filter((from) => canTransition(from, to) || (from === 'running' && to === 'running'));

/**
 * transitionDeployment inside the caller's transaction; locks the deployment row (lock-order.ts
 * step 2), in the same statement that changes it (one round trip). `locked`: the row as the
 * caller already read it FOR UPDATE in this transaction (its current version, held), so it is
 * only updated.
 */
export async function transitionIn(client: PoolClient, id: string, to: DeploymentState, patch: TransitionPatch = {}, locked?: DeploymentRow): Promise<DeploymentRecord | undefined> {
  const progress = to === 'completed' ? 100 : to === 'queued' ? 0 : (patch.progress ?? null);
  const values = [id, to, patch.error ?? null, progress, patch.nodeId !== undefined, patch.nodeId ?? null, patch.clearError ?? false];
  let from: DeploymentState;
  let row: DeploymentRow;
  if (locked) {
    if (patch.assignedTo !== undefined && locked.node_id !== patch.assignedTo) throw new NotAssignedError(id, patch.assignedTo);
    from = locked.status;
    if (!(from === 'running' && to === 'running')) assertTransition(from, to);
    row = (await client.query<DeploymentRow>(`UPDATE deployments d SET ${TRANSITION_SET} WHERE d.id = $1 RETURNING d.*`, values)).rows[0]!;
  } else {
    const moved = await client.query<DeploymentRow & { from_status: DeploymentState }>(TRANSITION_SQL, [...values, fromStates(to), patch.assignedTo ?? null]);
    if (moved.rows[0]) {
      from = moved.rows[0].from_status;
      row = moved.rows[0];
    } else {
      // Why not, in the order the checks hold: unknown, not this node's, not a legal move. The row
      // (if any) is locked by the statement above, so this is what it refused.
      const current = (await client.query<Pick<DeploymentRow, 'status' | 'node_id'>>('SELECT status, node_id FROM deployments WHERE id = $1', [id])).rows[0];
      if (!current) return undefined;
      if (patch.assignedTo !== undefined && current.node_id !== patch.assignedTo) throw new NotAssignedError(id, patch.assignedTo);
      assertTransition(current.status, to);
      throw new Error(`deployment ${id}: the transition ${current.status} → ${to} matched no row although it is legal; retry`);
    }
  }
  const record = toDeployment(row);
  await recordEvent(client, 'deployment.updated', { deployment: record, from });
  return record;
}
