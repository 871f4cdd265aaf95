import { queryDirect } from '../harness/pg-server.js';
import { deploymentBody, postJson } from '../harness/probes.js';
import { withStack } from '../harness/stack.js';
import { sleep, waitFor } from '../harness/wait.js';
import { bySize, Checks, type Scenario } from './types.js';

const STALE_S = 2;

/** gpu-worker kill -9 mid-job. Pass: rescheduled onto another node within the heartbeat timeout + 2 s; completes there. */
export const workerKill: Scenario = {
  name: 'worker-kill',
  description: 'gpu-worker kill -9 mid-job',
  run: (size) =>
    withStack({ name: 'worker-kill', apps: ['api', 'automation'], workers: 2, jobMs: bySize(size, 4_000, 8_000), env: { AUTOMATION_NODE_STALE_S: String(STALE_S) } }, async (stack) => {
      const created = await postJson(`${stack.apiUrl}/deployments`, deploymentBody(1));
      const id = String(created.body.id);
      const row = () => queryDirect<{ status: string; node: string | null; name: string | null }>(stack.pg, 'SELECT d.status, d.node_id::text AS node, n.name FROM deployments d LEFT JOIN nodes n ON n.id = d.node_id WHERE d.id = $1', [id]).then((r) => r[0]);
      const first = await waitFor('the deployment to run', async () => ((await row())?.status === 'running' ? row() : undefined), 30_000, 100);
      await sleep(500);
      const victim = [...stack.services.values()].find((s) => s.app === 'gpu-worker' && first.name?.startsWith(`faults-worker-${s.name.split('-').at(-1)}-`));
      if (!victim) throw new Error(`no worker process for node ${first.name}`);
      const killedAt = victim.signal('SIGKILL');
      let reschedMs: number | null = null;
      let completedMs: number | null = null;
      let last = first;
      const end = performance.now() + bySize(size, 30_000, 60_000);
      while (performance.now() < end) {
        last = (await row()) ?? last;
        if (reschedMs === null && last.node && last.node !== first.node) reschedMs = Math.round(performance.now() - killedAt);
        if (['completed', 'failed', 'cancelled'].includes(last.status)) {
          completedMs = Math.round(performance.now() - killedAt);
          break;
        }
        await sleep(100);
      }
      const checks = new Checks();
      checks.expect(`rescheduled<=${STALE_S + 2}s`, reschedMs !== null && reschedMs <= (STALE_S + 2) * 1000);
      checks.expect('completed-elsewhere', last.status === 'completed' && last.node !== first.node);
      return {
        name: 'worker-kill',
        pass: checks.pass,
        figures: { rescheduledMs: reschedMs, completedMs, finalStatus: last.status, otherNode: last.node !== first.node, failed: checks.failed },
      };
    }),
};
