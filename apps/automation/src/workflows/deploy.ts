import type { Pool } from 'pg';
import { FINAL_STATES, type DeploymentRecord, type NodeRecord } from '@hypernode/events';
import { getDeployment, getNode, scheduleOnFreeNode, takeNodesOffline, transitionDeployment } from '@hypernode/store';

/** The job should run again later (BullMQ retries it with backoff). */
export class RetryLater extends Error {}

/** What the deploy workflow needs. */
export interface DeployContext {
  pool: Pool;
  workerToken?: string;
  followMs: number;
  log: (line: string) => void;
}

async function dispatch(ctx: DeployContext, node: NodeRecord, d: DeploymentRecord): Promise<void> {
  let failure: string | undefined;
  try {
    const res = await fetch(new URL('/jobs', node.workerUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.workerToken ?? ''}` },
      body: JSON.stringify({ deploymentId: d.id, model: d.model, minVramGb: d.minVramGb }),
      signal: AbortSignal.timeout(5000),
    });
    if (res.status !== 202 && res.status !== 200) failure = `node ${node.name} refused it (${res.status}: ${await res.text()})`;
  } catch (error) {
    failure = `node ${node.name} unreachable at ${node.workerUrl} (${(error as Error).message})`;
  }
  if (failure) {
    await transitionDeployment(ctx.pool, d.id, 'queued', { nodeId: null, error: failure }).catch(() => undefined);
    // Out of the scheduling pool until its next heartbeat, so the retry picks another node.
    await takeNodesOffline(ctx.pool, { id: node.id }).catch(() => undefined);
    throw new RetryLater(`${failure}; back to scheduling`);
  }
}

async function workerHasJob(node: NodeRecord, deploymentId: string): Promise<boolean> {
  try {
    return (await fetch(new URL(`/jobs/${deploymentId}`, node.workerUrl), { signal: AbortSignal.timeout(3_000) })).ok;
  } catch {
    return false;
  }
}

/** Waits until the deployment is final (returns it) or goes back to the queue (RetryLater). */
async function follow(ctx: DeployContext, id: string): Promise<DeploymentRecord['status']> {
  for (;;) {
    const d = await getDeployment(ctx.pool, id);
    if (!d) return 'cancelled';
    if (FINAL_STATES.includes(d.status)) return d.status;
    if (d.status === 'queued') throw new RetryLater(`deployment went back to the queue (${d.error ?? 'node lost'})`);
    if (d.maxDurationS !== null && Date.now() - Date.parse(d.createdAt) > d.maxDurationS * 1000) {
      await transitionDeployment(ctx.pool, id, 'failed', { error: `exceeded its max duration of ${d.maxDurationS} s` }).catch(() => undefined);
      return 'failed';
    }
    await new Promise((r) => setTimeout(r, ctx.followMs));
  }
}

/**
 * The `deploy` workflow: a queued deployment → the least-loaded online node with enough free
 * VRAM → dispatch to its worker → follow until completed or failed. A refusal or a lost node
 * sends it back to scheduling (RetryLater). Safe to run again after a crash: a scheduled or
 * running deployment is re-dispatched (workers treat a repeat as a duplicate) or followed.
 */
export async function runDeploy(ctx: DeployContext, id: string): Promise<string> {
  const d = await getDeployment(ctx.pool, id);
  if (!d) return 'gone';
  if (FINAL_STATES.includes(d.status)) return d.status;
  if (d.status === 'queued') {
    const scheduled = await scheduleOnFreeNode(ctx.pool, id);
    if (!scheduled) throw new RetryLater(`no online node with ${d.minVramGb} GB free${d.gpuModel ? ` and a ${d.gpuModel}` : ''} and nothing else running`);
    ctx.log(`deploy ${id}: scheduled on ${scheduled.node.name}`);
    await dispatch(ctx, scheduled.node, scheduled.deployment);
  } else {
    const node = d.nodeId ? await getNode(ctx.pool, d.nodeId) : undefined;
    if (!node || node.status !== 'online') {
      await transitionDeployment(ctx.pool, id, 'queued', { nodeId: null, error: 'its node is gone; rescheduling' }).catch(() => undefined);
      throw new RetryLater('node gone');
    }
    if (d.status === 'scheduled') await dispatch(ctx, node, d);
    else if (!(await workerHasJob(node, id))) {
      await transitionDeployment(ctx.pool, id, 'queued', { nodeId: null, error: `node ${node.name} no longer runs it; rescheduling` }).catch(() => undefined);
      throw new RetryLater('worker lost the job');
    }
  }
  return follow(ctx, id);
}
