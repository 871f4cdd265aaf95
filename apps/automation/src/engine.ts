import { randomUUID } from 'node:crypto';
import { DelayedError, Queue, UnrecoverableError, Worker, type Job, type JobType } from 'bullmq';
import { Redis } from 'ioredis';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { BullMQOtel } from 'bullmq-otel';
import { deploymentTraceparent } from '@hypernode/store';
import { tagDeployment, tracingEnabled, withSpan } from '@hypernode/telemetry';
import { workerUrlAllowed } from '@hypernode/auth';
import type { Pool } from 'pg';
import type { AutomationConfig } from './config.js';
import { connectionOf, DEPLOY_QUEUE, isDeploymentId, MAINTENANCE_QUEUE } from './queues.js';
import { startScheduler } from './scheduler.js';
import { deployStep, type DeployJobData } from './workflows/deploy.js';
import { createHealthSweep } from './workflows/health-sweep.js';
import { runNodeWatchdog, runPruneEvents } from './workflows/maintenance.js';

/** The workflows this engine runs, for GET /workflows. */
export const WORKFLOWS = {
  deploy: 'queued deployment → node with capacity → dispatch to its worker → follow to completed/failed',
  'node-watchdog': 'nodes that missed their heartbeats go offline; their deployments are rescheduled',
  'health-sweep': 'checks every registry service, stores the results for the api and publishes changes on the services topic',
  'prune-events': 'deletes published events older than the replay window (AUTOMATION_EVENTS_KEEP_S)',
} as const;
export type WorkflowName = keyof typeof WORKFLOWS;
type MaintenanceName = Exclude<WorkflowName, 'deploy'>;

/** A running engine. */
export interface Engine {
  /** The deploy queue (short dispatch-and-follow steps). */
  queue: Queue;
  /** The maintenance queue (watchdog, health sweep, prune), with its own worker so it always runs on time. */
  maintenance: Queue;
  /** Adds a run now; `deploy` needs `{ deploymentId }`. */
  run(name: WorkflowName, data?: { deploymentId?: string }): Promise<Job>;
  /** Recent runs of every workflow, newest first, optionally of one state. */
  runs(status?: JobType): Promise<Array<Record<string, unknown>>>;
  /**
   * Stops taking jobs and closes connections; idempotent. Graceful by default (steps in flight
   * finish); `force` abandons the deploy steps in flight as a crash would, and BullMQ hands them to
   * the next engine. Maintenance runs always finish (see close below).
   */
  close(force?: boolean): Promise<void>;
}

const KEEP = { removeOnComplete: 100, removeOnFail: 100 };

/**
 * Starts the engine on BullMQ. The scheduler matches queued deployments to free nodes in
 * PostgreSQL and adds a `deploy` job per placed one; that job dispatches, then follows the
 * deployment in short steps (delayed in between, so a running deployment holds no slot).
 * Watchdog, health sweep and prune run on a second queue with its own worker, so no number of
 * deployments can delay them.
 */
export async function startEngine(config: AutomationConfig, pool: Pool, log: (line: string) => void = () => undefined): Promise<Engine> {
  const connection = connectionOf(config.redisUrl);
  const prefix = `${config.redisPrefix}bull`;
  // Producers fail fast while Redis is away (no offline queue): a request's 503 must not leave a
  // command queued in memory that runs later; the workers keep BullMQ's retry-forever connection.
  // With tracing on, BullMQ's own telemetry carries a deployment's trace from the scheduler's add
  // to every step the deploy worker runs (deploy queue only: maintenance runs are not traced).
  const traced = tracingEnabled();
  const telemetry = traced ? new BullMQOtel('hypernode-automation') : undefined;
  const queue = new Queue(DEPLOY_QUEUE, { connection: { ...connection, enableOfflineQueue: false }, prefix, telemetry });
  const maintenance = new Queue(MAINTENANCE_QUEUE, { connection: { ...connection, enableOfflineQueue: false }, prefix });
  // Its own bounded client: a sweep never waits on Redis longer than commandTimeout.
  const redis = new Redis({ ...connection, maxRetriesPerRequest: 1, commandTimeout: 2000, connectTimeout: 2000 });
  redis.on('error', () => undefined); // reported by the sweep that fails, not as an unhandled event
  const sweep = createHealthSweep({ pool, redis, prefix: config.redisPrefix, sweepMs: config.sweepMs });
  const rule = { profile: config.profile, allowed: config.workerHosts };
  const ctx = { pool, workerAllowed: (url: string) => workerUrlAllowed(url, rule), followMs: config.followMs, workerCheckMs: config.workerCheckMs, workerTimeoutMs: config.workerTimeoutMs, log };

  const deploy = async (job: Job<DeployJobData>, token?: string) => {
    if (job.name !== 'deploy') throw new UnrecoverableError(`the deploy queue runs "deploy" jobs only, not "${job.name}"`);
    if (!isDeploymentId(job.data.deploymentId)) throw new UnrecoverableError(`deploymentId ${JSON.stringify(job.data.deploymentId)} is not a UUID: pass the id of a deployment`);
    if (traced) tagDeployment(job.data.deploymentId);
    const step = await deployStep(ctx, job.data);
    if (step.done) return step.result;
    if (JSON.stringify(step.data) !== JSON.stringify(job.data)) await job.updateData(step.data);
    await job.moveToDelayed(Date.now() + step.delayMs, token);
    throw new DelayedError();
  };
  const upkeep = async (job: Job) => {
    switch (job.name as MaintenanceName) {
      case 'node-watchdog':
        return runNodeWatchdog(pool, config.nodeStaleS, log);
      case 'health-sweep':
        return (await sweep()).changed ? 'changed' : 'unchanged';
      case 'prune-events':
        return runPruneEvents(pool, { keepS: config.eventsKeepS, keepLast: config.eventsKeepLast }, log);
      default:
        throw new UnrecoverableError(`unknown workflow "${job.name}": the maintenance queue runs ${Object.keys(WORKFLOWS).filter((n) => n !== 'deploy').join(', ')}`);
    }
  };

  const workers = [
    new Worker(DEPLOY_QUEUE, deploy, {
      connection,
      prefix,
      concurrency: config.deployConcurrency,
      // A killed engine's steps come back quickly: the lock lapses and another worker takes them.
      lockDuration: 5000,
      stalledInterval: 2000,
      maxStalledCount: 5,
      settings: { backoffStrategy: (attempts: number) => Math.min(500 * 2 ** attempts, 5000) },
      telemetry,
    }),
    new Worker(MAINTENANCE_QUEUE, upkeep, { connection, prefix, concurrency: 3, lockDuration: 10_000, stalledInterval: 5000 }),
  ];
  for (const worker of workers) {
    worker.on('failed', (job, error) => log(`${job?.name ?? 'job'} ${job?.data?.deploymentId ?? ''} attempt ${job?.attemptsMade ?? '?'} failed: ${error.message}`));
    worker.on('error', (error) => log(`worker error: ${error.message}`));
  }

  // Before maintenance had its own queue, its schedulers lived on the deploy queue.
  await Promise.all(['node-watchdog', 'health-sweep'].map((id) => queue.removeJobScheduler(id)));
  await maintenance.upsertJobScheduler('node-watchdog', { every: config.watchdogMs }, { name: 'node-watchdog', opts: KEEP });
  await maintenance.upsertJobScheduler('health-sweep', { every: config.sweepMs }, { name: 'health-sweep', opts: KEEP });
  await maintenance.upsertJobScheduler('prune-events', { every: config.pruneMs }, { name: 'prune-events', opts: KEEP });

  const addDeploy = (deploymentId: string) =>
    queue.add('deploy', { deploymentId }, { deduplication: { id: `deploy:${deploymentId}` }, attempts: config.deployAttempts, backoff: { type: 'custom' }, removeOnComplete: 1000, removeOnFail: 1000 });
  // A placed deployment continues the trace of its POST (the traceparent stored with it); the
  // sweep's re-adds (deduplicated, every interval) stay out of every trace.
  const placeDeploy = async (id: string) => withSpan('engine schedule', { parent: (await deploymentTraceparent(pool, id)) ?? null, deploymentId: id }, () => addDeploy(id));
  const followDeploy = (id: string) => context.with(suppressTracing(context.active()), () => addDeploy(id));
  const scheduler = traced
    ? startScheduler({ pool, intervalMs: config.reconcileMs, pageSize: config.reconcilePage, addDeploy: placeDeploy, followDeploy, log })
    : startScheduler({ pool, intervalMs: config.reconcileMs, pageSize: config.reconcilePage, addDeploy, log });

  let closing: Promise<void> | undefined;
  return {
    queue,
    maintenance,
    run: (name, data = {}) => (name === 'deploy' ? addDeploy(String(data.deploymentId)) : maintenance.add(name, {}, { ...KEEP, jobId: `${name}-${randomUUID()}` })),
    runs: async (status) => {
      const states: JobType[] = status ? [status] : ['active', 'waiting', 'delayed', 'completed', 'failed'];
      const jobs = (await Promise.all([queue, maintenance].map((q) => q.getJobs(states, 0, 99)))).flat().filter(Boolean);
      const newest = jobs.sort((a, b) => b.timestamp - a.timestamp).slice(0, 100);
      return Promise.all(
        newest.map(async (j) => ({ id: j.id, workflow: j.name, status: await j.getState(), data: j.data, attempts: j.attemptsMade, result: j.returnvalue ?? null, failedReason: j.failedReason ?? null, finishedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : null })),
      );
    },
    close: (force = false) =>
      (closing ??= (async () => {
        await scheduler.stop();
        // The maintenance worker is never force-closed. Its jobs come from job schedulers, and when
        // BullMQ 5 activates one it re-schedules the next with the worker's own Redis client inside
        // retryIfFailed, which retries a "Connection is closed." at once — no delay while closing —
        // and for ever: a force close ends that client under an activation in flight, and the retry
        // becomes a promise loop that never yields, so the process never exits (caught by the
        // shutdown watchdog in a fresh-clone CI: the engine's main thread in
        // scripts.updateJobSchedulerNextMillis → ioredis Command.reject). A graceful close keeps the
        // client until its main loop is done; its jobs are short and bounded, and the server's
        // shutdown step bounds the wait. The deploy queue has no schedulers: its force close stays.
        const [deployWorker, maintenanceWorker] = workers;
        await Promise.all([deployWorker!.close(force), maintenanceWorker!.close(false)]);
        await Promise.all([queue.close(), maintenance.close()]);
        redis.disconnect();
      })()),
  };
}
