import { fixedRateLoad, summarize, type LoadRequest, type LoadSample } from '../harness/load.js';
import { deploymentBody, deploymentEventIds, maxEventId, postJson, waitCaughtUp } from '../harness/probes.js';
import { withStack } from '../harness/stack.js';
import { sleep } from '../harness/wait.js';
import { startWsClient, wsFigures } from '../harness/ws-clients.js';
import { bySize, Checks, type Scenario } from './types.js';

type Group = 'pg' | 'redis' | 'ready';

/**
 * Redis refused, then blackholed, under HTTP load and resuming WebSocket clients. Pass:
 * PostgreSQL-only routes ≥ 99 % ok throughout; Redis routes 503 within 1 s and /ready 503
 * within 2 s during the outage; everything normal < 3 s after Redis returns; no event lost
 * for resuming clients; no process exits.
 */
export const redisOutage: Scenario = {
  name: 'redis-outage',
  description: 'Redis refused, then blackholed, under load and WebSocket clients',
  run: (size) =>
    withStack({ name: 'redis-outage' }, async (stack) => {
      const phaseMs = bySize(size, 5_000, 15_000);
      const rate = bySize(size, 20, 100);
      const clientCount = bySize(size, 10, 100);
      const afterMs = bySize(size, 6_000, 10_000);
      const seed = await postJson(`${stack.apiUrl}/deployments`, deploymentBody(0));
      const seedId = String(seed.body.id);
      const baseline = await maxEventId(stack);
      const clients = Array.from({ length: clientCount }, () => startWsClient(stack.wsUrl, { lastEventId: baseline }));

      const routes: Array<{ group: Group; req: (i: number) => LoadRequest }> = [
        { group: 'pg', req: () => ({ route: 'GET /deployments', url: `${stack.apiUrl}/deployments?limit=5` }) },
        { group: 'pg', req: (i) => ({ route: 'POST /deployments', url: `${stack.apiUrl}/deployments`, method: 'POST', body: deploymentBody(i) }) },
        { group: 'pg', req: () => ({ route: 'GET /deployments/:id', url: `${stack.apiUrl}/deployments/${seedId}` }) },
        { group: 'pg', req: () => ({ route: 'GET /nodes', url: `${stack.apiUrl}/nodes` }) },
        { group: 'pg', req: () => ({ route: 'GET /deployments', url: `${stack.apiUrl}/deployments?status=queued` }) },
        { group: 'redis', req: () => ({ route: 'POST automation /workflows/node-watchdog/run', url: `${stack.automationUrl}/workflows/node-watchdog/run`, method: 'POST', body: {} }) },
        { group: 'ready', req: () => ({ route: 'api /ready', url: `${stack.apiUrl}/ready` }) },
        { group: 'ready', req: () => ({ route: 'automation /ready', url: `${stack.automationUrl}/ready` }) },
        { group: 'ready', req: () => ({ route: 'realtime /ready', url: `${stack.wsUrl.replace('ws:', 'http:')}/ready` }) },
      ];
      const groupOf = new Map(routes.map((r) => [r.req(0).route, r.group]));
      const t0 = performance.now();
      const load = fixedRateLoad({ rate, durationMs: 2_000 + 2 * phaseMs + afterMs, timeoutMs: 5_000, next: (i) => routes[i % routes.length]!.req(i) });
      await sleep(2_000);
      const refusedAt = performance.now();
      stack.redisProxy.setMode('refuse');
      await sleep(phaseMs);
      const holedAt = performance.now();
      stack.redisProxy.setMode('blackhole');
      await sleep(phaseMs);
      const backAt = performance.now();
      stack.redisProxy.setMode('pass');
      const samples = await load.done;

      const inGroup = (g: Group, s: LoadSample) => groupOf.get(s.route) === g;
      const during = (s: LoadSample) => s.sentAt >= refusedAt && s.sentAt < backAt;
      const ok = (s: LoadSample) => s.status >= 200 && s.status < 400;
      const pg = summarize(samples.filter((s) => inGroup('pg', s)));
      const redisOut = samples.filter((s) => inGroup('redis', s) && during(s));
      const readyOut = samples.filter((s) => inGroup('ready', s) && during(s));
      const redis503in1s = redisOut.filter((s) => s.status === 503 && s.latencyMs <= 1_000).length;
      const ready503in2s = readyOut.filter((s) => s.status === 503 && s.latencyMs <= 2_000).length;
      // Recovery: the last failure of anything sent after Redis came back.
      const lastBad = samples.filter((s) => s.sentAt >= backAt && !ok(s)).at(-1);
      const recoveryMs = lastBad ? Math.round(lastBad.sentAt + lastBad.latencyMs - backAt) : 0;

      const lastId = await maxEventId(stack);
      await waitCaughtUp(clients, lastId, bySize(size, 10_000, 20_000));
      const expected = await deploymentEventIds(stack, baseline);
      const ws = wsFigures(clients, expected);
      for (const c of clients) c.stop();
      const exits = [...stack.services.values()].filter((s) => s.exited).map((s) => s.name);

      const checks = new Checks();
      checks.expect('pg>=99%', pg.okPct >= 99);
      checks.expect('redis-503<=1s', redisOut.length > 0 && redis503in1s === redisOut.length);
      checks.expect('ready-503<=2s', readyOut.length > 0 && ready503in2s === readyOut.length);
      checks.expect('recovery<3s', recoveryMs < 3_000);
      checks.expect('ws-lost=0', ws.lost === 0 && ws.duplicated === 0);
      checks.expect('no-exit', exits.length === 0);
      const byPhase = (from: number, to: number) => summarize(samples.filter((s) => inGroup('pg', s) && s.sentAt >= from && s.sentAt < to));
      const refused = byPhase(refusedAt, holedAt);
      const holed = byPhase(holedAt, backAt);
      return {
        name: 'redis-outage',
        pass: checks.pass,
        figures: {
          requests: samples.length,
          pgOkPct: pg.okPct,
          pgOkPctRefused: refused.okPct,
          pgP99RefusedMs: refused.p99,
          pgOkPctBlackholed: holed.okPct,
          pgP99BlackholedMs: holed.p99,
          redis503Within1s: `${redis503in1s}/${redisOut.length}`,
          redisStatuses: JSON.stringify(summarize(redisOut).statuses),
          ready503Within2s: `${ready503in2s}/${readyOut.length}`,
          readyStatuses: JSON.stringify(summarize(readyOut).statuses),
          recoveryMs,
          wsClients: ws.clients,
          wsEvents: expected.length,
          wsLost: ws.lost,
          wsDuplicated: ws.duplicated,
          wsResets: ws.resets,
          exits: exits.join('+') || 'none',
          elapsedS: Math.round((performance.now() - t0) / 1000),
          failed: checks.failed,
        },
      };
    }),
};
