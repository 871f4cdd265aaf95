import { queryDirect } from '../harness/pg-server.js';
import { deploymentBody, deploymentStatuses, postJson } from '../harness/probes.js';
import { withStack } from '../harness/stack.js';
import { sleep } from '../harness/wait.js';
import { bySize, Checks, type Scenario } from './types.js';

/**
 * The automation engine killed (-9) three times with deployments in flight, several workers.
 * Pass: all complete, each exactly once (its row, and one `completed` event per deployment).
 */
export const engineKill: Scenario = {
  name: 'engine-kill',
  description: 'engine kill -9 three times with deployments in flight, several workers',
  run: (size) =>
    withStack({ name: 'engine-kill', apps: ['api', 'automation'], workers: bySize(size, 3, 8), jobMs: bySize(size, 4_000, 4_000) }, async (stack) => {
      const count = bySize(size, 12, 100);
      const ids: string[] = [];
      for (let i = 0; i < count; i++) ids.push(String((await postJson(`${stack.apiUrl}/deployments`, deploymentBody(i, 1))).body.id));
      let restartMs = 0;
      const inFlightAtKill: number[] = [];
      for (let k = 0; k < 3; k++) {
        await sleep(bySize(size, 1_500, 3_000));
        const now = await deploymentStatuses(stack);
        inFlightAtKill.push((now.queued ?? 0) + (now.scheduled ?? 0) + (now.running ?? 0));
        stack.get('automation').signal('SIGKILL');
        await stack.get('automation').waitExit(5_000);
        const t = performance.now();
        await stack.start('automation');
        restartMs = Math.max(restartMs, Math.round(performance.now() - t));
      }
      const t0 = performance.now();
      const end = t0 + bySize(size, 45_000, 240_000);
      let statuses = await deploymentStatuses(stack);
      while (performance.now() < end && (statuses.completed ?? 0) + (statuses.failed ?? 0) + (statuses.cancelled ?? 0) < count) {
        await sleep(250);
        statuses = await deploymentStatuses(stack);
      }
      const events = await queryDirect<{ id: string; n: number }>(
        stack.pg,
        "SELECT data->'deployment'->>'id' AS id, count(*)::int AS n FROM events WHERE type = 'deployment.updated' AND data->'deployment'->>'status' = 'completed' GROUP BY 1",
      );
      const completedEvents = new Map(events.map((e) => [e.id, e.n]));
      const once = ids.filter((id) => completedEvents.get(id) === 1).length;
      const twice = ids.filter((id) => (completedEvents.get(id) ?? 0) > 1).length;
      const checks = new Checks();
      checks.expect('all-completed', statuses.completed === count);
      checks.expect('completed-event-once', once === count);
      return {
        name: 'engine-kill',
        pass: checks.pass,
        figures: {
          deployments: count,
          inFlightAtKills: inFlightAtKill.join('/'),
          statuses: JSON.stringify(statuses),
          completedEventOnce: once,
          completedEventMoreThanOnce: twice,
          drainMsAfterLastKill: Math.round(performance.now() - t0),
          engineRestartMs: restartMs,
          failed: checks.failed,
        },
      };
    }),
};
