import type { Pool } from 'pg';
import { deploymentsPage, listenForOutbox, onlineCapacities, scheduleQueued, setWaitingReasons, waitingReason, type PageCursor } from '@hypernode/store';

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

  const match = async (): Promise<number> => {
    const placed = await scheduleQueued(pool);
    for (const { deployment, node } of placed) {
      log(`scheduler: ${deployment.id} (${deployment.minVramGb} GB) → ${node.name}`);
      await options.addDeploy(deployment.id);
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
      await Promise.all(page.items.map((d) => (options.followDeploy ?? options.addDeploy)(d.id)));
      followed += page.items.length;
      after = page.next;
    } while (after);
    return { reasons, followed };
  };

  let matching: Promise<unknown> | undefined;
  let sweeping: Promise<unknown> | undefined;
  let stopped = false;
  const startSweep = () =>
    (sweeping ??= sweep()
      .catch((error: Error) => log(`scheduler: sweep failed (${error.message}); next in ${options.intervalMs} ms`))
      .finally(() => (sweeping = undefined)));
  const tick = () => {
    if (stopped) return;
    // A pass a notification started is in flight: the sweep still runs on time.
    if (matching) return void startSweep();
    matching = match()
      .catch((error: Error) => log(`scheduler: matching pass failed (${error.message}); next pass in ${options.intervalMs} ms`))
      .finally(() => {
        matching = undefined;
        if (!stopped) startSweep();
      });
  };
  tick();
  const timer = setInterval(tick, options.intervalMs);
  // Every change that can let a deployment be placed (created, a node registered or freed) commits
  // an event: match on its notification instead of waiting for the next interval. Coalesced: one
  // more pass after the one in flight, however many notifications came meanwhile.
  let again = false;
  const wake = () => {
    if (stopped) return;
    if (matching) {
      again = true;
      return;
    }
    matching = match()
      .catch((error: Error) => log(`scheduler: matching pass failed (${error.message}); next pass in ${options.intervalMs} ms`))
      .finally(() => {
        matching = undefined;
        if (again) {
          again = false;
          wake();
        }
      });
  };
  const listener = options.listen === false ? undefined : listenForOutbox(pool, wake);

  let stopping: Promise<void> | undefined;
  return {
    match,
    sweep,
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        clearInterval(timer);
        await listener?.close();
        await matching;
        await sweeping;
      })()),
  };
}
