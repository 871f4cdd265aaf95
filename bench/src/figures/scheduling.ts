import type { Bench } from '../lib/figure.js';
import { VoidRunError } from '../lib/figure.js';
import { waitFor } from '../lib/processes.js';
import { startStack } from '../lib/stack.js';
import { percentile } from '../lib/stats.js';

/**
 * `POST /deployments` → the row is `scheduled` onto an idle GPU worker, one deployment at a
 * time (each completes before the next is posted, so the worker is idle every time), p99 —
 * beside the POST's own round trip, its floor. Status is read from PostgreSQL every 2 ms.
 */
export const schedulingBench: Bench = {
  name: 'scheduling',
  description: 'POST /deployments → scheduled p99 with an idle worker (beside the POST round trip)',
  async run({ smoke, rounds, logDir, log }) {
    const stack = await startStack({ apps: ['automation'], logDir, env: { GPU_WORKER_JOB_MS: '10', GPU_WORKER_HEARTBEAT_MS: '500' } });
    try {
      await stack.start('gpu-worker', 1);
      const headers = { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' };
      const count = smoke ? 3 : 20 * rounds;
      log(`scheduling: ${count} deployments one at a time`);
      const scheduled: number[] = [];
      const posted: number[] = [];
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        const res = await fetch(`${stack.apiUrl}/deployments`, { method: 'POST', headers, body: JSON.stringify({ model: `bench-schedule-${i}`, minVramGb: 1 }), signal: AbortSignal.timeout(5000) });
        posted.push(performance.now() - t0);
        if (res.status !== 201) throw new VoidRunError('scheduling', `POST /deployments answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
        const { id } = (await res.json()) as { id: string };
        const status = async () => (await stack.pool.query<{ status: string }>('SELECT status FROM deployments WHERE id = $1', [id])).rows[0]?.status;
        await waitFor(`deployment ${id} leaves queued`, async () => (await status()) !== 'queued', 10_000, 2);
        scheduled.push(performance.now() - t0);
        await waitFor(`deployment ${id} completes (the worker is idle again)`, async () => (await status()) === 'completed', 30_000, 10);
      }
      return [
        { name: 'POST → scheduled p99, idle worker', unit: 'ms', ours: { samples: scheduled, median: percentile(scheduled, 99) }, baseline: { name: 'POST round trip p99', samples: posted, median: percentile(posted, 99) }, target: { on: 'ours', op: '<=', value: 50 }, note: `p50 ${percentile(scheduled, 50).toFixed(1)} ms over ${count} deployments, status read every 2 ms` },
      ];
    } finally {
      await stack.close();
    }
  },
};
