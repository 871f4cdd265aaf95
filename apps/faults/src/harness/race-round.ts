import type pg from 'pg';
import { transitionDeployment } from '@hypernode/store';
import { timedFetch, type LoadSample } from './load.js';
import { deploymentBody, postJson, workerAuth } from './probes.js';
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
  const node = await postJson(`${apiUrl}/nodes`, { name: nodeName, gpuModel: 'SIM', vramGb: 80, workerUrl: `http://${nodeName}.invalid/` }, workerAuth);
  const created = await postJson(`${apiUrl}/deployments`, deploymentBody(round, 1));
  const nodeId = node.body.id;
  const id = created.body.id;
  if (typeof nodeId !== 'string' || typeof id !== 'string') throw new FaultsHarnessError(`round ${round} set-up: POST /nodes answered ${node.status}, POST /deployments ${created.status}`);
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
