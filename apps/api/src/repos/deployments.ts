import type { Pool } from 'pg';
import { assertTransition, type DeploymentRecord, type DeploymentState } from '@hypernode/events';
import { toDeployment, type DeploymentRow } from '../db/rows.js';
import { recordEvent, withTransaction } from '../db/transaction.js';

/** What a client sends to create a deployment. */
export interface NewDeployment {
  model: string;
  gpuModel?: string;
  minVramGb: number;
  maxDurationS?: number;
}

/** Creates a queued deployment and its `deployment.created` event in one transaction. */
export function createDeployment(pool: Pool, input: NewDeployment): Promise<DeploymentRecord> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<DeploymentRow>(
      'INSERT INTO deployments (model, gpu_model, min_vram_gb, max_duration_s) VALUES ($1, $2, $3, $4) RETURNING *',
      [input.model, input.gpuModel ?? null, input.minVramGb, input.maxDurationS ?? null],
    );
    const record = toDeployment(rows[0]!);
    await recordEvent(client, 'deployment.created', { deployment: record });
    return record;
  });
}

/** One deployment, or undefined. */
export async function getDeployment(pool: Pool, id: string): Promise<DeploymentRecord | undefined> {
  const { rows } = await pool.query<DeploymentRow>('SELECT * FROM deployments WHERE id = $1', [id]);
  return rows[0] && toDeployment(rows[0]);
}

/** Opaque cursor: the sort key of the last row of a page. */
function encodeCursor(row: DeploymentRecord): string {
  return Buffer.from(`${row.createdAt}|${row.id}`).toString('base64url');
}

/** A cursor that cannot be decoded. */
export class BadCursorError extends Error {
  readonly code = 'E_BAD_CURSOR';
}

function decodeCursor(cursor: string): [string, string] {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!at || !id || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new BadCursorError(`cursor ${JSON.stringify(cursor)} is not one this API issued: pass the nextCursor of the previous page, or omit it for the first page`);
  }
  return [at, id];
}

/** A page of deployments, newest first, optionally of one status. */
export async function listDeployments(pool: Pool, query: { status?: DeploymentState; limit: number; cursor?: string }): Promise<{ items: DeploymentRecord[]; nextCursor: string | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.status) {
    params.push(query.status);
    where.push(`status = $${params.length}`);
  }
  if (query.cursor) {
    const [at, id] = decodeCursor(query.cursor);
    params.push(at, id);
    where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(query.limit + 1);
  const { rows } = await pool.query<DeploymentRow>(
    `SELECT * FROM deployments ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  const items = rows.slice(0, query.limit).map(toDeployment);
  return { items, nextCursor: rows.length > query.limit ? encodeCursor(items.at(-1)!) : null };
}

/**
 * Moves a deployment to `to` (row locked, transition checked) and writes `deployment.updated`
 * in the same transaction. Throws IllegalTransitionError (→ 409) on an illegal move;
 * undefined when the deployment does not exist.
 */
export function transitionDeployment(pool: Pool, id: string, to: DeploymentState, patch: { error?: string } = {}): Promise<DeploymentRecord | undefined> {
  return withTransaction(pool, async (client) => {
    const current = await client.query<DeploymentRow>('SELECT * FROM deployments WHERE id = $1 FOR UPDATE', [id]);
    if (!current.rows[0]) return undefined;
    const from = current.rows[0].status;
    assertTransition(from, to);
    const { rows } = await client.query<DeploymentRow>('UPDATE deployments SET status = $2, error = COALESCE($3, error), updated_at = now() WHERE id = $1 RETURNING *', [id, to, patch.error ?? null]);
    const record = toDeployment(rows[0]!);
    await recordEvent(client, 'deployment.updated', { deployment: record, from });
    return record;
  });
}
