import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort } from '@hypernode/testing';
import { authHeaders, clearStackCredentials, createStackCredentials, type StackCredentials } from './credentials.js';
import { startPgServer, type PgServer } from './pg-server.js';
import { startRedisServer, type RedisServer } from './redis-server.js';
import { FAULTS_TMP, killAll, startService, type AppName, type ServiceProcess } from './services.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import { waitFor } from './wait.js';

/** What a scenario asks of its stack. */
export interface StackOptions {
  /** Label of the run (log folder). */
  name: string;
  /** Which services to start; default api, realtime, automation. */
  apps?: Array<Exclude<AppName, 'gpu-worker'>>;
  /** GPU workers to start (each its own process). */
  workers?: number;
  /** Simulated job length per worker. */
  jobMs?: number;
  /** Extra environment for every service. */
  env?: NodeJS.ProcessEnv;
}

/**
 * One scenario's world: its own PostgreSQL and redis-server, a TCP proxy in front of each
 * (services connect through the proxies only), and api, realtime, automation and GPU workers
 * as separate processes on spare ports. `close()` kills and removes all of it.
 */
export interface Stack {
  pg: PgServer;
  redis: RedisServer;
  pgProxy: TcpProxy;
  redisProxy: TcpProxy;
  services: Map<string, ServiceProcess>;
  logDir: string;
  /** The api, realtime and automation base URLs; ws URL of realtime. */
  apiUrl: string;
  wsUrl: string;
  automationUrl: string;
  /** The environment every service gets. */
  env: NodeJS.ProcessEnv;
  /** Admin and deploy keys and a join token, made in the stack's database once the api migrated it. */
  credentials: StackCredentials;
  /** Starts (or restarts after it exited) one service by label. */
  start(name: string): Promise<ServiceProcess>;
  /** The running (or last) process of a label. */
  get(name: string): ServiceProcess;
  close(): Promise<void>;
}

interface Spec {
  app: AppName;
  port: number;
  env: NodeJS.ProcessEnv;
  ready?: (body: Record<string, unknown>) => boolean;
}

/** Starts a stack; on any failure everything already started is stopped again. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const logDir = join(FAULTS_TMP, 'logs', `${options.name}-${Date.now()}`);
  const closers: Array<() => Promise<unknown>> = [];
  const services = new Map<string, ServiceProcess>();
  const close = async () => {
    clearStackCredentials();
    await killAll(services.values());
    for (const c of closers.reverse()) await c().catch(() => undefined);
    closers.length = 0;
  };
  try {
    const pg = await startPgServer();
    closers.push(() => pg.destroy());
    const redis = await startRedisServer();
    closers.push(() => redis.destroy());
    const pgProxy = await startTcpProxy({ host: '127.0.0.1', port: pg.port });
    closers.push(() => pgProxy.close());
    const redisProxy = await startTcpProxy({ host: '127.0.0.1', port: redis.port });
    closers.push(() => redisProxy.close());

    const [api, realtime, automation, site, llm] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const env: NodeJS.ProcessEnv = {
      HYPERNODE_HOST: '127.0.0.1',
      API_PORT: String(api),
      REALTIME_PORT: String(realtime),
      AUTOMATION_PORT: String(automation),
      // Never probe or point at the registry's frontends: another copy may run there.
      SITE_PORT: String(site),
      LLM_DEPLOYER_PORT: String(llm),
      DATABASE_URL: pg.url(pgProxy.port),
      REDIS_URL: redis.url(redisProxy.port),
      HYPERNODE_REDIS_PREFIX: `faults-${randomBytes(4).toString('hex')}:`,
      // Every connection of the suite uses the stack's one admin key, from one address.
      REALTIME_MAX_CONNECTIONS_PER_PRINCIPAL: '1000000',
      REALTIME_MAX_CONNECTIONS_PER_ADDRESS: '1000000',
      API_URL: `http://127.0.0.1:${api}`,
      API_RATE_LIMIT_MAX: '1000000',
      AUTOMATION_RECONCILE_MS: '500',
      AUTOMATION_WATCHDOG_MS: '500',
      AUTOMATION_NODE_STALE_S: '2',
      GPU_WORKER_HEARTBEAT_MS: '500',
      GPU_WORKER_JOB_MS: String(options.jobMs ?? 3000),
      ...options.env,
    };
    const specs = new Map<string, Spec>();
    for (const app of options.apps ?? ['api', 'realtime', 'automation']) specs.set(app, { app, port: Number(env[`${app.toUpperCase()}_PORT`]), env: {} });
    for (let i = 1; i <= (options.workers ?? 0); i++) {
      const port = await freePort();
      // Registered means the api knows the node: only then can the engine schedule onto it.
      specs.set(`gpu-worker-${i}`, { app: 'gpu-worker', port, env: { GPU_WORKER_PORT: String(port), GPU_WORKER_NAME: `faults-worker-${i}-${port}` }, ready: (b) => typeof b.node === 'string' });
    }
    const start = async (name: string) => {
      const spec = specs.get(name);
      if (!spec) throw new Error(`no service "${name}" in this stack: use ${[...specs.keys()].join(', ')}`);
      const s = await startService({ app: spec.app, name, port: spec.port, env: { ...env, ...spec.env }, logDir, ready: spec.ready });
      services.set(name, s);
      return s;
    };
    // The api migrates the database; the credentials are made in it and the others start once the tables exist.
    if (specs.has('api')) await start('api');
    const credentials = await createStackCredentials(pg);
    env.HYPERNODE_JOIN_TOKEN = credentials.joinToken;
    await Promise.all([...specs.keys()].filter((n) => n !== 'api' && !n.startsWith('gpu-worker')).map(start));
    await Promise.all([...specs.keys()].filter((n) => n.startsWith('gpu-worker')).map(start));
    // The admin key works end to end before any fault: automation asks the api about it once
    // (then caches the answer), so a scenario's timings measure its fault, not a cold first look-up.
    if (specs.has('automation') && specs.has('api')) {
      await waitFor('automation to accept the stack admin key (GET /workflows → 200)', async () => (await fetch(`http://127.0.0.1:${automation}/workflows`, { headers: authHeaders(), signal: AbortSignal.timeout(3000) }).catch(() => undefined))?.status === 200, 30_000, 200);
    }
    return {
      pg,
      redis,
      pgProxy,
      redisProxy,
      services,
      logDir,
      apiUrl: `http://127.0.0.1:${api}`,
      wsUrl: `ws://127.0.0.1:${realtime}`,
      automationUrl: `http://127.0.0.1:${automation}`,
      env,
      credentials,
      start,
      get: (name) => {
        const s = services.get(name);
        if (!s) throw new Error(`service "${name}" was never started in this stack`);
        return s;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Runs `body` with a fresh stack and always closes it, even when `body` throws. */
export async function withStack<T>(options: StackOptions, body: (stack: Stack) => Promise<T>): Promise<T> {
  const stack = await startStack(options);
  try {
    return await body(stack);
  } finally {
    await stack.close();
  }
}
