import { hostileRequest, lazySample, type HostileTargets } from '../harness/hostile-http.js';
import { hostileFrame, openFrameProbe, type FrameOutcome, type FrameProbe } from '../harness/hostile-ws.js';
import { runConcurrently, summarize, timedFetch } from '../harness/load.js';
import { apiOperations } from '../harness/openapi.js';
import { joinAuth } from '../harness/credentials.js';
import { deploymentBody, postJson } from '../harness/probes.js';
import { withStack, type Stack } from '../harness/stack.js';
import { bySize, Checks, type Scenario } from './types.js';

/** Seed of the generators: FAULTS_SEED to replay a run, else the clock (printed in the figures). */
const seedOf = (): number => (process.env.FAULTS_SEED ? Number(process.env.FAULTS_SEED) : Date.now() % 2 ** 31);

/** Rows and cursors that exist, so generated requests reach the database, not only validation. */
async function seedTargets(stack: Stack): Promise<HostileTargets> {
  const ids: string[] = [];
  const nodeCredentials: string[] = [];
  for (let i = 0; i < 2; i++) {
    const node = await postJson(`${stack.apiUrl}/nodes`, { name: `hostile-${i}`, gpuModel: 'SIM', vramGb: 80, workerUrl: 'http://127.0.0.1:1/' }, joinAuth());
    const id = (node.body.node as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string') ids.push(id);
    if (typeof node.body.credential === 'string') nodeCredentials.push(node.body.credential);
  }
  for (let i = 0; i < 3; i++) {
    const d = await postJson(`${stack.apiUrl}/deployments`, deploymentBody(i, 1));
    if (typeof d.body.id === 'string') ids.push(d.body.id);
  }
  const cursors: string[] = [];
  for (const path of ['/deployments?limit=1', '/nodes?limit=1']) {
    const page = await timedFetch({ route: path, url: `${stack.apiUrl}${path}` }, 5000);
    const next = (page.body as { nextCursor?: unknown } | undefined)?.nextCursor;
    if (typeof next === 'string') cursors.push(next);
  }
  const { adminKey, deployKey, joinToken } = stack.credentials;
  // The admin key most often, so handlers (not just the auth check) see the generated input.
  return { ids: ids.length > 0 ? ids : ['00000000-0000-4000-8000-000000000000'], cursors, tokens: [adminKey, adminKey, adminKey, deployKey, joinToken, ...nodeCredentials] };
}

/** Sends `count` malformed frames over `connections` connections; one frame at a time per connection. */
async function sendFrames(wsUrl: string, count: number, connections: number, seed: number) {
  const outcomes: Record<FrameOutcome, number> = { error: 0, answered: 0, 'closed-named': 0, 'closed-other': 0, unanswered: 0 };
  const closeCodes: Record<string, number> = {};
  const errorCodes: Record<string, number> = {};
  let connectFailures = 0;
  const per = Math.ceil(count / connections);
  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      const frames = Math.min(per, count - c * per);
      const next = lazySample(hostileFrame, seed + c * 100_003, 10);
      let probe: FrameProbe | undefined;
      for (let i = 0; i < frames; i++) {
        if (!probe || probe.closed) {
          probe = await openFrameProbe(wsUrl, 5000).catch(() => undefined);
          if (!probe) {
            connectFailures += 1;
            outcomes.unanswered += 1;
            continue;
          }
        }
        const r = await probe.send(next(i), 3000);
        outcomes[r.outcome] += 1;
        if (r.closeCode !== undefined) closeCodes[r.closeCode] = (closeCodes[r.closeCode] ?? 0) + 1;
        if (r.errorCode !== undefined) errorCodes[r.errorCode] = (errorCodes[r.errorCode] ?? 0) + 1;
      }
      probe?.close();
    }),
  );
  return { outcomes, closeCodes, errorCodes, connectFailures };
}

/**
 * Hostile input. Generated requests (fast-check) over every api route listed by the api's own
 * OpenAPI document: 0 answers ≥ 500 (or none at all; a 503 from /ready is its contract and
 * counted apart), /health still 200. Malformed frames over
 * many WebSocket connections to realtime: each answered by an `error` frame or a close with a
 * named code (1008/1009/4xxx), realtime /health still 200, no process exited.
 */
export const hostileInput: Scenario = {
  name: 'hostile-input',
  description: 'generated bodies over every api route, malformed frames over WebSocket connections',
  run: (size) =>
    withStack({ name: 'hostile-input', apps: ['api', 'realtime'], env: { REALTIME_MAX_CONNECTIONS_PER_ADDRESS: '1000' } }, async (stack) => {
      const seed = seedOf();
      const requests = bySize(size, 1_000, 10_000);
      const frames = bySize(size, 1_000, 10_000);
      const connections = bySize(size, 10, 100);
      const t0 = performance.now();
      const targets = await seedTargets(stack);
      const ops = await apiOperations(stack.apiUrl);
      // /ready answers 503 by contract when a dependency probe misses its bound (a loaded box):
      // counted apart. Every other 5xx, or no answer, is a failure.
      const readyNotReady = (s: { route: string; status: number }) => s.route === 'GET /ready' && s.status === 503;
      const bad = (s: { route: string; status: number }) => s.status === 0 || (s.status >= 500 && !readyNotReady(s));
      const samples = await runConcurrently({ count: requests, concurrency: 8, timeoutMs: 10_000, next: lazySample(hostileRequest(stack.apiUrl, ops, targets), seed), keep: bad });
      const httpS = Math.round((performance.now() - t0) / 1000);
      const failures = samples.filter(bad);
      const routesHit = new Set(samples.map((s) => s.route));
      const apiHealth = await timedFetch({ route: 'GET /health', url: `${stack.apiUrl}/health` }, 2000);

      const t1 = performance.now();
      const ws = await sendFrames(stack.wsUrl, frames, connections, seed);
      const wsS = Math.round((performance.now() - t1) / 1000);
      const realtimeHealth = await timedFetch({ route: 'GET /health', url: `${stack.wsUrl.replace('ws:', 'http:')}/health` }, 2000);
      const exits = [...stack.services.values()].filter((s) => s.exited).map((s) => s.name);

      const checks = new Checks();
      checks.expect('http-5xx=0', failures.length === 0);
      checks.expect('api-health', apiHealth.status === 200);
      checks.expect('frames-answered', ws.outcomes.unanswered === 0 && ws.outcomes['closed-other'] === 0);
      checks.expect('realtime-health', realtimeHealth.status === 200);
      checks.expect('no-exit', exits.length === 0);
      const example = failures
        .slice(0, 3)
        .map((f) => `${f.status || f.error} ${f.request?.method} ${f.request?.url.replace(stack.apiUrl, '').slice(0, 100)} body=${String(f.request?.body ?? '').slice(0, 60)} → ${JSON.stringify(f.body ?? '').slice(0, 160)}`)
        .join(' | ');
      return {
        name: 'hostile-input',
        pass: checks.pass,
        figures: {
          seed,
          routes: `${routesHit.size}/${ops.length}`,
          requests: samples.length,
          http5xxOrNoAnswer: failures.length,
          ready503: samples.filter(readyNotReady).length,
          httpStatuses: JSON.stringify(summarize(samples).statuses),
          httpS,
          apiHealth: apiHealth.status || apiHealth.error || 0,
          frames,
          wsConnections: connections,
          frameOutcomes: JSON.stringify(ws.outcomes),
          closeCodes: JSON.stringify(ws.closeCodes),
          errorCodes: JSON.stringify(ws.errorCodes),
          wsS,
          realtimeHealth: realtimeHealth.status || realtimeHealth.error || 0,
          exits: exits.join('+') || 'none',
          ...(example ? { examples: example } : {}),
          failed: checks.failed,
        },
      };
    }),
};
