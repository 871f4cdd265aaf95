import { fixedRateLoad, summarize } from '../harness/load.js';
import { deploymentBody } from '../harness/probes.js';
import { withStack } from '../harness/stack.js';
import { sleep } from '../harness/wait.js';
import { bySize, Checks, type Scenario } from './types.js';

/** PostgreSQL stopped and started again mid-load. Pass: 100 % ok from 5 s after its return; no process exits. */
export const postgresRestart: Scenario = {
  name: 'postgres-restart',
  description: 'PostgreSQL restarted mid-load',
  run: (size) =>
    withStack({ name: 'postgres-restart' }, async (stack) => {
      const rate = bySize(size, 20, 100);
      const downMs = bySize(size, 3_000, 5_000);
      const afterMs = bySize(size, 8_000, 15_000);
      const load = fixedRateLoad({
        rate,
        durationMs: 2_000 + downMs + afterMs,
        timeoutMs: 5_000,
        next: (i) => (i % 2 === 0 ? { route: 'POST /deployments', url: `${stack.apiUrl}/deployments`, method: 'POST', body: deploymentBody(i) } : { route: 'GET /deployments', url: `${stack.apiUrl}/deployments?limit=5` }),
      });
      await sleep(2_000);
      const downAt = performance.now();
      await stack.pg.stop('fast');
      await sleep(downMs);
      await stack.pg.start();
      const backAt = performance.now();
      const samples = await load.done;
      const ok = (s: { status: number }) => s.status >= 200 && s.status < 400;
      const settled = samples.filter((s) => s.sentAt >= backAt + 5_000);
      const outage = summarize(samples.filter((s) => s.sentAt >= downAt && s.sentAt < backAt));
      const firstOk = samples.find((s) => s.sentAt >= backAt && ok(s));
      const lastBad = samples.filter((s) => s.sentAt >= backAt && !ok(s)).at(-1);
      const exits = [...stack.services.values()].filter((s) => s.exited).map((s) => `${s.name}:${s.exited!.code ?? s.exited!.signal}`);
      const after = summarize(settled);
      const checks = new Checks();
      checks.expect('100%-after-5s', settled.length > 0 && after.okPct === 100);
      checks.expect('no-exit', exits.length === 0);
      return {
        name: 'postgres-restart',
        pass: checks.pass,
        figures: {
          requests: samples.length,
          outageStatuses: JSON.stringify(outage.statuses),
          outageP99Ms: outage.p99,
          firstOkAfterReturnMs: firstOk ? Math.round(firstOk.sentAt - backAt) : null,
          lastFailAfterReturnMs: lastBad ? Math.round(lastBad.sentAt + lastBad.latencyMs - backAt) : 0,
          okPctFrom5s: after.okPct,
          exits: exits.join('+') || 'none',
          failed: checks.failed,
        },
      };
    }),
};
