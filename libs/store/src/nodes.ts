import type { Pool } from 'pg';
import { digest, newSecret } from '@hypernode/auth';
import { checkJoinToken, type Refusal } from './credentials.js';
import type { NodeRecord } from '@hypernode/events';
import { pageNewestFirst, type Page } from './page.js';
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
 * Who asks to register: a worker with a join token (a new name only), or a node with its own
 * credential (re-registers itself). Omitted: a caller with database access (tests, tools),
 * which may re-register any name.
 */
export type RegistrationCaller = { joinToken: string } | { nodeId: string };

/** A registered node with its fresh secrets, each returned this once. */
export interface RegisteredNode {
  node: NodeRecord;
  /** `hnn_…`: the worker authenticates to the api with it (only its digest is stored). */
  credential: string;
  /** `hnd_…`: the engine presents it to the worker when dispatching. */
  dispatchSecret: string;
}

/** The name belongs to another node: only that node (with its credential) may re-register it. */
export class NodeNameTakenError extends Error {
  readonly code = 'E_NODE_NAME_TAKEN';
  constructor(name: string, detail: string) {
    super(`node name "${name}" is taken by another node: ${detail}`);
    this.name = 'NodeNameTakenError';
  }
}

/** The join token cannot register a node: unknown, revoked, expired or used up. */
export class JoinTokenRefusedError extends Error {
  readonly code = 'E_JOIN_TOKEN';
  constructor(readonly reason: Refusal) {
    super(`join token ${reason === 'exhausted' ? 'has no uses left' : `is ${reason}`}: an admin makes a new one (POST /join-tokens, or \`npm start\` keeps one in .hypernode/join-token)`);
    this.name = 'JoinTokenRefusedError';
  }
}

const UPSERT_COLUMNS = 'gpu_model = EXCLUDED.gpu_model, vram_gb = EXCLUDED.vram_gb, free_vram_gb = EXCLUDED.vram_gb, worker_url = EXCLUDED.worker_url, credential_hash = EXCLUDED.credential_hash, dispatch_secret = EXCLUDED.dispatch_secret, status = \'online\', load = 0, last_heartbeat_at = now()';

/**
 * Registers a node with a fresh credential and dispatch secret (a re-registration replaces
 * both: the old credential stops working), and writes `node.registered` in the same
 * transaction. A join token registers a new name only (one use spent, given back when the name
 * is taken); a node credential re-registers only its own node. Locks the join token row, the
 * node row, then the outbox at commit (lock-order.ts).
 */
export function registerNode(pool: Pool, node: NodeRegistration, caller?: RegistrationCaller): Promise<RegisteredNode> {
  const credential = newSecret('hnn_');
  const dispatchSecret = newSecret('hnd_');
  const values = [node.name, node.gpuModel, node.vramGb, node.workerUrl, digest(credential), dispatchSecret];
  const insert = `INSERT INTO nodes (name, gpu_model, vram_gb, free_vram_gb, worker_url, credential_hash, dispatch_secret) VALUES ($1, $2, $3, $3, $4, $5, $6)`;
  return withTransaction(pool, async (client) => {
    let rows: NodeRow[];
    if (!caller) {
      rows = (await client.query<NodeRow>(`${insert} ON CONFLICT (name) DO UPDATE SET ${UPSERT_COLUMNS} RETURNING *`, values)).rows;
    } else if ('joinToken' in caller) {
      const spent = await client.query('UPDATE join_tokens SET uses_left = uses_left - 1 WHERE hash = $1 AND revoked_at IS NULL AND expires_at > now() AND uses_left > 0', [digest(caller.joinToken)]);
      if (spent.rowCount !== 1) {
        const why = await checkJoinToken(pool, caller.joinToken);
        throw new JoinTokenRefusedError(why.ok ? 'exhausted' : why.reason);
      }
      // A worker that restarted has lost its credential: with a join token it may reclaim its
      // name once that node has gone offline (missed heartbeats or deregistered) — never a live one.
      rows = (await client.query<NodeRow>(`${insert} ON CONFLICT (name) DO UPDATE SET ${UPSERT_COLUMNS} WHERE nodes.status = 'offline' RETURNING *`, values)).rows;
      if (!rows[0]) throw new NodeNameTakenError(node.name, 'that node is online: register under another name (GPU_WORKER_NAME), re-register with that node\'s own credential, or wait until it has gone offline (a restarted worker reclaims its name then)');
    } else {
      rows = (
        await client.query<NodeRow>(
          `UPDATE nodes SET gpu_model = $3, vram_gb = $4, free_vram_gb = $4, worker_url = $5, credential_hash = $6, dispatch_secret = $7, status = 'online', load = 0, last_heartbeat_at = now()
           WHERE id = $1 AND name = $2 RETURNING *`,
          [caller.nodeId, ...values],
        )
      ).rows;
      if (!rows[0]) throw new NodeNameTakenError(node.name, `this credential belongs to node ${caller.nodeId} and re-registers only that node under its own name`);
    }
    const record = toNode(rows[0]!);
    await recordEvent(client, 'node.registered', { node: record });
    return { node: record, credential, dispatchSecret };
  });
}

/**
 * What a client shows of a node, at the precision it shows it: a heartbeat writes
 * `node.updated` only when this changes — status, free VRAM, or load at one decimal (the
 * current deployment changes through deployment events). `lastHeartbeatAt` alone never makes
 * an event: it is in the row (GET /nodes) but would be half of all events otherwise.
 */
export function visibleNodeState(node: Pick<NodeRecord, 'status' | 'freeVramGb' | 'load'>): string {
  return `${node.status}|${node.freeVramGb}|${Math.round(node.load * 10)}`;
}

/**
 * Records a heartbeat (the node comes back online); undefined when the node does not exist.
 * Writes `node.updated` only when visibleNodeState changes. Locks the node row (lock-order.ts).
 */
export function heartbeat(pool: Pool, id: string, beat: { load: number; freeVramGb: number }): Promise<NodeRecord | undefined> {
  return withTransaction(pool, async (client) => {
    // A node whose credential was retired (deregistered) is not brought back online: only an api
    // instance still holding that credential in its cache (not yet told) could send this beat.
    const before = await client.query<NodeRow>('SELECT * FROM nodes WHERE id = $1 AND credential_hash IS NOT NULL FOR NO KEY UPDATE', [id]);
    if (!before.rows[0]) return undefined;
    const { rows } = await client.query<NodeRow>(
      `UPDATE nodes SET load = $2, free_vram_gb = LEAST($3, vram_gb), status = 'online', last_heartbeat_at = now() WHERE id = $1 RETURNING *`,
      [id, beat.load, beat.freeVramGb],
    );
    const record = toNode(rows[0]!);
    if (visibleNodeState(record) !== visibleNodeState(toNode(before.rows[0]))) await recordEvent(client, 'node.updated', { node: record });
    return record;
  });
}

/** A page of nodes, newest first, optionally of one status; `cursor` is the previous page's nextCursor. */
export function listNodes(pool: Pool, query: { status?: NodeRecord['status']; limit: number; cursor?: string }): Promise<Page<NodeRecord>> {
  return pageNewestFirst<NodeRow, NodeRecord>(pool, 'nodes', toNode, query);
}

/** One node, or undefined. */
export async function getNode(pool: Pool, id: string): Promise<NodeRecord | undefined> {
  const { rows } = await pool.query<NodeRow>('SELECT * FROM nodes WHERE id = $1', [id]);
  return rows[0] && toNode(rows[0]);
}

/**
 * Takes nodes offline — those whose last heartbeat is older than `staleSeconds`, or the one
 * given — and sends their scheduled or running deployments back to the queue, all with events,
 * in one transaction. Returns the nodes taken offline. Locks in the order of lock-order.ts:
 * the nodes (id order), then their active deployments (id order), then the outbox at commit.
 * `reasons` gives a deployment its own reason instead of "node … went offline" (the engine
 * refusing a node sends the deployment back with why, in the same transaction: a scheduling
 * pass between the two would place it on that node again).
 */
export function takeNodesOffline(pool: Pool, which: { staleSeconds: number } | { id: string }, reasons: Readonly<Record<string, string>> = {}): Promise<NodeRecord[]> {
  return withTransaction(pool, async (client) => {
    const locked =
      'id' in which
        ? await client.query<{ id: string }>("SELECT id FROM nodes WHERE id = $1 AND status = 'online' FOR NO KEY UPDATE", [which.id])
        : await client.query<{ id: string }>(
            "SELECT id FROM nodes WHERE status = 'online' AND last_heartbeat_at < now() - make_interval(secs => $1) ORDER BY id FOR NO KEY UPDATE",
            [which.staleSeconds],
          );
    if (locked.rows.length === 0) return [];
    const { rows } = await client.query<NodeRow>("UPDATE nodes SET status = 'offline' WHERE id = ANY($1::uuid[]) RETURNING *", [locked.rows.map((r) => r.id)]);
    const nodes = rows.map(toNode).sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const node of nodes) {
      await recordEvent(client, 'node.updated', { node });
      // Locked here, in id order; a deployment that moved on (cancelled, completed) while we
      // waited for its lock no longer matches and is left alone.
      const active = await client.query<{ id: string }>(
        "SELECT id FROM deployments WHERE node_id = $1 AND status IN ('scheduled', 'running') ORDER BY id FOR UPDATE",
        [node.id],
      );
      for (const { id } of active.rows) await transitionIn(client, id, 'queued', { nodeId: null, error: reasons[id] ?? `node ${node.name} went offline; rescheduling` });
    }
    return nodes;
  });
}
