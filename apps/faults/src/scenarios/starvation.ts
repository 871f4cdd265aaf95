import { directPool } from '../harness/direct-db.js';
import { runConcurrently } from '../harness/load.js';
import { deploymentBody, postJson } from '../harness/probes.js';
import { withStack } from '../harness/stack.js';
import { since, sleep, waitFor } from '../harness/wait.js';
import { bySize, Checks, type Scenario } from './types.js';

/** The worker's VRAM (GB); blockers ask for more, the runnable one for less. */
const WORKER_VRAM_GB = 80;
/** How soon the runnable deployment must be scheduled. */
const LIMIT_MS = 2_000;

/**
 * Many deployments no node can take (more VRAM than the one worker has), then one that can run.
 * Pass: it is scheduled (or further) within 2 s of its creation, and the blockers stay queued
 * with a visible `waiting: …` reason.
 */
export const starvation: Scenario = {
  name: 'starvation',
  description: 'deployments no node can take + one that can run',
  run: (size) =>
    withStack({ name: 'starvation', apps: ['api', 'automation'], workers: 1, jobMs: 30_000, env: { GPU_WORKER_VRAM_GB: String(WORKER_VRAM_GB) } }, async (stack) => {
      const blockers = bySize(size, 200, 1_000);
      const created = await runConcurrently({
        count: blockers,
        concurrency: 8,
        timeoutMs: 10_000,
        next: (i) => ({ route: 'POST /deployments', url: `${stack.apiUrl}/deployments`, method: 'POST', body: { model: `blocker-${i}`, minVramGb: WORKER_VRAM_GB * 2 } }),
      });
      const pool = directPool(stack.pg, { max: 2 });
      try {
        const waiting = async () =>
          (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM deployments WHERE model LIKE 'blocker-%' AND status = 'queued' AND starts_with(error, 'waiting: ')")).rows[0]!.n;
        // The engine has seen every blocker (each carries its reason) before the runnable one comes.
        const reasonsMs = performance.now();
        const withReason = await waitFor('every blocker to show a waiting reason', async () => ((await waiting()) === blockers ? blockers : 0), 30_000, 200).catch(() => waiting());
        const reasonsAfterMs = since(reasonsMs);
        const sample = (await pool.query<{ error: string | null }>("SELECT error FROM deployments WHERE model LIKE 'blocker-%' LIMIT 1")).rows[0]?.error ?? null;

        const t0 = performance.now();
        const runnable = await postJson(`${stack.apiUrl}/deployments`, deploymentBody(0, 1));
        const id = String(runnable.body.id);
        let msToScheduled: number | null = null;
        let status = String(runnable.body.status);
        const end = t0 + 10_000;
        while (performance.now() < end) {
          status = (await pool.query<{ status: string }>('SELECT status FROM deployments WHERE id = $1', [id])).rows[0]?.status ?? 'missing';
          if (status !== 'queued') {
            msToScheduled = since(t0);
            break;
          }
          await sleep(20);
        }
        const stillQueued = (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM deployments WHERE model LIKE 'blocker-%' AND status = 'queued'")).rows[0]!.n;
        const checks = new Checks();
        checks.expect('blockers-created', created.filter((s) => s.status === 201).length === blockers);
        checks.expect(`scheduled<=${LIMIT_MS}ms`, msToScheduled !== null && msToScheduled <= LIMIT_MS && ['scheduled', 'running', 'completed'].includes(status));
        checks.expect('blockers-queued', stillQueued === blockers);
        checks.expect('blockers-have-reason', withReason === blockers);
        return {
          name: 'starvation',
          pass: checks.pass,
          figures: { blockers, blockersWithReason: withReason, reasonsAfterMs, reason: JSON.stringify(sample), msToScheduled, status, failed: checks.failed },
        };
      } finally {
        await pool.end();
      }
    }),
};
