import { queryDirect } from './pg-server.js';
import { withAuth } from './credentials.js';
import type { Stack } from './stack.js';
import { sleep } from './wait.js';
import type { WsClient } from './ws-clients.js';

/** A body POST /deployments accepts. */
export const deploymentBody = (i: number, minVramGb = 8) => ({ model: `faults-model-${i}`, minVramGb });

/** POSTs JSON (bounded by 5 s) with the stack's admin key unless `headers` name another; returns status and parsed body. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: withAuth({ 'content-type': 'application/json', ...headers }), body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** The highest event id in PostgreSQL (read on the server, bypassing the proxy). */
export async function maxEventId(stack: Stack): Promise<string> {
  const rows = await queryDirect<{ id: string | null }>(stack.pg, 'SELECT max(id)::text AS id FROM events');
  return rows[0]?.id ?? '0';
}

/** Ids of events on the `deployments` topic after `afterId`, in order. */
export async function deploymentEventIds(stack: Stack, afterId: string): Promise<string[]> {
  const rows = await queryDirect<{ id: string }>(stack.pg, "SELECT id::text AS id FROM events WHERE 'deployments' = ANY(topics) AND id > $1 ORDER BY id", [afterId]);
  return rows.map((r) => r.id);
}

/**
 * Waits (bounded) until every client has received `lastId` or later, then a short quiet spell
 * so late duplicates show up too.
 */
export async function waitCaughtUp(clients: WsClient[], lastId: string, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  const behind = () => clients.filter((c) => c.lastEventId === undefined || BigInt(c.lastEventId) < BigInt(lastId));
  while (behind().length > 0 && Date.now() < end) await sleep(100);
  await sleep(500);
  return behind().length === 0;
}

/** Deployment status counts in PostgreSQL. */
export async function deploymentStatuses(stack: Stack): Promise<Record<string, number>> {
  const rows = await queryDirect<{ status: string; n: number }>(stack.pg, 'SELECT status, count(*)::int AS n FROM deployments GROUP BY status');
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
