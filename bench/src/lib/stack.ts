import { dirname } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { eventEpochKey } from '@hypernode/events';
import { listServices, nodeFlags } from '@hypernode/ports';
import { createApiKey, createJoinToken } from '@hypernode/store';
import { createTestDatabase, freePort, testRedisPrefix, type TestDatabase } from '@hypernode/testing';
import { bundleOf, ensureBuilds } from './builds.js';
import { startNode, waitFor, type NodeProcess } from './processes.js';

/** The Node services of the stack. */
export type AppName = 'api' | 'realtime' | 'automation' | 'gpu-worker';

/**
 * The bench's stack: its own `hn_test_` database and Redis prefix on the registry's PostgreSQL
 * and Redis, services as their own processes on spare ports, run from their builds as production
 * runs them (`node <the image CMD flags> dist/apps/<app>/main.js`, built first). `close()` stops them and drops everything.
 */
export interface BenchStack {
  db: TestDatabase;
  redisUrl: string;
  prefix: string;
  env: NodeJS.ProcessEnv;
  services: Map<string, NodeProcess>;
  apiUrl: string;
  wsUrl: string;
  automationUrl: string;
  /** `Authorization: Bearer` of an admin key. */
  adminKey: string;
  /** A pool on the stack's database (max 4). */
  pool: pg.Pool;
  /** Starts another service; gpu-workers by index (1, 2, …). */
  start(app: AppName, index?: number, extraEnv?: NodeJS.ProcessEnv): Promise<NodeProcess>;
  close(): Promise<void>;
}

/** Starts the api (which migrates) then `apps`; on failure everything started is stopped. */
export async function startStack(options: { apps: AppName[]; logDir: string; env?: NodeJS.ProcessEnv; log?: (line: string) => void }): Promise<BenchStack> {
  ensureBuilds(options.log ?? ((line) => console.log(`   ${line}`)));
  const db = await createTestDatabase();
  const redis = testRedisPrefix();
  const services = new Map<string, NodeProcess>();
  let pool: pg.Pool | undefined;
  const close = async () => {
    await Promise.all([...services.values()].map((s) => s.stop()));
    services.clear();
    await pool?.end().catch(() => undefined);
    await db.drop().catch(() => undefined);
    await redis.cleanup().catch(() => undefined);
  };
  try {
    const [api, realtime, automation, site, llm] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const env: NodeJS.ProcessEnv = {
      HYPERNODE_HOST: '127.0.0.1',
      API_PORT: String(api),
      REALTIME_PORT: String(realtime),
      AUTOMATION_PORT: String(automation),
      // Never probe or point at the registry's frontends: another copy may run there.
      SITE_PORT: String(site),
      LLM_DEPLOYER_PORT: String(llm),
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      HYPERNODE_REDIS_PREFIX: redis.prefix,
      API_URL: `http://127.0.0.1:${api}`,
      // One key from one address drives every load: the limits are not what is measured.
      API_RATE_LIMIT_MAX: '100000000',
      REALTIME_MAX_CONNECTIONS_PER_PRINCIPAL: '1000000',
      REALTIME_MAX_CONNECTIONS_PER_ADDRESS: '1000000',
      // A diagnosis hook: NODE_OPTIONS for the services (e.g. `--require` of a CPU-profiler preload; `--cpu-prof` is refused there).
      ...(process.env.BENCH_SERVICE_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVICE_NODE_OPTIONS } : {}),
      ...options.env,
    };
    const start = async (app: AppName, index = 1, extraEnv: NodeJS.ProcessEnv = {}) => {
      let port = Number(env[`${app.toUpperCase()}_PORT`]);
      let appEnv: NodeJS.ProcessEnv = {};
      let ready: ((body: unknown) => boolean) | undefined;
      const name = app === 'gpu-worker' ? `gpu-worker-${index}` : app;
      if (app === 'gpu-worker') {
        port = await freePort();
        appEnv = { GPU_WORKER_PORT: String(port), GPU_WORKER_NAME: `bench-worker-${index}-${port}` };
        // Registered means the api knows the node: only then can the engine schedule onto it.
        ready = (b) => typeof (b as { node?: unknown }).node === 'string';
      }
      const entry = bundleOf(app);
      // Node flags as production runs the bundle (the image's CMD: its heap cap from the registry).
      const s = await startNode({ name, cwd: dirname(entry), entry, tsx: false, nodeArgs: nodeFlags(listServices().find((x) => x.name === app)!), env: { ...env, ...appEnv, ...extraEnv }, url: `http://127.0.0.1:${port}`, logDir: options.logDir, ready });
      services.set(name, s);
      return s;
    };
    await start('api');
    await eventStreamSeeded(redis.url, redis.prefix);
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    pool.on('error', () => undefined);
    const adminKey = (await createApiKey(pool, { name: 'bench-admin', scopes: ['admin'] })).key;
    env.HYPERNODE_JOIN_TOKEN = (await createJoinToken(pool, { uses: 10_000, ttlS: 3600 })).token;
    for (const app of options.apps.filter((a) => a !== 'api' && a !== 'gpu-worker')) await start(app);
    return {
      db,
      redisUrl: redis.url,
      prefix: redis.prefix,
      env,
      services,
      apiUrl: `http://127.0.0.1:${api}`,
      wsUrl: `ws://127.0.0.1:${realtime}`,
      automationUrl: `http://127.0.0.1:${automation}`,
      adminKey,
      pool,
      start,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Waits (≤ 15 s) until the api's relay has seeded the event stream (its epoch key exists). An api
 * answers /health before its relay first reaches Redis; an event written right after a later seed
 * reaches WebSocket clients as a `reset` (reload), not as that event — and a figure timing
 * deliveries would count it as missing (a smoke run once saw 10 of 15).
 */
async function eventStreamSeeded(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3_000, commandTimeout: 3_000 });
  redis.on('error', () => undefined);
  try {
    await waitFor(`the api's relay seeding the event stream (${eventEpochKey(prefix)})`, async () => (await redis.exists(eventEpochKey(prefix))) === 1, 15_000, 100);
  } finally {
    redis.disconnect();
  }
}
