import type { Pool } from 'pg';
import { deploymentsPage, listenForOutbox, onlineCapacities, schedulePass, setWaitingReasons, waitingReason, type PageCursor } from '@hypernode/store';

/** How soon a pass that found a free node locked by another transaction is repeated. */
const LOCKED_RETRY_MS = 5;

/** What the scheduler needs. */
export interface SchedulerOptions {
  pool: Pool;
  /** How often a pass runs. */
  intervalMs: number;
  /** Rows per page of the sweep. */
  pageSize: number;
  /** Adds the (deduplicated) `deploy` job that dispatches and follows a deployment (for one just placed). */
  addDeploy: (deploymentId: string) => Promise<unknown>;
  /** The same for the sweep's re-adds of placed ones (default addDeploy): the engine adds them untraced. */
  followDeploy?: (deploymentId: string) => Promise<unknown>;
  log: (line: string) => void;
  /** Match at once when PostgreSQL notifies committed events (a deployment created, a node freed); default on. */
  listen?: boolean;
}

/** A running scheduler. */
export interface Scheduler {
  /** One matching pass now: every free node gets the oldest queued deployment that fits it. */
  match(): Promise<number>;
  /** One sweep now: waiting reasons of every queued deployment, follow jobs for every placed one. */
  sweep(): Promise<{ reasons: number; followed: number }>;
  /** Stops the timer and waits for a pass in flight; idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the scheduler. On every notification of committed events, and every `intervalMs`, it (1) matches free nodes to queued deployments in
 * PostgreSQL (node-driven, so deployments no node can take never stand in the way) and adds a
 * `deploy` job for each placed one, then (2) sweeps every queued, scheduled and running
 * deployment page by page: queued ones get a visible waiting reason (written only when it
 * changes), placed ones get their `deploy` job back if it was lost (engine killed between
 * placing and enqueueing, Redis emptied). A sweep that takes longer than the interval never
 * delays the next matching pass. Both are the durability net: whatever was created or placed
 * while the engine or Redis was down is picked up when they are back.
 */
export function startScheduler(options: SchedulerOptions): Scheduler {
  const { pool, log } = options;

  // A free node whose row another transaction held (a heartbeat, mostly) was skipped: nothing
  // else wakes the scheduler for a node that stays free, so the pass is repeated shortly.
  let lockedNodes = 0;
  // Deployments a pass has placed (committed) and is still enqueueing. The sweep leaves their job
  // to that pass: with tracing on, its add carries the deployment's trace, while a follow add is
  // untraced, and whichever add comes first wins the job's deduplication — a follow that won
  // made every step of the deployment a trace of its own (seen on a loaded machine: the sweep
  // starts at once when a pass is in flight).
  const placing = new Set<string>();
  const match = async (): Promise<number> => {
    const { placed, locked } = await schedulePass(pool);
    lockedNodes = locked;
    for (const { deployment } of placed) placing.add(deployment.id);
    try {
      // Enqueued together: each add is one Redis round trip, and no placed deployment waits on another's.
      await Promise.all(
        placed.map(({ deployment, node }) => {
          log(`scheduler: ${deployment.id} (${deployment.minVramGb} GB) → ${node.name}`);
          return options.addDeploy(deployment.id);
        }),
      );
    } finally {
      for (const { deployment } of placed) placing.delete(deployment.id);
    }
    return placed.length;
  };

  const sweep = async (): Promise<{ reasons: number; followed: number }> => {
    const nodes = await onlineCapacities(pool);
    let reasons = 0;
    let followed = 0;
    let after: PageCursor | undefined;
    do {
      const page = await deploymentsPage(pool, { statuses: ['queued'], after, limit: options.pageSize });
      const changed = page.items.flatMap((d) => {
        const reason = waitingReason(d, nodes);
        return reason !== undefined && reason !== d.error ? [{ id: d.id, reason }] : [];
      });
      reasons += await setWaitingReasons(pool, changed);
      after = page.next;
    } while (after);
    do {
      const page = await deploymentsPage(pool, { statuses: ['scheduled', 'running'], after, limit: options.pageSize });
      const lost = page.items.filter((d) => !placing.has(d.id));
      await Promise.all(lost.map((d) => (options.followDeploy ?? options.addDeploy)(d.id)));
      followed += lost.length;
      after = page.next;
    } while (after);
    return { reasons, followed };
  };

  let matching: Promise<unknown> | undefined;
  let sweeping: Promise<unknown> | undefined;
  let stopped = false;
  // Set when a pass is asked for while one is in flight: exactly one more runs after it (its
  // snapshot may predate what was committed meanwhile), however many requests came.
  let again = false;
  let retry: NodeJS.Timeout | undefined;
  const startSweep = () =>
    (sweeping ??= sweep()
      .catch((error: Error) => log(`scheduler: sweep failed (${error.message}); next in ${options.intervalMs} ms`))
      .finally(() => (sweeping = undefined)));
  /** A matching pass now, or right after the one in flight; `then` runs when this pass ends, or at once if one was in flight. */
  const pass = (then?: () => void) => {
    if (stopped) return;
    if (matching) {
      again = true;
      then?.();
      return;
    }
    matching = match()
      .catch((error: Error) => log(`scheduler: matching pass failed (${error.message}); next pass in ${options.intervalMs} ms`))
      .finally(() => {
        matching = undefined;
        then?.();
        if (stopped) return;
        if (again) {
          again = false;
          pass();
        } else if (lockedNodes > 0) {
          retry ??= setTimeout(() => ((retry = undefined), pass()), LOCKED_RETRY_MS);
        }
      });
  };
  // The interval: a matching pass, then a sweep (the sweep starts at once when a pass is already
  // in flight, so a slow sweep never delays matching and matching never skips a sweep).
  const tick = () => pass(() => (stopped ? undefined : void startSweep()));
  tick();
  const timer = setInterval(tick, options.intervalMs);
  // Every change that can let a deployment be placed (created, a node registered or freed) commits
  // an event: match on its notification instead of waiting for the next interval.
  const wake = () => pass();
  const listener = options.listen === false ? undefined : listenForOutbox(pool, wake);

  let stopping: Promise<void> | undefined;
  return {
    match,
    sweep,
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        clearInterval(timer);
        clearTimeout(retry);
        await listener?.close();
        await matching;
        await sweeping;
      })()),
  };
}
