import { urlFor } from '@hypernode/ports';

/** The automation engine's settings. */
export interface AutomationConfig {
  databaseUrl: string;
  redisUrl: string;
  /** Prefix of Redis keys (BullMQ's included); must match the api's for nothing, but keeps tests apart. */
  redisPrefix: string;
  /** Token the engine shows GPU workers when it dispatches. */
  workerToken?: string;
  /** How often PostgreSQL is scanned for queued deployments (the durability net). */
  reconcileMs: number;
  /** How often the node watchdog runs, and how stale a heartbeat may get. */
  watchdogMs: number;
  nodeStaleS: number;
  /** How often every registry service's health is checked. */
  sweepMs: number;
  /** How often a deployment being followed is re-read. */
  followMs: number;
}

/** A setting that cannot be used. */
export class AutomationConfigError extends Error {
  readonly code = 'E_AUTOMATION_CONFIG';
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new AutomationConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected a number above 0 (default ${fallback})`);
  return n;
}

/** Reads the engine's settings from the environment. */
export function loadAutomationConfig(env: NodeJS.ProcessEnv = process.env, defaultDatabaseUrl: string): AutomationConfig {
  return {
    databaseUrl: env.DATABASE_URL || defaultDatabaseUrl,
    redisUrl: env.REDIS_URL || urlFor('redis', { env }),
    redisPrefix: env.HYPERNODE_REDIS_PREFIX ?? 'hypernode:',
    workerToken: env.HYPERNODE_WORKER_TOKEN || undefined,
    reconcileMs: num(env, 'AUTOMATION_RECONCILE_MS', 1000),
    watchdogMs: num(env, 'AUTOMATION_WATCHDOG_MS', 2000),
    nodeStaleS: num(env, 'AUTOMATION_NODE_STALE_S', 6),
    sweepMs: num(env, 'AUTOMATION_SWEEP_MS', 2000),
    followMs: num(env, 'AUTOMATION_FOLLOW_MS', 200),
  };
}
