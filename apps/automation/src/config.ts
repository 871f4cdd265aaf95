import { instanceRedisPrefix, resolveSettings, urlFor, type Profile } from '@hypernode/ports';
import { env, parseEnv } from '@hypernode/service-kit';
import { defaultDatabaseUrl } from '@hypernode/store';

/** The automation engine's settings. */
export interface AutomationConfig {
  databaseUrl: string;
  redisUrl: string;
  /** Prefix of Redis keys (BullMQ's included); must match the api's for nothing, but keeps tests apart. */
  redisPrefix: string;
  /** The profile: in development workers may only be on loopback addresses. */
  profile: Profile;
  /** Outside development, the worker hosts (names or CIDRs) the engine may dispatch to (HYPERNODE_WORKER_HOSTS). */
  workerHosts: string[];
  /** The api, asked who each caller of the HTTP API is (GET /auth/me). */
  apiUrl: string;
  /**
   * How often queued deployments are matched to free nodes, and every queued, scheduled and
   * running deployment is swept page by page (waiting reasons, lost follow jobs): the durability net.
   */
  reconcileMs: number;
  /** Rows per page of that sweep. */
  reconcilePage: number;
  /** How often the node watchdog runs, and how stale a heartbeat may get. */
  watchdogMs: number;
  nodeStaleS: number;
  /** How often every registry service's health is checked. */
  sweepMs: number;
  /** How often a deployment being followed is re-read (each look is a short job; no slot is held in between). */
  followMs: number;
  /** How often a followed deployment's worker is asked whether it still runs it. */
  workerCheckMs: number;
  /** Timeout of every HTTP call to a GPU worker. */
  workerTimeoutMs: number;
  /** Deploy steps run at once (a step is short: dispatch, or one look at a followed deployment). */
  deployConcurrency: number;
  /** Attempts of a deploy step that throws (PostgreSQL down, …), with capped exponential backoff. */
  deployAttempts: number;
  /** How often old events are pruned. */
  pruneMs: number;
  /** Events older than this many seconds are pruned… */
  eventsKeepS: number;
  /** …except the newest this many, which are always kept. */
  eventsKeepLast: number;
}

const HOUR_MS = 3600_000;

/** The variables the engine reads (its one schema). */
const AUTOMATION_ENV = {
  DATABASE_URL: env.url(undefined, ['postgres', 'postgresql']),
  REDIS_URL: env.url(undefined, ['redis', 'rediss']),
  HYPERNODE_REDIS_PREFIX: env.str(undefined),
  HYPERNODE_WORKER_HOSTS: env.str(''),
  API_URL: env.url(undefined, ['http', 'https']),
  AUTOMATION_RECONCILE_MS: env.int(500, 10, HOUR_MS),
  AUTOMATION_WATCHDOG_MS: env.int(2000, 10, HOUR_MS),
  AUTOMATION_NODE_STALE_S: env.num(6, 0.1, 3600),
  AUTOMATION_SWEEP_MS: env.int(2000, 10, HOUR_MS),
  AUTOMATION_FOLLOW_MS: env.int(1000, 10, HOUR_MS),
  AUTOMATION_WORKER_CHECK_MS: env.int(5000, 10, HOUR_MS),
  AUTOMATION_WORKER_TIMEOUT_MS: env.int(3000, 10, 60_000),
  AUTOMATION_DEPLOY_CONCURRENCY: env.int(8, 1, 1000),
  AUTOMATION_DEPLOY_ATTEMPTS: env.int(20, 1, 1000),
  AUTOMATION_RECONCILE_PAGE: env.int(500, 1, 10_000),
  AUTOMATION_PRUNE_MS: env.int(60_000, 10, 24 * HOUR_MS),
  AUTOMATION_EVENTS_KEEP_S: env.int(86_400, 1),
  // Never 0: the relay reads the highest published id from the newest rows (a pruned top would look like a reset).
  AUTOMATION_EVENTS_KEEP_LAST: env.int(100_000, 1000),
};

/**
 * Reads the engine's settings from the environment; throws ConfigError listing every bad one.
 * Peer URLs not given (API_URL, REDIS_URL, DATABASE_URL) come from the registry for `source`'s
 * network (localhost, or compose service names); `fallbackDatabaseUrl` overrides the database's.
 */
export function loadAutomationConfig(source: NodeJS.ProcessEnv = process.env, fallbackDatabaseUrl?: string): AutomationConfig {
  const v = parseEnv('automation', AUTOMATION_ENV, source);
  return {
    databaseUrl: v.DATABASE_URL ?? fallbackDatabaseUrl ?? defaultDatabaseUrl(source),
    redisUrl: v.REDIS_URL ?? urlFor('redis', { env: source }),
    redisPrefix: v.HYPERNODE_REDIS_PREFIX ?? instanceRedisPrefix(resolveSettings({ env: source }).instance),
    profile: resolveSettings({ env: source }).profile,
    workerHosts: v.HYPERNODE_WORKER_HOSTS.split(',').map((h) => h.trim()).filter(Boolean),
    apiUrl: v.API_URL ?? urlFor('api', { env: source }),
    reconcileMs: v.AUTOMATION_RECONCILE_MS,
    watchdogMs: v.AUTOMATION_WATCHDOG_MS,
    nodeStaleS: v.AUTOMATION_NODE_STALE_S,
    sweepMs: v.AUTOMATION_SWEEP_MS,
    followMs: v.AUTOMATION_FOLLOW_MS,
    workerCheckMs: v.AUTOMATION_WORKER_CHECK_MS,
    workerTimeoutMs: v.AUTOMATION_WORKER_TIMEOUT_MS,
    deployConcurrency: v.AUTOMATION_DEPLOY_CONCURRENCY,
    deployAttempts: v.AUTOMATION_DEPLOY_ATTEMPTS,
    reconcilePage: v.AUTOMATION_RECONCILE_PAGE,
    pruneMs: v.AUTOMATION_PRUNE_MS,
    eventsKeepS: v.AUTOMATION_EVENTS_KEEP_S,
    eventsKeepLast: v.AUTOMATION_EVENTS_KEEP_LAST,
  };
}
