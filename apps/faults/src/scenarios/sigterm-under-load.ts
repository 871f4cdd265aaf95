import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { LoadRequest } from '../harness/load.js';
import { queryDirect } from '../harness/pg-server.js';
import { deploymentBody, postJson } from '../harness/probes.js';
import { sigtermUnderLoad, type SigtermOutcome } from '../harness/sigterm-round.js';
import { withStack, type Stack } from '../harness/stack.js';
import { bySize, Checks, type Scenario } from './types.js';

/** `Authorization: Bearer <dispatch secret>` of the node a worker registered as (what the engine sends it), read from the database. */
async function dispatchAuth(stack: Stack, name: string): Promise<Record<string, string>> {
  const port = stack.get(name).port;
  const rows = await queryDirect<{ secret: string | null }>(stack.pg, 'SELECT dispatch_secret AS secret FROM nodes WHERE name = $1', [`faults-worker-${name.split('-').at(-1)}-${port}`]);
  return rows[0]?.secret ? { authorization: `Bearer ${rows[0].secret}` } : {};
}

/** The last `lines` lines of a log file ('' when it cannot be read). */
function logTail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Routes each service is loaded with while it is told to stop. */
function routesOf(stack: Stack, name: string, seedId: string, workerAuth: Record<string, string>): Array<(i: number) => LoadRequest> {
  const url = stack.get(name).url;
  const get = (path: string) => () => ({ route: `${name} GET ${path.replace(/[0-9a-f-]{36}/, ':id')}`, url: `${url}${path}` });
  const common = [get('/health'), get('/ready')];
  switch (stack.get(name).app) {
    case 'api':
      return [...common, get('/deployments?limit=5'), get(`/deployments/${seedId}`), get('/nodes'), get('/services'), (i) => ({ route: 'api POST /deployments', url: `${url}/deployments`, method: 'POST', body: deploymentBody(i, 1) })];
    case 'automation':
      return [...common, get('/workflows'), get('/runs'), () => ({ route: 'automation POST /workflows/health-sweep/run', url: `${url}/workflows/health-sweep/run`, method: 'POST', body: {} })];
    case 'gpu-worker':
      return [...common, () => ({ ...get(`/jobs/${randomUUID()}`)(), headers: workerAuth }), () => ({ route: 'gpu-worker POST /jobs', url: `${url}/jobs`, method: 'POST', headers: workerAuth, body: { deploymentId: randomUUID(), model: 'faults-model', minVramGb: 1 } })];
    default:
      return common;
  }
}

/** Requests whose bodies are still arriving when the signal goes out (none for realtime: it takes no body). */
function slowOf(stack: Stack, name: string, workerAuth: Record<string, string>): Array<{ url: string; headers?: Record<string, string>; body: unknown }> {
  const url = stack.get(name).url;
  const three = <T>(f: (i: number) => T) => [0, 1, 2].map(f);
  switch (stack.get(name).app) {
    case 'api':
      return three((i) => ({ url: `${url}/deployments`, body: deploymentBody(1000 + i, 1) }));
    case 'automation':
      return three(() => ({ url: `${url}/workflows/health-sweep/run`, body: {} }));
    case 'gpu-worker':
      return three(() => ({ url: `${url}/jobs`, headers: workerAuth, body: { deploymentId: randomUUID(), model: 'faults-model', minVramGb: 1 } }));
    default:
      return [];
  }
}

/**
 * SIGTERM to each service under load, one after the other in one stack — gpu-worker, automation,
 * realtime, api: each stopped service is one nobody later in the order needs. Pass, for every
 * one: no request sent before the signal lost (including bodies still arriving at the signal) (no answer, or a 5xx other than 503; a refused
 * connect is counted apart), every WebSocket client closed with 1001, exit 0 within 10 s.
 */
export const sigtermUnderLoadScenario: Scenario = {
  name: 'sigterm-under-load',
  description: 'SIGTERM to gpu-worker, automation, realtime and api in turn, each under load',
  run: (size) =>
    withStack({ name: 'sigterm-under-load', workers: 1, env: { REALTIME_MAX_CONNECTIONS_PER_ADDRESS: '1000' } }, async (stack) => {
      const rate = bySize(size, 50, 200);
      const seed = await postJson(`${stack.apiUrl}/deployments`, deploymentBody(0, 1));
      const seedId = String(seed.body.id);
      const outcomes: Array<[string, SigtermOutcome]> = [];
      for (const name of ['gpu-worker-1', 'automation', 'realtime', 'api']) {
        const workerAuth = stack.get(name).app === 'gpu-worker' ? await dispatchAuth(stack, name) : {};
        const routes = routesOf(stack, name, seedId, workerAuth);
        const isRealtime = stack.get(name).app === 'realtime';
        const outcome = await sigtermUnderLoad(stack.get(name), {
          rate,
          warmMs: bySize(size, 1_500, 5_000),
          next: (i) => routes[i % routes.length]!(i),
          slow: slowOf(stack, name, workerAuth),
          ...(isRealtime ? { wsUrl: stack.wsUrl, wsClients: bySize(size, 10, 100) } : {}),
        });
        outcomes.push([name, outcome]);
      }
      const checks = new Checks();
      const figures: Record<string, string | number | null> = {};
      for (const [name, o] of outcomes) {
        const short = name.replace(/-1$/, '');
        checks.expect(`${short}-inflight`, o.sentBefore > 0 && o.inFlightFailed === 0 && o.slowFailed === 0);
        checks.expect(`${short}-exit0<10s`, o.exitCode === 0 && o.exitMs !== null && o.exitMs < 10_000);
        figures[short] = `sent=${o.sentBefore} inFlight=${o.inFlightAtSignal} failed=${o.inFlightFailed} refused=${o.refusedBefore} slow=${JSON.stringify(o.slowStatuses)} exit=${o.exitCode} in ${o.exitMs ?? '>15000'}ms after=${JSON.stringify(o.statusesAfter)}`;
        if (Object.keys(o.wsCloseCodes).length > 0) {
          checks.expect('ws-1001', Object.keys(o.wsCloseCodes).every((c) => c === '1001'));
          figures.wsCloseCodes = JSON.stringify(o.wsCloseCodes);
        }
        if (o.examples.length > 0) figures[`${short}Examples`] = o.examples.join(' | ');
        // An unclean exit: what the service printed last (its shutdown steps, or the watchdog's stack) goes into the report.
        if (o.exitCode !== 0) figures[`${short}LogTail`] = `\n${logTail(stack.get(name).logFile, 60)}`;
      }
      return { name: 'sigterm-under-load', pass: checks.pass, figures: { ...figures, failed: checks.failed } };
    }),
};
