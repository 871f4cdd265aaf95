import { Queue, Worker, type Job, type JobType } from 'bullmq';
import type { Pool } from 'pg';
import { portFor } from '@hypernode/ports';
import { queuedDeploymentIds, takeNodesOffline } from '@hypernode/store';
import type { AutomationConfig } from './config.js';
import { runDeploy } from './workflows/deploy.js';
import { createHealthSweep } from './workflows/health-sweep.js';

/** The workflows this engine runs, for GET /workflows. */
export const WORKFLOWS = {
  deploy: 'queued deployment → node with capacity → dispatch to its worker → follow to completed/failed',
  'node-watchdog': 'nodes that missed their heartbeats go offline; their deployments are rescheduled',
  'health-sweep': 'checks every registry service and publishes changes on the services topic',
} as const;
export type WorkflowName = keyof typeof WORKFLOWS;

const QUEUE = 'hypernode';

function connectionOf(url: string) {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || portFor('redis')), password: u.password || undefined, db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0, maxRetriesPerRequest: null };
}

/** A running engine. */
export interface Engine {
  queue: Queue;
  /** Adds a run now; `deploy` needs `{ deploymentId }`. */
  run(name: WorkflowName, data?: { deploymentId?: string }): Promise<Job>;
  /** Recent runs, optionally of one state. */
  runs(status?: JobType): Promise<Array<Record<string, unknown>>>;
  /**
   * Stops taking jobs and closes connections; idempotent. Graceful by default (jobs in flight
   * finish); `force` abandons them as a crash would, and BullMQ hands them to the next engine.
   */
  close(force?: boolean): Promise<void>;
}

/**
 * Starts the engine on BullMQ: one queue, one worker for all three workflows, repeatable
 * watchdog and sweep jobs, and a reconciliation pass over PostgreSQL every `reconcileMs` that
 * enqueues every queued deployment (deduplicated by id). That pass is the durability net: a
 * deployment created while Redis or the engine was down is picked up when they are back.
 */
export async function startEngine(config: AutomationConfig, pool: Pool, log: (line: string) => void = () => undefined): Promise<Engine> {
  const connection = connectionOf(config.redisUrl);
  const prefix = `${config.redisPrefix}bull`;
  const queue = new Queue(QUEUE, { connection, prefix });
  const sweep = createHealthSweep(pool);

  const process = async (job: Job) => {
    switch (job.name as WorkflowName) {
      case 'deploy':
        return runDeploy({ pool, workerToken: config.workerToken, followMs: config.followMs, log }, String(job.data.deploymentId));
      case 'node-watchdog': {
        const offline = await takeNodesOffline(pool, { staleSeconds: config.nodeStaleS });
        if (offline.length > 0) log(`node-watchdog: ${offline.map((n) => n.name).join(', ')} missed heartbeats; offline, deployments rescheduled`);
        return { offline: offline.map((n) => n.name) };
      }
      case 'health-sweep':
        return (await sweep()).changed ? 'changed' : 'unchanged';
      default:
        throw new Error(`unknown workflow ${job.name}`);
    }
  };

  const worker = new Worker(QUEUE, process, {
    connection,
    prefix,
    concurrency: 8,
    // A killed engine's jobs come back quickly: the lock lapses and another worker takes them.
    lockDuration: 5000,
    stalledInterval: 2000,
    settings: { backoffStrategy: (attempts: number) => Math.min(500 * 2 ** attempts, 5000) },
  });
  worker.on('failed', (job, error) => log(`${job?.name ?? 'job'} ${job?.data?.deploymentId ?? ''} attempt ${job?.attemptsMade ?? '?'} failed: ${error.message}`));
  worker.on('error', (error) => log(`worker error: ${error.message}`));

  await queue.upsertJobScheduler('node-watchdog', { every: config.watchdogMs }, { name: 'node-watchdog', opts: { removeOnComplete: 100, removeOnFail: 100 } });
  await queue.upsertJobScheduler('health-sweep', { every: config.sweepMs }, { name: 'health-sweep', opts: { removeOnComplete: 100, removeOnFail: 100 } });

  const addDeploy = (deploymentId: string) =>
    queue.add('deploy', { deploymentId }, { deduplication: { id: `deploy:${deploymentId}` }, attempts: 1000, backoff: { type: 'custom' }, removeOnComplete: 1000, removeOnFail: 1000 });

  let reconciling = false;
  const reconcile = async () => {
    if (reconciling) return;
    reconciling = true;
    try {
      for (const id of await queuedDeploymentIds(pool)) await addDeploy(id);
    } catch (error) {
      log(`reconcile pass failed (${(error as Error).message}); next pass in ${config.reconcileMs} ms`);
    } finally {
      reconciling = false;
    }
  };
  await reconcile();
  const timer = setInterval(() => void reconcile(), config.reconcileMs);

  let closing: Promise<void> | undefined;
  return {
    queue,
    run: (name, data = {}) => (name === 'deploy' ? addDeploy(String(data.deploymentId)) : queue.add(name, {}, { removeOnComplete: 100, removeOnFail: 100 })),
    runs: async (status) => {
      const jobs = await queue.getJobs(status ? [status] : ['active', 'waiting', 'delayed', 'completed', 'failed'], 0, 99);
      return Promise.all(
        jobs.filter(Boolean).map(async (j) => ({ id: j.id, workflow: j.name, status: await j.getState(), data: j.data, attempts: j.attemptsMade, result: j.returnvalue ?? null, failedReason: j.failedReason ?? null, finishedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : null })),
      );
    },
    close: (force = false) =>
      (closing ??= (async () => {
        clearInterval(timer);
        await worker.close(force);
        await queue.close();
      })()),
  };
}
