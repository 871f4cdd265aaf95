import type pg from 'pg';
import { transitionDeployment } from '@hypernode/store';
import { timedFetch, type LoadSample } from './load.js';
import { joinAuth } from './credentials.js';
import { deploymentBody, postJson } from './probes.js';
import { FaultsHarnessError } from './wait.js';

/** Every HTTP answer of one round, by what it was. */
export interface RaceRoundResult {
  deploymentId: string;
  samples: LoadSample[];
}

const TIMEOUT_MS = 10_000;

/**
 * One round of "node offline vs progress vs cancel", end to end: the node `nodeName` (re-)registers
 * through the api (online again), a deployment is created through the api and moved to
 * `running` on that node in the database (the engine's part, done directly so no engine
 * interferes), then at once — through the api process's routes — the node deregisters
 * (takeNodesOffline by id), the worker reports progress (running → running, then → completed)
 * and a client cancels. Refusals (409) are expected; what counts is that nothing is a 5xx.
 */
export async function raceRound(apiUrl: string, pool: pg.Pool, round: number, nodeName: string): Promise<RaceRoundResult> {
  // Each round ends with the node deregistered, which ends its credential: like a restarted
  // worker, it registers again with the join token (an offline node's name may be reclaimed).
  const node = await postJson(`${apiUrl}/nodes`, { name: nodeName, gpuModel: 'SIM', vramGb: 80, workerUrl: 'http://127.0.0.1:1/' }, joinAuth());
  const created = await postJson(`${apiUrl}/deployments`, deploymentBody(round, 1));
  const nodeId = (node.body.node as { id?: unknown } | undefined)?.id;
  const credential = node.body.credential;
  const id = created.body.id;
  if (typeof nodeId !== 'string' || typeof credential !== 'string' || typeof id !== 'string') throw new FaultsHarnessError(`round ${round} set-up: POST /nodes answered ${node.status}, POST /deployments ${created.status}`);
  const workerAuth = { authorization: `Bearer ${credential}` };
  await transitionDeployment(pool, id, 'scheduled', { nodeId });
  await transitionDeployment(pool, id, 'running', { progress: 1 });
  const post = (route: string, path: string, body?: unknown, headers?: Record<string, string>) => timedFetch({ route, url: `${apiUrl}${path}`, method: 'POST', body, headers }, TIMEOUT_MS);
  const [deregister, progress, cancel] = await Promise.all([
    post('deregister', `/nodes/${nodeId}/deregister`, undefined, workerAuth),
    (async () => [
      await post('progress', `/deployments/${id}/progress`, { status: 'running', progress: 50 }, workerAuth),
      await post('complete', `/deployments/${id}/progress`, { status: 'completed' }, workerAuth),
    ])(),
    post('cancel', `/deployments/${id}/cancel`),
  ]);
  return { deploymentId: id, samples: [deregister, ...progress, cancel] };
}

/** True when an answer is (or mentions) a PostgreSQL deadlock. */
export const isDeadlockAnswer = (s: LoadSample): boolean => /40P01|deadlock/i.test(typeof s.body === 'string' ? s.body : JSON.stringify(s.body ?? ''));
