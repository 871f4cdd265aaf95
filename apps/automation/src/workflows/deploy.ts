import { UnrecoverableError } from 'bullmq';
import type { Pool } from 'pg';
import { FINAL_STATES, IllegalTransitionError, type DeploymentRecord, type NodeRecord } from '@hypernode/events';
import { deploymentForDispatch, getDeployment, requeueIfStill, takeNodesOffline, transitionDeployment } from '@hypernode/store';
import { withSpan } from '@hypernode/telemetry';
import { dispatchToWorker, workerHasJob } from './worker-http.js';

/** The deployment a `deploy` job names does not exist; retrying cannot help, so BullMQ fails it at once. */
export class UnknownDeploymentError extends UnrecoverableError {
  readonly code = 'E_UNKNOWN_DEPLOYMENT';
  constructor(readonly deploymentId: string) {
    super(`deployment ${deploymentId} does not exist: check the id (GET /deployments on the api lists them); this run is not retried`);
    this.name = 'UnknownDeploymentError';
  }
}

/** What the deploy workflow needs. */
export interface DeployContext {
  pool: Pool;
  /** The host rule: false for a worker URL the engine must never send anything to. */
  workerAllowed: (workerUrl: string) => boolean;
  /** Delay between two looks at a followed deployment. */
  followMs: number;
  /** How often the worker is asked whether it still runs the deployment. */
  workerCheckMs: number;
  /** Timeout of each HTTP call to a worker. */
  workerTimeoutMs: number;
  log: (line: string) => void;
}

/** What a `deploy` job remembers between its steps (kept in the job's data). */
export interface DeployJobData {
  deploymentId: string;
  /** The node this job dispatched the deployment to. */
  dispatchedTo?: string;
  /** When the worker was last asked whether it runs the deployment (epoch ms). */
  checkedAt?: number;
}

/** The outcome of one step: done (the job completes with `result`), or look again after `delayMs`. */
export type DeployStep = { done: true; result: string } | { done: false; delayMs: number; data: DeployJobData };

const done = (result: string): DeployStep => ({ done: true, result });

async function requeue(ctx: DeployContext, d: DeploymentRecord, node: NodeRecord | undefined, reason: string): Promise<DeployStep> {
  const status = d.status as 'scheduled' | 'running';
  const moved = d.nodeId ? await requeueIfStill(ctx.pool, d.id, { status, nodeId: d.nodeId }, reason) : undefined;
  if (moved) ctx.log(`deploy ${d.id}: ${reason}`);
  return done(moved ? `requeued: ${reason}` : 'moved on');
}

/**
 * Takes the node out of the scheduling pool until its next heartbeat and sends the deployment
 * back to the queue with `reason`, in one transaction: were they two, a scheduling pass between
 * them (woken by the requeue) could place the deployment on this same node again.
 */
async function refuseNode(ctx: DeployContext, d: DeploymentRecord, node: NodeRecord, reason: string): Promise<DeployStep> {
  const why = `${reason}; rescheduling`;
  const taken = await takeNodesOffline(ctx.pool, { id: node.id }, { [d.id]: why });
  // Already offline: whatever took it offline sent its deployments back.
  if (taken.length === 0) return done('moved on');
  ctx.log(`deploy ${d.id}: ${why} (node ${node.name} is offline until its next heartbeat)`);
  return done(`requeued: ${why}`);
}

/**
 * One step of the `deploy` workflow. A queued deployment is the scheduler's (it places it on a
 * node, then adds this job). A scheduled one is dispatched to its node's worker; a refusal or
 * an unreachable node sends it back to the queue (and the node out of the pool until its next
 * heartbeat). A running one is looked at every `followMs` — max duration, lost node, and every
 * `workerCheckMs` whether its worker still runs it — and the job is delayed in between, so
 * following holds no engine slot. Safe to repeat after a crash: a repeat dispatch is a
 * duplicate for the worker.
 */
export async function deployStep(ctx: DeployContext, data: DeployJobData): Promise<DeployStep> {
  const id = data.deploymentId;
  // The deployment, its node and the node's dispatch secret in one read; the secret is only used once the node passed its checks.
  const found = await deploymentForDispatch(ctx.pool, id);
  if (!found) throw new UnknownDeploymentError(id);
  const d = found.deployment;
  if (FINAL_STATES.includes(d.status)) return done(d.status);
  if (d.status === 'queued') return done('queued: the scheduler places it when a node fits');

  const node = found.node;
  const secret = found.dispatchSecret;
  if (!node || node.status !== 'online') return requeue(ctx, d, node, 'its node is gone; rescheduling');

  // Nothing, and never the node's secret, goes to a worker URL outside the host rule (the api
  // refuses such registrations too; this holds for rows written before the rule or behind its back).
  if (!ctx.workerAllowed(node.workerUrl)) return refuseNode(ctx, d, node, `node ${node.name} has a worker URL outside the allowed worker hosts (HYPERNODE_WORKER_HOSTS)`);
  if (!secret) return refuseNode(ctx, d, node, `node ${node.name} has no dispatch secret: its worker must register again with a join token`);

  const next = (patch: Partial<DeployJobData> = {}): DeployStep => ({ done: false, delayMs: ctx.followMs, data: { ...data, ...patch } });
  const checkDue = Date.now() - (data.checkedAt ?? 0) >= ctx.workerCheckMs;
  // Still scheduled after a while (or rescheduled onto this node behind our back): dispatch
  // again; the worker answers a repeat with "duplicate", so this doubles as the check.
  if (d.status === 'scheduled' && (data.dispatchedTo !== node.id || checkDue)) {
    // Traced: the worker's POST /jobs span is this span's child (the fetch carries the traceparent).
    const outcome = await withSpan('engine dispatch', { deploymentId: id, attributes: { 'hypernode.node.name': node.name } }, () => dispatchToWorker(node, d, { secret, timeoutMs: ctx.workerTimeoutMs }));
    // Out of the scheduling pool until its next heartbeat, so the next pass picks another node.
    if (!outcome.ok) return refuseNode(ctx, d, node, outcome.reason);
    ctx.log(`deploy ${id}: dispatched to ${node.name}`);
    return next({ dispatchedTo: node.id, checkedAt: Date.now() });
  }

  if (d.maxDurationS !== null && Date.now() - Date.parse(d.createdAt) > d.maxDurationS * 1000) {
    // A deployment that moved on meanwhile is fine; a PostgreSQL outage is not: that step retries with backoff.
    await transitionDeployment(ctx.pool, id, 'failed', { error: `exceeded its max duration of ${d.maxDurationS} s` }).catch((error: unknown) => {
      if (!(error instanceof IllegalTransitionError)) throw error;
    });
    return done('failed');
  }
  if (d.status === 'running' && checkDue) {
    if ((await workerHasJob(node, id, { secret, timeoutMs: ctx.workerTimeoutMs })) === 'no') {
      // The worker clears its job only after reporting the outcome: a final state may have landed meanwhile.
      const now = await getDeployment(ctx.pool, id);
      if (!now || FINAL_STATES.includes(now.status)) return done(now?.status ?? 'gone');
      return requeue(ctx, now, node, `node ${node.name} no longer runs it; rescheduling`);
    }
    return next({ dispatchedTo: node.id, checkedAt: Date.now() });
  }
  return next({ dispatchedTo: node.id });
}
