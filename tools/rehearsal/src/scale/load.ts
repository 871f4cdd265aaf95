import type pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';

/** One POST /deployments through the proxy: when it ran and how it ended. */
export interface PostRecord {
  start: number;
  end: number;
  /** HTTP status, or 0 when no answer came (connection error, timeout). */
  status: number;
  id?: string;
}

/**
 * POSTs `count` deployments through `apiUrl` (the proxy's /api), `concurrency` at a time, each
 * bounded by 10 s; `onProgress(n)` after each answer (the caller kills instances mid-run from it).
 */
export async function postDeployments(apiUrl: string, key: string, count: number, concurrency: number, tag: string, onProgress: (done: number) => void = () => undefined): Promise<PostRecord[]> {
  const records: PostRecord[] = [];
  let next = 0;
  const one = async (i: number) => {
    const start = performance.now();
    try {
      const res = await fetch(`${apiUrl}/deployments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: `scale-${tag}-${i}`, minVramGb: 8 }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await res.json().catch(() => ({}))) as { id?: string };
      records.push({ start, end: performance.now(), status: res.status, id: res.status === 201 ? body.id : undefined });
    } catch {
      records.push({ start, end: performance.now(), status: 0 });
    }
    onProgress(records.length);
  };
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await one(next++);
  }));
  return records;
}

/** Deployment rows by status whose model carries `tag` (tags never prefix one another: `one`, `warmone`, `main`). */
export async function statusCounts(pool: pg.Pool, tag: string): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ status: string; n: number }>("SELECT status, count(*)::int AS n FROM deployments WHERE model LIKE $1 GROUP BY status", [`scale-${tag}-%`]);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

const FINAL = ['completed', 'failed', 'cancelled'];

/** Waits (bounded by `ms`) until every deployment of `tag` is in a final state; returns the counts and when that held. */
export async function waitFinal(pool: pg.Pool, tag: string, ms: number): Promise<{ counts: Record<string, number>; at: number; done: boolean }> {
  const until = performance.now() + ms;
  for (;;) {
    const counts = await statusCounts(pool, tag);
    const open = Object.entries(counts).filter(([s]) => !FINAL.includes(s)).reduce((a, [, n]) => a + n, 0);
    if (open === 0) return { counts, at: performance.now(), done: true };
    if (performance.now() > until) return { counts, at: performance.now(), done: false };
    await sleep(200);
  }
}

/** Per deployment of `tag`: how many `completed` events the outbox holds (exactly once means 1 for each row). */
export async function completedEventCounts(pool: pg.Pool, tag: string): Promise<{ rows: number; once: number; more: number; none: number }> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(e.id)::int AS n FROM deployments d
       LEFT JOIN events e ON e.type = 'deployment.updated' AND e.data->'deployment'->>'id' = d.id::text AND e.data->'deployment'->>'status' = 'completed'
      WHERE d.model LIKE $1 GROUP BY d.id`,
    [`scale-${tag}-%`],
  );
  return { rows: rows.length, once: rows.filter((r) => r.n === 1).length, more: rows.filter((r) => r.n > 1).length, none: rows.filter((r) => r.n === 0).length };
}

/** Ids of events on the `deployments` topic after `afterId`, in order. */
export async function deploymentEventIds(pool: pg.Pool, afterId: string): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>("SELECT id::text AS id FROM events WHERE 'deployments' = ANY(topics) AND id > $1 ORDER BY id", [afterId]);
  return rows.map((r) => r.id);
}

export async function maxEventId(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ id: string | null }>('SELECT max(id)::text AS id FROM events');
  return rows[0]?.id ?? '0';
}
